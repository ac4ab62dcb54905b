using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal.Leases;

/// <summary>
/// A lease is timed on the reader's own monotonic clock from when it first saw that version: no wall-clock
/// comparison between two machines, so a clock running ahead cannot ignore a lease and one running behind
/// cannot stall a takeover. (Regressions of the second review's findings 2 and 3.)
/// </summary>
public sealed class LeaseClockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_whose_clock_runs_six_minutes_ahead_honours_the_lease_and_does_not_order_again()
    {
        var w = new World();
        w.Carrier.HonourIdempotencyKeys = false;
        var carrier = new SlowOrderCarrier(w.Carrier, w.Time, TimeSpan.FromSeconds(30));
        var a = w.Client(carrier: carrier);
        var b = w.Client(carrier: carrier, clock: new SkewedClock(w.Time, TimeSpan.FromMinutes(6)));
        var (session, quote) = await World.QuoteAsync(a);
        var sessionB = await World.SignInAsync(b);
        var id = RenewalId.New();

        var startA = a.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa) { RenewalId = id }, Ct);
        var inFlight = (await w.Journal.GetAsync(id, Ct))!;
        Assert.Equal(RenewalState.Ordering, inFlight.State); // A's order is on the wire, 30 s to go ...
        Assert.True(inFlight.LeaseUntil < w.Time.GetUtcNow() + TimeSpan.FromMinutes(6)); // yet by B's wall clock that lease ran out a minute ago

        var resumedB = await w.AtOnceAsync(b.ResumeRenewalAsync(sessionB, id, Ct));
        Assert.Equal(RenewalState.Ordering, resumedB.State); // B leaves it alone
        Assert.Equal(1, carrier.OrdersSent);

        var operationA = await w.RunAsync(startA);
        Assert.Equal(RenewalState.Confirming, operationA.State);
        var finals = await w.RunAsync(Task.WhenAll(operationA.WaitForCompletionAsync(Ct), resumedB.WaitForCompletionAsync(Ct)));

        Assert.All(finals, f => Assert.Equal(RenewalState.Completed, f.State));
        Assert.Equal(1, carrier.OrdersSent);
        Assert.Equal(1, w.OrdersOf(id));
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Empty(w.Payments.Refunds);
    }

    [Fact]
    public async Task A_client_whose_clock_runs_an_hour_behind_takes_over_a_crashed_clients_renewal_after_one_lease_of_its_own()
    {
        var w = new World();
        var a = w.Client();
        var (session, quote) = await World.QuoteAsync(a);
        var operation = await a.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);

        // A "crashes" right after journaling its order (as SettlementTests does), lease 5 minutes by A's clock.
        var record = (await w.Journal.GetAsync(operation.Id, Ct))!;
        await w.Journal.AppendAsync(record with { Version = record.Version + 1, State = RenewalState.Ordering, LeaseOwner = "crashed", LeaseUntil = w.Time.GetUtcNow() + World.Lease }, Ct);
        var versions = (await w.HistoryAsync(operation.Id)).Length;

        var b = w.Client(clock: new SkewedClock(w.Time, TimeSpan.FromHours(-1)));
        var sessionB = await World.SignInAsync(b);
        w.Time.Advance(TimeSpan.FromMinutes(30)); // the lease ran out 25 minutes ago; B has no way to know
        var looked = await w.AtOnceAsync(b.ResumeRenewalAsync(sessionB, operation.Id, Ct));
        Assert.Equal(RenewalState.Ordering, looked.State);
        var held = await Assert.ThrowsAsync<RenewalConflictException>(() => b.AbandonRenewalAsync(sessionB, operation.Id, Ct));
        Assert.Equal<TimeSpan?>(World.Lease, held.RetryAfter); // one lease from B's first sight, not an hour

        var waiting = looked.WaitForCompletionAsync(Ct);
        await w.AdvanceAsync(World.Lease - TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(versions, (await w.HistoryAsync(operation.Id)).Length);
        Assert.Equal(0, w.Carrier.CallCount(FakeCarrierOperation.FindOrder));

        var final = await w.RunAsync(waiting);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.InRange(w.Elapsed, TimeSpan.FromMinutes(30) + World.Lease, TimeSpan.FromMinutes(30) + World.Lease + TimeSpan.FromMinutes(1));
        Assert.Equal(1, w.OrdersOf(operation.Id)); // the crashed client's order, read back
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Empty(w.Payments.Refunds);
        Assert.Empty(await b.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task An_order_slower_than_the_lease_is_not_sent_again_by_a_client_that_first_sees_it_late()
    {
        // The lease is counted from B's first sight (5 min in), so B holds off until 10 min; A's order lands at 6.
        var w = new World();
        w.Carrier.HonourIdempotencyKeys = false;
        var carrier = new SlowOrderCarrier(w.Carrier, w.Time, TimeSpan.FromMinutes(6));
        var a = w.Client(carrier: carrier);
        var b = w.Client(carrier: carrier);
        var (session, quote) = await World.QuoteAsync(a);
        var sessionB = await World.SignInAsync(b);
        var id = RenewalId.New();

        var startA = a.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa) { RenewalId = id }, Ct);
        await w.AdvanceAsync(World.Lease + TimeSpan.FromSeconds(1));
        var resumedB = await w.AtOnceAsync(b.ResumeRenewalAsync(sessionB, id, Ct));
        Assert.Equal(RenewalState.Ordering, resumedB.State);
        Assert.Equal(1, carrier.OrdersSent);

        var waitingB = resumedB.WaitForCompletionAsync(Ct);
        var operationA = await w.RunAsync(startA);
        Assert.Equal(RenewalState.Confirming, operationA.State);
        var finalB = await w.RunAsync(waitingB);

        Assert.Equal(RenewalState.Completed, finalB.State);
        Assert.Equal(1, finalB.OrderAttempts);
        Assert.Equal(1, carrier.OrdersSent);
        Assert.Equal(1, w.OrdersOf(id));
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Empty(w.Payments.Refunds);
    }
}
