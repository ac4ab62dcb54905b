using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal.Leases;

/// <summary>
/// A charge or an order whose answer was lost (OutcomeUnknownException: a timeout, a cancelled request, a 504)
/// may still land. The lease it took holds the renewal for every client, the sender included, until it runs
/// out on the reader's own clock: nobody reads back, resends or abandons meanwhile, and afterwards the
/// outcome is read back instead of repeated. (Regressions of the second review's finding 1.)
/// </summary>
public sealed class LeaseHeldWhileOutcomeUnknownTests
{
    private static readonly TimeSpan LandsAfter = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Another_client_cannot_abandon_a_charge_still_on_the_wire()
    {
        // A fully compliant gateway (honours keys): the engine alone decides this.
        var w = new World();
        var gateway = new LateLandingChargeGateway(w.Payments, w.Time, LandsAfter);
        var app = w.Client(gateway: gateway);
        var (session, quote) = await World.QuoteAsync(app);
        var operation = await app.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa) { RenewalId = RenewalId.New() }, Ct);
        Assert.Equal(RenewalState.Charging, operation.State);
        Assert.NotNull((await w.Journal.GetAsync(operation.Id, Ct))!.LeaseOwner); // still held: the charge is in flight

        var sweeper = w.Client(gateway: gateway);
        var sweeperSession = await World.SignInAsync(sweeper);
        var held = await Assert.ThrowsAsync<RenewalConflictException>(() => sweeper.AbandonRenewalAsync(sweeperSession, operation.Id, Ct));
        Assert.Equal(World.Lease, held.RetryAfter); // a whole lease, from the sweeper's first sight

        w.Time.Advance(LandsAfter); // the charge lands
        await gateway.Landing!;
        Assert.Equal(1, w.Payments.SucceededCharges());

        // One second before the lease runs out on the sweeper's clock it still holds.
        await w.AdvanceAsync(World.Lease - LandsAfter - TimeSpan.FromSeconds(1));
        var stillHeld = await Assert.ThrowsAsync<RenewalConflictException>(() => sweeper.AbandonRenewalAsync(sweeperSession, operation.Id, Ct));
        Assert.Equal(TimeSpan.FromSeconds(1), stillHeld.RetryAfter);

        // Once it ran out, the sweeper reads the charge back: money moved, so it refuses to abandon ...
        await w.AdvanceAsync(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<DataRenewValidationException>(() => sweeper.AbandonRenewalAsync(sweeperSession, operation.Id, Ct));
        Assert.Equal(RenewalState.Charging, (await w.Journal.GetAsync(operation.Id, Ct))!.State);

        // ... and resuming settles it with the one charge.
        var resumed = await sweeper.ResumeRenewalAsync(sweeperSession, operation.Id, Ct);
        var final = await w.RunAsync(resumed.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(1, final.ChargeAttempts);
        Assert.Single(w.Payments.Charges);
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Equal(1, gateway.ChargesSent);
        Assert.Equal(1, w.OrdersOf(operation.Id));
        Assert.Empty(w.Payments.Refunds);
        Assert.Empty(await app.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task The_app_that_sent_a_charge_cannot_abandon_it_while_it_may_still_land()
    {
        var w = new World();
        var gateway = new LateLandingChargeGateway(w.Payments, w.Time, LandsAfter);
        var app = w.Client(gateway: gateway);
        var (session, quote) = await World.QuoteAsync(app);
        var operation = await app.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        Assert.Equal(RenewalState.Charging, operation.State);

        // Its own lease binds the sender too: its answer was lost, so the charge may still be on the wire.
        var held = await Assert.ThrowsAsync<RenewalConflictException>(() => app.AbandonRenewalAsync(session, operation.Id, Ct));
        Assert.Equal(World.Lease, held.RetryAfter);
        w.Time.Advance(LandsAfter);
        await gateway.Landing!;
        await Assert.ThrowsAsync<RenewalConflictException>(() => app.AbandonRenewalAsync(session, operation.Id, Ct));

        await w.AdvanceAsync(World.Lease - LandsAfter);
        await Assert.ThrowsAsync<DataRenewValidationException>(() => app.AbandonRenewalAsync(session, operation.Id, Ct)); // money moved
        var final = await w.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Null(final.Failure);
        Assert.Single(w.Payments.Charges);
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Equal(1, w.OrdersOf(operation.Id));
        Assert.Empty(w.Payments.Refunds);
    }

    [Fact]
    public async Task A_second_client_resuming_right_after_an_unknown_charge_outcome_waits_out_the_lease_and_reads_the_charge_back_instead_of_charging_again()
    {
        var w = new World();
        w.Payments.HonourIdempotencyKeys = false; // a second charge would move money twice
        var gateway = new LateLandingChargeGateway(w.Payments, w.Time, LandsAfter);
        var a = w.Client(gateway: gateway);
        var (session, quote) = await World.QuoteAsync(a);
        var operation = await a.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        Assert.Equal(RenewalState.Charging, operation.State);
        var versions = (await w.HistoryAsync(operation.Id)).Length;

        var b = w.Client(gateway: gateway);
        var sessionB = await World.SignInAsync(b);
        var resumed = await w.AtOnceAsync(b.ResumeRenewalAsync(sessionB, new ResumeRenewalRequest(operation.Id) { PaymentMethod = Harness.Visa }, Ct));
        Assert.Equal(RenewalState.Charging, resumed.State); // B leaves it alone ...
        Assert.Equal(1, gateway.ChargesSent);

        var waiting = resumed.WaitForCompletionAsync(Ct);
        await w.AdvanceAsync(World.Lease - TimeSpan.FromSeconds(1)); // the charge lands at 30 s; the lease runs out at 5 min
        await gateway.Landing!;
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, gateway.ChargesSent);                           // ... sends nothing before the lease runs out ...
        Assert.Equal(versions, (await w.HistoryAsync(operation.Id)).Length); // ... and writes nothing while it waits.

        var final = await w.RunAsync(waiting);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(1, final.ChargeAttempts);
        Assert.Single(w.Payments.Charges);
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Equal(1, gateway.ChargesSent);
        Assert.Equal(1, w.OrdersOf(operation.Id));
        Assert.Empty(w.Payments.Refunds);
        Assert.InRange(w.Elapsed, World.Lease, World.Lease + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_second_client_resuming_right_after_an_unknown_order_outcome_waits_out_the_lease_and_finds_the_order_instead_of_ordering_again()
    {
        var w = new World();
        w.Carrier.HonourIdempotencyKeys = false; // a second order would be a second order
        var carrier = new LateLandingOrderCarrier(w.Carrier, w.Time, LandsAfter);
        var a = w.Client(carrier: carrier);
        var (session, quote) = await World.QuoteAsync(a);
        var operation = await a.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        Assert.Equal(RenewalState.Ordering, operation.State);
        Assert.NotNull(operation.Current.LeaseOwner); // held: the order may still land
        var versions = (await w.HistoryAsync(operation.Id)).Length;

        var b = w.Client(carrier: carrier);
        var sessionB = await World.SignInAsync(b);
        var resumed = await w.AtOnceAsync(b.ResumeRenewalAsync(sessionB, operation.Id, Ct));
        Assert.Equal(RenewalState.Ordering, resumed.State);

        var waiting = resumed.WaitForCompletionAsync(Ct);
        await w.AdvanceAsync(World.Lease - TimeSpan.FromSeconds(1));
        await carrier.Landing!;
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, carrier.OrdersSent);
        Assert.Equal(0, w.Carrier.CallCount(FakeCarrierOperation.FindOrder)); // not even read back before the lease ran out
        Assert.Equal(versions, (await w.HistoryAsync(operation.Id)).Length);

        var final = await w.RunAsync(waiting);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(1, final.OrderAttempts);
        Assert.Equal(1, carrier.OrdersSent);
        Assert.Equal(1, w.OrdersOf(operation.Id));
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Empty(w.Payments.Refunds);
        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, w.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        Assert.InRange(w.Elapsed, World.Lease, World.Lease + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task An_app_waiting_on_its_own_renewal_does_not_order_again_while_its_first_order_may_still_land()
    {
        // A carrier without order keys: only then could a resend add an order (one with keys is resent at once, see
        // CarrierStylesTests), so only then does the app wait out its own lease.
        var w = new World(new FakeCarrierOptions { DeduplicatesOrders = false });
        w.Carrier.HonourIdempotencyKeys = false;
        var carrier = new LateLandingOrderCarrier(w.Carrier, w.Time, LandsAfter);
        var app = w.Client(carrier: carrier);
        var (session, quote) = await World.QuoteAsync(app);
        var operation = await app.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        Assert.Equal(RenewalState.Ordering, operation.State);
        var versions = (await w.HistoryAsync(operation.Id)).Length;

        var waiting = operation.WaitForCompletionAsync(Ct);
        await w.AdvanceAsync(World.Lease - TimeSpan.FromSeconds(1));
        await carrier.Landing!;
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, carrier.OrdersSent);
        Assert.Equal(0, w.Carrier.CallCount(FakeCarrierOperation.FindOrder));
        Assert.Equal(versions, (await w.HistoryAsync(operation.Id)).Length);

        var final = await w.RunAsync(waiting);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(1, final.OrderAttempts);
        Assert.Equal(1, carrier.OrdersSent);
        Assert.Equal(1, w.OrdersOf(operation.Id));
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Empty(w.Payments.Refunds);
        Assert.InRange(w.Elapsed, World.Lease, World.Lease + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_renewal_whose_late_order_failed_is_refunded_once_and_never_while_a_resent_order_applies_the_plan()
    {
        // The carrier fails the first order it takes and would complete a second: a resend racing the late
        // order would refund a renewal whose plan then applies. Waiting out the lease, B finds the one order.
        var w = new World();
        w.Carrier.HonourIdempotencyKeys = false;
        w.Carrier.EnqueueOrder(FakeOrderScript.FailAfter(0)).EnqueueOrder(FakeOrderScript.CompleteAfter(0));
        var planBefore = w.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine);
        var carrier = new LateLandingOrderCarrier(w.Carrier, w.Time, LandsAfter);
        var a = w.Client(carrier: carrier);
        var (session, quote) = await World.QuoteAsync(a);
        var operation = await a.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        Assert.Equal(RenewalState.Ordering, operation.State);

        var b = w.Client(carrier: carrier);
        var sessionB = await World.SignInAsync(b);
        var resumed = await w.AtOnceAsync(b.ResumeRenewalAsync(sessionB, operation.Id, Ct));
        Assert.Equal(RenewalState.Ordering, resumed.State);
        var waiting = resumed.WaitForCompletionAsync(Ct);
        await w.AdvanceAsync(World.Lease - TimeSpan.FromSeconds(1));
        await carrier.Landing!;
        Assert.Equal(1, carrier.OrdersSent);
        Assert.Empty(w.Payments.Refunds);

        var final = await w.RunAsync(waiting);

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.CarrierFailed, final.Failure?.Kind);
        Assert.True(final.WasRefunded);
        Assert.Equal(1, carrier.OrdersSent);
        var order = Assert.Single(w.Carrier.SubmittedOrders, o => o.RenewalId == operation.Id);
        Assert.Equal(CarrierOrderStatus.Failed, order.Status);
        Assert.Equal(planBefore, w.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine)); // the plan did not apply ...
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Single(w.Payments.Refunds);                                                 // ... and the one charge was given back once
    }

    [Fact]
    public async Task A_resent_charge_declined_after_a_lost_answer_needs_attention_because_the_first_charge_may_still_land()
    {
        // The first charge is slower than the lease (it lands at 6 min): after the lease the engine finds
        // nothing and resends, and the gateway (no idempotency) declines the resend as a duplicate.
        // That decline says nothing about the first charge, so the renewal must not fail as "no money moved".
        var landsAfter = World.Lease + TimeSpan.FromMinutes(1);
        var w = new World();
        var gateway = new LateLandingThenDeclinesGateway(w.Payments, w.Time, landsAfter);
        var app = w.Client(gateway: gateway);
        var (session, quote) = await World.QuoteAsync(app);
        var operation = await app.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        Assert.Equal(RenewalState.Charging, operation.State);

        var waiting = operation.WaitForCompletionAsync(Ct);
        await w.AdvanceAsync(World.Lease - TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, gateway.ChargesSent); // nothing resent before its own lease ran out

        var final = await w.RunAsync(waiting);
        Assert.True(await w.AdvanceUntilAsync(gateway.Landing!, TimeSpan.FromSeconds(1)));

        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(RenewalFailureKind.PaymentDeclined, final.Failure?.Kind);
        Assert.Contains(final.PaymentIdempotencyKey, final.Failure!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("no money moved", final.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, final.ChargeAttempts);
        Assert.Equal(2, gateway.ChargesSent);
        Assert.InRange(w.Elapsed, World.Lease, landsAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(1, w.Payments.SucceededCharges()); // the first charge did land: a person must look
        Assert.Empty(w.Carrier.SubmittedOrders);
        Assert.Empty(w.Payments.Refunds);
    }

    /// <summary>The first charge lands late (unknown outcome); a resend is declined as a duplicate by a gateway without idempotency.</summary>
    private sealed class LateLandingThenDeclinesGateway(FakePaymentGateway inner, TimeProvider time, TimeSpan landsAfter) : DelegatingPaymentGateway(inner)
    {
        private readonly LateLandingChargeGateway _first = new(inner, time, landsAfter);
        private int _charges;

        public int ChargesSent => Volatile.Read(ref _charges);

        public Task? Landing => _first.Landing;

        public override Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _charges) == 1
                ? _first.ChargeAsync(request, cancellationToken)
                : throw new PaymentDeclinedException(new PaymentDecline("duplicate_transaction", "A charge like this one was just made."));
    }
}
