using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>Cancelling stops the wait, not the renewal: the journal keeps it, and a later wait or resume finishes it once.</summary>
public sealed class CancellationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cancelling_the_wait_while_the_order_is_pending_throws_and_leaves_the_renewal_confirming_in_the_journal()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(5));
        var operation = await h.StartAsync();
        Assert.Equal(RenewalState.Confirming, operation.State);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var waiting = operation.WaitForCompletionAsync(cts.Token);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        var stored = (await h.Journal.GetAsync(operation.Id, Ct))!;
        Assert.Equal(RenewalState.Confirming, stored.State);
        Assert.False(stored.IsFinal);
        Assert.Equal(stored.Version, operation.Current.Version);
        Assert.Equal(operation.Id, Assert.Single(await h.Journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct)).Id);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Payments.Charges);
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        await h.AssertJournalIsSoundAsync(final.Id);
    }

    [Fact]
    public async Task Renewal_whose_wait_was_cancelled_is_finished_by_a_new_process_charging_once_and_ordering_once()
    {
        var h = new Harness();
        h.Carrier.HonourIdempotencyKeys = false;
        h.Payments.HonourIdempotencyKeys = false;
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(5));
        var operation = await h.StartAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = operation.WaitForCompletionAsync(cts.Token);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        var client = h.NewClient();
        var resumed = await client.ResumeRenewalAsync(await h.SignInAsync(client), operation.Id, Ct);
        var final = await h.RunAsync(resumed.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Payments.Charges);
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
    }

    [Fact]
    public async Task Cancelling_the_wait_for_the_payer_leaves_the_payer_action_in_place()
    {
        var h = new Harness();
        var operation = await h.StartAsync(PaymentMethod.PayPal());
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = operation.WaitForCompletionAsync(cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        Assert.Equal(RenewalState.AwaitingPayerAction, (await h.Journal.GetAsync(operation.Id, Ct))!.State);
        Assert.NotNull(operation.PayerAction);
        h.Payments.CompletePayerAction(operation.Current.PaymentId!);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));
        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task Already_cancelled_token_changes_nothing()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(5));
        var operation = await h.StartAsync();
        var version = operation.Current.Version;
        var calls = h.Carrier.Calls.Count;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => operation.WaitForCompletionAsync(new CancellationToken(canceled: true)));

        Assert.Equal(calls, h.Carrier.Calls.Count);
        Assert.Equal(version, (await h.Journal.GetAsync(operation.Id, Ct))!.Version);
    }

    [Fact]
    public async Task Cancelling_while_the_charge_is_in_flight_leaves_a_charging_renewal_that_resumes_with_the_payment_method()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync();
        h.Payments.Latency = TimeSpan.FromSeconds(5);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var starting = h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting);

        var id = await h.SingleUnfinishedAsync();
        Assert.Equal(RenewalState.Charging, (await h.Journal.GetAsync(id, Ct))!.State);
        Assert.Empty(h.Payments.Charges);

        var client = h.NewClient();
        var resuming = client.ResumeRenewalAsync(await h.SignInAsync(client), new ResumeRenewalRequest(id) { PaymentMethod = Harness.Visa }, Ct);
        var operation = await h.RunAsync(resuming);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Payments.Charges);
        Assert.Single(h.Carrier.SubmittedOrders);
    }
}
