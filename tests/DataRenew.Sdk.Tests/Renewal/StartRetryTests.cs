using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>An app that retries a start it did not see finish, or lists what is unfinished, never pays twice.</summary>
public sealed class StartRetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Retrying_a_start_with_the_same_renewal_id_continues_that_renewal_and_charges_once()
    {
        var h = new Harness();
        h.Payments.HonourIdempotencyKeys = false;
        h.Payments.FailNext(FakePaymentOperation.Charge, FaultTiming.AfterEffect, () => new InvalidOperationException("process died"));
        var (session, quote) = await h.QuoteAsync();
        var request = new RenewalRequest(quote, Harness.Visa) { RenewalId = RenewalId.New() };

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, request, Ct));
        var retried = await h.NewClient().StartRenewalAsync(await h.SignInAsync(), request, Ct);
        var final = await h.RunAsync(retried.WaitForCompletionAsync(Ct));

        Assert.Equal(request.RenewalId, final.Id);
        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Payments.Charges);
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Single(await h.Journal.GetHistoryAsync(final.Id, Ct).Where(r => r.Version == 1).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task A_retried_start_that_looked_just_before_the_first_recorded_it_continues_it_at_a_carrier_without_order_keys()
    {
        // One renewal per line there; the retry's own renewal is not "another one in progress".
        var h = new Harness(carrierOptions: new FakeCarrierOptions { DeduplicatesOrders = false });
        var (session, quote) = await h.QuoteAsync();
        var request = new RenewalRequest(quote, Harness.Visa) { RenewalId = RenewalId.New() };
        var first = await h.Client.StartRenewalAsync(session, request, Ct);
        Assert.Equal(RenewalState.Confirming, first.State);

        // The retry read the journal while the first start's record was still being written, then went on.
        h.ReadNextBeforeItIsRecorded(request.RenewalId!.Value);
        var retried = await h.Client.StartRenewalAsync(session, request, Ct);
        var final = await h.RunAsync(retried.WaitForCompletionAsync(Ct));

        Assert.Equal(first.Id, final.Id);
        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Payments.Charges);
        Assert.Single(h.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task A_renewal_id_reused_for_another_plan_is_refused_before_any_call()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync();
        var first = await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa) { RenewalId = RenewalId.New() }, Ct);
        var (_, other) = await h.QuoteAsync(FakeCarrierSeed.Plan20Gb.Code);
        var chargesBefore = h.Payments.Charges.Count;

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() =>
            h.Client.StartRenewalAsync(session, new RenewalRequest(other, Harness.Visa) { RenewalId = first.Id }, Ct));

        Assert.Equal("request.RenewalId", error.ParameterName);
        Assert.Equal(chargesBefore, h.Payments.Charges.Count);
    }

    [Fact]
    public async Task Unfinished_renewals_are_listed_until_they_settle()
    {
        var h = new Harness();
        var operation = await h.StartAsync();
        Assert.Equal(RenewalState.Confirming, operation.State);

        Assert.Equal([operation.Id], await h.Client.GetUnfinishedRenewalsAsync(Ct).Select(r => r.Id).ToArrayAsync(Ct));

        await h.RunAsync(operation.WaitForCompletionAsync(Ct));
        Assert.Empty(await h.Client.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task A_bonus_that_ended_between_quote_and_payment_is_refused_as_an_offer_change()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync(FakeCarrierSeed.Plan20Gb.Code);
        Assert.Equal(DataAmount.FromGigabytes(25), quote.Option.Data);
        h.Carrier.RemovePromotion("promo-20gb-bonus");

        var error = await Assert.ThrowsAsync<QuoteNoLongerValidException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));

        Assert.Equal(QuoteInvalidReason.OfferChanged, error.Reason);
        Assert.Empty(h.Payments.Calls);
    }

    [Fact]
    public async Task A_payment_stuck_processing_past_the_deadline_is_cancelled_and_fails_as_a_payment_timeout()
    {
        var h = new Harness();
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(pendingReads: 1_000_000));

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct), TimeSpan.FromMinutes(1));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.PaymentTimedOut, final.Failure?.Kind);
        Assert.Equal(PaymentStatus.Canceled, Assert.Single(h.Payments.Charges).Status);
        Assert.Empty(h.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task Update_status_polls_at_most_once()
    {
        var h = new Harness();
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(pendingReads: 0));
        var operation = await h.StartAsync();
        Assert.Equal(RenewalState.PaymentProcessing, operation.State);

        var afterOnePoll = await operation.UpdateStatusAsync(Ct);

        // The payment poll settled it and the order went out, but the order is not polled in the same call.
        Assert.Equal(RenewalState.Confirming, afterOnePoll.State);
        Assert.Equal(1, h.GatewayCalls(FakePaymentOperation.GetPayment));
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.GetOrder));
    }
}
