using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>
/// Waiting polls with the documented backoff: <see cref="DataRenewOptions.PollInitialDelay"/> first, growing by
/// <see cref="DataRenewOptions.PollBackoffFactor"/>, capped at <see cref="DataRenewOptions.PollMaxDelay"/> and at the deadline.
/// </summary>
public sealed class PollingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan[] DocumentedBackoff =
        [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)];

    [Fact]
    public async Task Payment_status_polls_wait_two_four_eight_sixteen_then_thirty_seconds()
    {
        var h = new Harness();
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(7));
        var operation = await h.StartAsync();
        var before = h.Clock.Waits.Count;

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(DocumentedBackoff, h.Clock.Waits.Skip(before).Take(6));
    }

    [Fact]
    public async Task Order_status_polls_wait_two_four_eight_sixteen_then_thirty_seconds()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(10));
        var operation = await h.StartAsync();
        Assert.Equal(RenewalState.Confirming, operation.State);
        var before = h.Clock.Waits.Count;

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(DocumentedBackoff, h.Clock.Waits.Skip(before).Take(6));
    }

    [Fact]
    public async Task Polls_never_wait_past_the_deadline()
    {
        var h = new Harness(o =>
        {
            o.PayerActionTimeout = TimeSpan.FromSeconds(45);
            o.PollInitialDelay = TimeSpan.FromSeconds(20);
            o.PollMaxDelay = TimeSpan.FromMinutes(1);
        });
        var operation = await h.StartAsync(PaymentMethod.PayPal());
        var before = h.Clock.Waits.Count;

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct), TimeSpan.FromMilliseconds(250));

        Assert.Equal(RenewalState.Failed, final.State); // cancelled at the deadline
        var waits = h.Clock.Waits.Skip(before).ToArray();
        Assert.Equal(TimeSpan.FromSeconds(20), waits[0]);
        Assert.True(waits.Sum(w => w.TotalSeconds) <= 46, $"Waited {string.Join(", ", waits)} for a 45 s deadline.");
        Assert.InRange(final.UpdatedAt, Harness.Start.AddSeconds(45), Harness.Start.AddSeconds(50));
    }

    [Fact]
    public async Task Checking_the_status_without_waiting_polls_once_and_never_sleeps()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(10));
        var operation = await h.StartAsync();
        var reads = h.Carrier.CallCount(FakeCarrierOperation.GetOrder);
        var waits = h.Clock.Waits.Count;

        var record = await operation.UpdateStatusAsync(Ct);

        Assert.Equal(RenewalState.Confirming, record.State);
        Assert.Equal(reads + 1, h.Carrier.CallCount(FakeCarrierOperation.GetOrder));
        Assert.Equal(waits, h.Clock.Waits.Count);
    }
}
