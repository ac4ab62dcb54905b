using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>Step 5, the carrier order: refusals and failures after payment are refunded; slow orders are polled or handed over.</summary>
public sealed class CarrierOutcomeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Carrier_refusing_the_order_after_payment_ends_failed_and_refunds_the_full_price()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.Refuse("PlanChangeLimitExceeded", "The line reached its limit of plan changes this month."));

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(new RenewalFailure(RenewalFailureKind.CarrierRefused, "The line reached its limit of plan changes this month.", "PlanChangeLimitExceeded"), final.Failure);
        Assert.True(final.WasRefunded);
        var refund = Assert.Single(h.Payments.Refunds);
        Assert.Equal(refund.RefundId, final.RefundId);
        Assert.Equal(final.PaymentId, refund.PaymentId);
        Assert.Equal(Money.Usd(30m), refund.Amount);
        Assert.Equal(final.Price, refund.Amount);
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Empty(h.Carrier.SubmittedOrders);
        Assert.Null(final.Receipt);
        Assert.Equal(FakeCarrierSeed.Plan5Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));

        var history = await h.AssertJournalIsSoundAsync(final.Id);
        Assert.Equal(
            [RenewalState.Started, RenewalState.Charging, RenewalState.Paid, RenewalState.Ordering, RenewalState.Refunding, RenewalState.Refunding, RenewalState.Failed],
            history.Select(r => r.State));
        Assert.Equal(1, final.RefundAttempts);

        // The refund attempt was journaled before the refund was sent.
        var refunding = h.Appends.Single(a => a.Record.State == RenewalState.Refunding && a.Record.RefundAttempts == 1);
        Assert.Empty(refunding.Refunds);
    }

    [Fact]
    public async Task Order_accepted_then_failed_by_the_carrier_ends_failed_and_refunded()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.FailAfter(2));

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(new RenewalFailure(RenewalFailureKind.CarrierFailed, "The device is suspended.", "DeviceSuspended"), final.Failure);
        var order = Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(CarrierOrderStatus.Failed, order.Status);
        Assert.Equal(order.OrderId, final.Order!.OrderId);
        Assert.Equal(CarrierOrderStatus.Failed, final.Order.Status);
        var refund = Assert.Single(h.Payments.Refunds);
        Assert.Equal(final.RefundId, refund.RefundId);
        Assert.Equal(Money.Usd(30m), refund.Amount);
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Equal(FakeCarrierSeed.Plan5Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        var history = await h.AssertJournalIsSoundAsync(final.Id);
        Assert.Contains(history, r => r.State == RenewalState.Confirming);
    }

    [Fact]
    public async Task Carrier_billing_refusal_is_refunded_on_the_carrier_bill_not_the_card_gateway()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.Refuse());

        var operation = await h.StartAsync(PaymentMethod.CarrierBilling());
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(final.RefundId, Assert.Single(h.Carrier.BillingGateway.Refunds).RefundId);
        Assert.Empty(h.Payments.Calls);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Order_still_pending_after_start_is_polled_until_completed(int pendingPolls)
    {
        var h = new Harness();
        // Start reads the status once; the order is still pending then, and for `pendingPolls` reads more.
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(pendingPolls + 2));

        var operation = await h.StartAsync();
        Assert.Equal(RenewalState.Confirming, operation.State);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(CarrierOrderStatus.Completed, final.Order!.Status);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        await h.AssertJournalIsSoundAsync(final.Id);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Order_pending_for_n_status_reads_is_read_n_plus_one_times(int pendingPolls)
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(pendingPolls));

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        // FakeOrderScript.PendingPolls: "How many status reads answer Pending before the order ends."
        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(pendingPolls + 1, h.Carrier.CallCount(FakeCarrierOperation.GetOrder));
    }

    [Fact]
    public async Task Refund_the_gateway_refuses_for_good_is_handed_to_a_person_instead_of_retried_forever()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.Refuse());
        var operation = await StartPaymentProcessingAsync(h);
        h.Payments.FailNext(FakePaymentOperation.Refund, FaultTiming.BeforeEffect, NotRefundable);
        h.Payments.FailNext(FakePaymentOperation.Refund, FaultTiming.BeforeEffect, NotRefundable);

        var outcome = await Record.ExceptionAsync(() => h.RunAsync(operation.WaitForCompletionAsync(Ct)));

        // The gateway answered "no" for good: the money is not coming back by itself, so a person must act.
        Assert.Null(outcome);
        Assert.Equal(RenewalState.NeedsAttention, operation.State);
        Assert.Null(operation.Current.RefundId);
        Assert.Empty(h.Payments.Refunds);
        Assert.Empty(await h.Journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task Order_completed_at_submission_needs_no_status_read()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(0));

        var operation = await h.StartAsync();

        Assert.Equal(RenewalState.Completed, operation.State);
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.GetOrder));
        Assert.Equal(operation.Current.Order!.OrderId, operation.Receipt!.CarrierOrderId);
    }

    [Fact]
    public async Task Order_never_confirmed_needs_attention_after_the_confirmation_timeout_quoting_the_carrier_order()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(100_000));

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.NeedsAttention, final.State);
        var order = Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(CarrierOrderStatus.Pending, order.Status);
        Assert.Equal(order.OrderId, final.Order!.OrderId);
        Assert.Equal(RenewalFailureKind.ConfirmationTimedOut, final.Failure!.Kind);
        Assert.Contains(order.OrderId, final.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("support@fake-mobile.example", final.Failure.Message, StringComparison.Ordinal);
        Assert.InRange(final.UpdatedAt, Harness.Start + TimeSpan.FromMinutes(30), Harness.Start + TimeSpan.FromMinutes(31));

        // The payment stands: nothing is refunded while the carrier may still apply the plan.
        Assert.Empty(h.Payments.Refunds);
        Assert.Null(final.RefundId);
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        await h.AssertJournalIsSoundAsync(final.Id);
    }

    [Fact]
    public async Task Shorter_confirmation_timeout_is_honoured()
    {
        var h = new Harness(o => (o.ConfirmationTimeout, o.LeaseDuration) = (TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1)));
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(100_000));

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.InRange(final.UpdatedAt, Harness.Start + TimeSpan.FromMinutes(2), Harness.Start + TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task Renewal_that_needs_attention_is_not_driven_again_when_resumed()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(100_000));
        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));
        var calls = h.Carrier.Calls.Count;

        var client = h.NewClient();
        var session = await h.SignInAsync(client);
        var callsAfterSignIn = h.Carrier.Calls.Count;
        var resumed = await client.ResumeRenewalAsync(session, final.Id, Ct);

        Assert.Equal(RenewalState.NeedsAttention, resumed.State);
        Assert.True(resumed.HasCompleted);
        Assert.Equal(callsAfterSignIn, h.Carrier.Calls.Count);
        Assert.True(callsAfterSignIn > calls);
        Assert.Equal(final.Version, (await h.Journal.GetAsync(final.Id, Ct))!.Version);
    }

    private static Exception NotRefundable() =>
        new DataRenewException("Payment cannot be refunded.", new DataRenewErrorDetails(StatusCode: 400, CarrierErrorCode: "charge_not_refundable"));

    private static async Task<RenewalOperation> StartPaymentProcessingAsync(Harness h)
    {
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(1));
        var operation = await h.StartAsync();
        Assert.Equal(RenewalState.PaymentProcessing, operation.State);
        return operation;
    }
}
