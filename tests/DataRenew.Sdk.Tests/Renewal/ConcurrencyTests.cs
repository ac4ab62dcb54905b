using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>The client and the fakes are shared by many callers at once.</summary>
public sealed class ConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Forty_renewals_started_in_parallel_each_charge_once_and_order_once()
    {
        var h = new Harness();
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);

        var operations = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(async () =>
        {
            var quote = await h.Client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan5Gb.Code, Ct);
            return await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        }, Ct)));
        var finals = await h.RunAsync(Task.WhenAll(operations.Select(o => o.WaitForCompletionAsync(Ct))));

        Assert.All(finals, r => Assert.Equal(RenewalState.Completed, r.State));
        Assert.Equal(40, finals.Select(r => r.Id).Distinct().Count());
        Assert.Equal(40, h.Payments.SucceededCharges());
        Assert.Equal(40, h.Carrier.SubmittedOrders.Select(o => o.RenewalId).Distinct().Count());
        Assert.Equal(40, h.Carrier.SubmittedOrders.Count);
    }

    [Fact]
    public async Task Two_waits_on_one_renewal_at_once_charge_once_and_order_once_even_without_idempotency_keys()
    {
        var h = new Harness();
        h.Payments.HonourIdempotencyKeys = false;
        h.Carrier.HonourIdempotencyKeys = false;
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(pendingPolls: 3));
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);
        var quote = await h.Client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan5Gb.Code, Ct);
        var operation = await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        var resumed = await h.NewClient().ResumeRenewalAsync(session, operation.Id, Ct);

        var both = Task.WhenAll(operation.WaitForCompletionAsync(Ct), resumed.WaitForCompletionAsync(Ct));
        var finals = await h.RunAsync(both);

        Assert.All(finals, r => Assert.Equal(RenewalState.Completed, r.State));
        Assert.Single(h.Payments.Charges);
        Assert.Single(h.Carrier.SubmittedOrders);
    }
}
