using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal.Leases;

/// <summary>
/// A client held up past its lease (a GC pause, a suspended VM, a laptop lid) whose charge or order then goes through:
/// nothing may end a renewal as "no money moved" while its charge can still land, and a result that arrives after the
/// renewal ended is given back or raised for a person, never dropped.
/// </summary>
public sealed class LateOutcomeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_charge_that_lands_after_another_client_abandoned_the_renewal_is_refunded_and_recorded()
    {
        var w = new World();
        var stalled = new StalledChargeGateway(w.Payments, w.Time, World.Lease + TimeSpan.FromMinutes(1));
        var a = w.Client(gateway: stalled);
        var (session, quote) = await World.QuoteAsync(a);
        var starting = a.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        await stalled.Entered.WaitAsync(Ct); // A journaled Charging, then stalled before its charge reached the gateway
        var id = (await w.Journal.ListUnfinishedAsync(Ct).SingleAsync(Ct)).Id;

        var b = w.Client();
        var bSession = await World.SignInAsync(b);
        await Assert.ThrowsAsync<RenewalConflictException>(() => b.AbandonRenewalAsync(bSession, id, Ct)); // A's lease, from B's first sight
        await w.AdvanceAsync(World.Lease + TimeSpan.FromSeconds(1));
        var abandoned = await b.AbandonRenewalAsync(bSession, id, Ct);
        await w.AdvanceAsync(TimeSpan.FromMinutes(1)); // A wakes: its charge goes through, its journal write conflicts
        await w.RunAsync(starting);

        var final = (await w.Journal.GetAsync(id, Ct))!;
        Assert.Equal(RenewalState.NeedsAttention, abandoned.State); // B cannot know the charge will not land: not "no money moved"
        Assert.Equal(1, w.Payments.SucceededCharges());
        var refund = Assert.Single(w.Payments.Refunds);
        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(refund.RefundId, final.RefundId);
        Assert.Equal(w.Payments.Charges.Single().PaymentId, final.PaymentId);
        Assert.Contains("after this renewal had ended", final.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_order_that_lands_after_the_renewal_ended_is_recorded_on_it_for_a_person()
    {
        // A carrier without keys: after A's lease B only looks the order up, and gives up at the confirmation deadline.
        var w = new World(new FakeCarrierOptions { DeduplicatesOrders = false });
        w.Carrier.HonourIdempotencyKeys = false;
        var stalled = new StalledOrderCarrier(w.Carrier, w.Time, World.Lease + TimeSpan.FromMinutes(45));
        var a = w.Client(carrier: stalled);
        var (session, quote) = await World.QuoteAsync(a);
        var starting = a.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        await stalled.Entered.WaitAsync(Ct);
        var id = (await w.Journal.ListUnfinishedAsync(Ct).SingleAsync(Ct)).Id;

        var b = w.Client(carrier: new BlindCarrier(w.Carrier));
        await w.AdvanceAsync(World.Lease + TimeSpan.FromSeconds(1));
        var ended = await w.RunAsync((await b.ResumeRenewalAsync(await World.SignInAsync(b), id, Ct)).WaitForCompletionAsync(Ct), TimeSpan.FromSeconds(10));
        await w.AdvanceAsync(TimeSpan.FromMinutes(15)); // A wakes: its order goes through after the renewal ended
        await w.RunAsync(starting);

        var final = (await w.Journal.GetAsync(id, Ct))!;
        Assert.Equal(RenewalState.NeedsAttention, ended.State);
        Assert.Equal(RenewalFailureKind.ConfirmationTimedOut, ended.Failure!.Kind);
        var order = Assert.Single(w.Carrier.SubmittedOrders);
        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(order.OrderId, final.Order?.OrderId);
        Assert.Contains(order.OrderId, final.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_success_the_carrier_reports_after_the_renewal_needed_attention_completes_it_with_a_receipt()
    {
        var h = new Harness(o => (o.ConfirmationTimeout, o.LeaseDuration) = (TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1)));
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(100_000));
        var timedOut = await h.RunAsync((await h.StartAsync()).WaitForCompletionAsync(Ct));
        Assert.Equal(RenewalState.NeedsAttention, timedOut.State);

        var (after, changed) = await h.Client.CallbackEngine.ApplyOrderStatusAsync(
            timedOut.Id, timedOut.Order! with { Status = CarrierOrderStatus.Completed, ConfirmationNumber = "CNF-LATE" }, "Fake support", Ct);

        Assert.True(changed);
        Assert.Equal(RenewalState.Completed, after.State);
        Assert.Equal("CNF-LATE", after.Receipt?.ConfirmationNumber);
        Assert.Null(after.Failure);
    }

    [Fact]
    public async Task A_gateway_that_never_answers_is_given_up_on_at_the_payment_call_bound_and_read_back_before_a_resend()
    {
        var w = new World();
        var silent = new SilentFirstChargeGateway(w.Payments);
        var app = w.Client(gateway: silent);
        var (session, quote) = await World.QuoteAsync(app);

        var starting = app.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        await w.AdvanceAsync(new DataRenewOptions().EffectivePaymentCallTimeout);
        var operation = await starting.WaitAsync(TimeSpan.FromSeconds(30), Ct); // given up on at the bound: no more clock needed
        var final = await w.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(2, silent.ChargeCalls);
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Equal(2, final.ChargeAttempts); // read back by key (nothing), then sent again with the same key
    }

    /// <summary>The first charge stalls (ignoring every timeout, as a suspended process would) and then goes through.</summary>
    private sealed class StalledChargeGateway(FakePaymentGateway inner, TimeProvider time, TimeSpan stall) : DelegatingPaymentGateway(inner)
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _charges;

        public Task Entered => _entered.Task;

        public override async Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _charges) == 1)
            {
                _entered.TrySetResult();
                await Task.Delay(stall, time, CancellationToken.None).ConfigureAwait(false);
                return await base.ChargeAsync(request, CancellationToken.None).ConfigureAwait(false);
            }

            return await base.ChargeAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The first order stalls (ignoring every timeout) and then goes through.</summary>
    private sealed class StalledOrderCarrier(FakeCarrier inner, TimeProvider time, TimeSpan stall) : DelegatingCarrier(inner)
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public override async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
        {
            _entered.TrySetResult();
            await Task.Delay(stall, time, CancellationToken.None).ConfigureAwait(false);
            return await base.SubmitAsync(session, request, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A carrier that cannot look an order up by renewal.</summary>
    private sealed class BlindCarrier(FakeCarrier inner) : DelegatingCarrier(inner)
    {
        public override Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult<CarrierOrder?>(null);
    }

    /// <summary>The first charge never answers (until cancelled); later ones pass through.</summary>
    private sealed class SilentFirstChargeGateway(FakePaymentGateway inner) : DelegatingPaymentGateway(inner)
    {
        private int _charges;

        public int ChargeCalls => Volatile.Read(ref _charges);

        public override async Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _charges) == 1)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }

            return await base.ChargeAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
