using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>
/// The engine against carriers unlike the fake: one that cannot de-duplicate orders (Verizon/AT&amp;T styles) and
/// one that takes the payment inside the order (T-Mobile style).
/// </summary>
public sealed class CarrierStylesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static FakeCarrierOptions NoKeys => new() { DeduplicatesOrders = false };

    [Fact]
    public async Task An_order_whose_answer_was_lost_is_never_sent_again_to_a_carrier_without_keys()
    {
        // The carrier took the order, the answer was lost, and the carrier cannot find it by renewal.
        var h = new Harness(carrierOptions: NoKeys, wrapCarrier: c => new BlindCarrier(c));
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(1_000_000));
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect, () => new OutcomeUnknownException("lost", new DataRenewErrorDetails(CarrierId.Fake)));
        var operation = await h.StartAsync();

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct), TimeSpan.FromMinutes(1));

        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(RenewalFailureKind.ConfirmationTimedOut, final.Failure!.Kind);
        Assert.Contains(final.Id.Value, final.Failure.Message, StringComparison.Ordinal);
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Empty(h.Payments.Refunds);
        Assert.Equal(1, h.Payments.SucceededCharges());
    }

    [Fact]
    public async Task An_order_whose_answer_was_lost_is_completed_once_the_carrier_shows_it()
    {
        var h = new Harness(carrierOptions: NoKeys);
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect, () => new OutcomeUnknownException("lost", new DataRenewErrorDetails(CarrierId.Fake)));
        var operation = await h.StartAsync();

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct), TimeSpan.FromMinutes(1));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
    }

    [Fact]
    public async Task An_order_whose_answer_was_lost_is_looked_up_at_once_at_a_carrier_with_keys_and_makes_one_order()
    {
        // The key makes a resend safe: no wait for the lease the lost send left behind before looking it up (or resending).
        var h = new Harness();
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect, () => new OutcomeUnknownException("lost", new DataRenewErrorDetails(CarrierId.Fake)));
        var operation = await h.StartAsync();
        var started = h.Time.GetUtcNow();

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.True(h.Time.GetUtcNow() - started < new DataRenewOptions().LeaseDuration / 2, $"The resend waited {h.Time.GetUtcNow() - started}.");
    }

    [Fact]
    public async Task A_refusal_under_the_key_after_a_lost_try_settles_that_try_at_a_carrier_with_keys_and_refunds()
    {
        // The carrier answers every try under one key with one outcome: its "no" is the first try's answer too.
        var h = new Harness();
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder);
        h.Carrier.EnqueueOrder(FakeOrderScript.Refuse());
        var operation = await h.StartAsync();

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.CarrierRefused, final.Failure!.Kind);
        Assert.Equal(2, final.OrderAttempts);
        Assert.Single(h.Payments.Refunds);
    }

    [Fact]
    public async Task An_order_that_provably_never_left_is_sent_once_more_to_a_carrier_without_keys()
    {
        var h = new Harness(carrierOptions: NoKeys);
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.BeforeEffect, () => new CarrierUnavailableException("refused", new DataRenewErrorDetails(CarrierId.Fake), requestNotSent: true));
        var operation = await h.StartAsync();

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(2, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(1, final.OrderAttempts);
    }

    [Fact]
    public async Task A_carrier_that_collects_payment_gets_the_method_with_the_order_and_no_gateway_is_charged()
    {
        CollectingCarrier? carrier = null;
        var h = new Harness(wrapCarrier: c => carrier = new CollectingCarrier(c));

        var operation = await h.StartAsync(Harness.Visa);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Empty(h.Payments.Charges);
        Assert.Null(final.PaymentId);
        var method = Assert.Single(carrier!.PaymentMethods);
        Assert.Equal(Harness.Visa.Summary, method!.Summary);
    }

    [Fact]
    public async Task A_payer_action_on_the_order_is_shown_then_the_order_completes()
    {
        var h = new Harness(wrapCarrier: c => new CollectingCarrier(c) { PayerActionPolls = 2 });

        var operation = await h.StartAsync(PaymentMethod.PayPal());
        Assert.Equal(RenewalState.AwaitingPayerAction, operation.State);
        Assert.Equal("https://pay.example/approve", operation.PayerAction!.Payload);

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));
        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Null(final.PayerAction);
    }

    [Fact]
    public async Task An_order_whose_only_try_the_adapter_refused_before_sending_leaves_a_renewal_that_can_be_abandoned()
    {
        // The adapter refused the payment method itself (nothing was sent): the renewal is as before that try, not stuck
        // in Ordering with an attempt that "may have moved money".
        var h = new Harness(wrapCarrier: c => new CollectingCarrier(c) { RefuseMethod = true });
        var (session, quote) = await h.QuoteAsync();

        await Assert.ThrowsAsync<DataRenewValidationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));
        var id = await h.SingleUnfinishedAsync();
        var stuck = (await h.Journal.GetAsync(id, Ct))!;
        var abandoned = await h.Client.AbandonRenewalAsync(session, id, Ct);

        Assert.Equal(RenewalState.Started, stuck.State);
        Assert.Equal(0, stuck.OrderAttempts);
        Assert.Equal(RenewalState.Failed, abandoned.State);
        Assert.Equal(RenewalFailureKind.Abandoned, abandoned.Failure!.Kind);
    }

    [Fact]
    public async Task A_renewal_that_ended_waiting_on_the_payer_keeps_no_payer_action_link()
    {
        // The payer never acts: the renewal ends (needs attention) and the payment page's link is not kept with it.
        var h = new Harness(wrapCarrier: c => new CollectingCarrier(c) { PayerActionPolls = 1_000_000 });
        var operation = await h.StartAsync(PaymentMethod.PayPal());
        Assert.NotNull(operation.PayerAction);

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        var stored = (await h.Journal.GetAsync(final.Id, Ct))!;
        Assert.Equal(RenewalState.NeedsAttention, stored.State);
        Assert.Equal(RenewalFailureKind.PayerActionTimedOut, stored.Failure!.Kind);
        Assert.Null(stored.PayerAction);
        Assert.Null(stored.Order!.PayerAction);
    }

    [Fact]
    public async Task A_payment_declined_inside_the_order_fails_the_renewal_as_a_decline()
    {
        var h = new Harness(wrapCarrier: c => new CollectingCarrier(c) { Decline = true });

        var operation = await h.StartAsync(Harness.Visa);

        Assert.Equal(RenewalState.Failed, operation.State);
        Assert.Equal(RenewalFailureKind.PaymentDeclined, operation.Current.Failure!.Kind);
        Assert.Empty(h.Carrier.SubmittedOrders);
    }

    /// <summary>A carrier that cannot look an order up by renewal (no idempotency key, answer lost).</summary>
    private sealed class BlindCarrier(FakeCarrier inner) : DelegatingCarrier(inner)
    {
        public override Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult<CarrierOrder?>(null);
    }

    /// <summary>A carrier that takes the payment with the order (T-Mobile style).</summary>
    private sealed class CollectingCarrier(FakeCarrier inner) : DelegatingCarrier(inner)
    {
        private int _polls;

        public List<PaymentMethod?> PaymentMethods { get; } = [];

        public int PayerActionPolls { get; init; }

        public bool Decline { get; init; }

        public bool RefuseMethod { get; init; }

        public override CarrierDescriptor Descriptor => base.Descriptor with { CollectsPayment = true };

        public override async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
        {
            PaymentMethods.Add(request.PaymentMethod);
            if (RefuseMethod)
            {
                throw new DataRenewValidationException("request.PaymentMethod", "This carrier does not take that payment method.");
            }

            if (Decline)
            {
                throw new PaymentDeclinedException(new PaymentDecline("insufficient_funds", "The card was declined."));
            }

            var order = await base.SubmitAsync(session, request, cancellationToken);
            return PayerActionPolls > 0 ? order with { Status = CarrierOrderStatus.Pending, PayerAction = new PayerAction(PayerActionKind.Redirect, "https://pay.example/approve") } : order;
        }

        public override async Task<CarrierOrder> GetAsync(CarrierSession session, CarrierOrder order, CarrierOrderRequest request, CancellationToken cancellationToken = default)
        {
            if (++_polls < PayerActionPolls)
            {
                return order;
            }

            return await base.GetAsync(session, order, request, cancellationToken);
        }
    }
}
