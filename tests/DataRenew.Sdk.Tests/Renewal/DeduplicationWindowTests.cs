using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>
/// A carrier that de-duplicates orders keeps a key only for a while (<see cref="CarrierDescriptor.DeduplicationWindow"/>,
/// 24 hours unless it says otherwise): past it a resend could be a second order, and a refusal of a resend says nothing
/// about the first try. A renewal resumed after the window only looks its order up.
/// </summary>
public sealed class DeduplicationWindowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_refusal_of_a_resend_made_after_the_carriers_key_window_does_not_refund_an_order_the_carrier_applied()
    {
        // tmobile.md: "The style does not say how long a server keeps a key. A server keeps it at least as long as a client
        // may still be confirming the top-up." This carrier keeps keys a day. The first order is applied, its answer is
        // lost, and the process dies; the renewal is resumed two days later. The engine resends under the key the carrier
        // has forgotten, the carrier takes the resend for a new plan change and refuses it, and the engine reads that
        // "no" as the answer to the first try too: it refunds a renewal whose plan the carrier applied.
        Harness h = null!;
        h = new Harness(wrapCarrier: c => new KeyWindowCarrier(c, () => h.Time.GetUtcNow(), TimeSpan.FromDays(1)) { RefuseLateResend = true });
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(0));
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect, () => new OutcomeUnknownException("lost", new DataRenewErrorDetails(CarrierId.Fake)));
        var started = await h.StartAsync();
        Assert.Equal(RenewalState.Ordering, started.State);
        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine)); // the first try applied

        h.Time.Advance(TimeSpan.FromDays(2));
        var client = h.NewClient();
        var session = await h.SignInAsync(client);
        var resumed = await client.ResumeRenewalAsync(session, started.Id, Ct);
        var final = await h.RunAsync(resumed.WaitForCompletionAsync(Ct));

        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        Assert.True(h.Payments.Refunds.Count == 0, $"The renewal ended {final.State} and refunded the payment ({final.Failure?.Message}) although the carrier applied its plan.");
        Assert.NotEqual(RenewalState.Failed, final.State);
    }

    [Fact]
    public async Task A_resend_made_after_the_carriers_key_window_does_not_order_the_plan_a_second_time()
    {
        // The same carrier, the same renewal resumed two days after its first (applied) order lost its answer: the resend
        // under a forgotten key is a second plan change and a second charge at the carrier. Not introduced by the changes
        // reviewed (the engine resent without a time bound before), but the path (2) now takes without waiting.
        Harness h = null!;
        h = new Harness(wrapCarrier: c => new KeyWindowCarrier(c, () => h.Time.GetUtcNow(), TimeSpan.FromDays(1)));
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(0));
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect, () => new OutcomeUnknownException("lost", new DataRenewErrorDetails(CarrierId.Fake)));
        var started = await h.StartAsync();

        h.Time.Advance(TimeSpan.FromDays(2));
        var client = h.NewClient();
        var session = await h.SignInAsync(client);
        var resumed = await client.ResumeRenewalAsync(session, started.Id, Ct);
        var final = await h.RunAsync(resumed.WaitForCompletionAsync(Ct));

        Assert.True(h.Carrier.SubmittedOrders.Count == 1, $"The renewal ended {final.State} after {h.Carrier.SubmittedOrders.Count} carrier orders for one payment.");
    }

    /// <summary>
    /// A carrier that de-duplicates by key for a window only (the style sets no length): within it a resend is replayed or
    /// looked up; after it the key is gone, a lookup by it finds nothing and a resend is a new plan change (refused, with
    /// <see cref="RefuseLateResend"/>, as a carrier refuses a line's extra plan change).
    /// </summary>
    internal sealed class KeyWindowCarrier(FakeCarrier carrier, Func<DateTimeOffset> now, TimeSpan window) : DelegatingCarrier(carrier)
    {
        private readonly FakeCarrier _carrier = carrier;
        private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);

        public bool RefuseLateResend { get; init; }

        public override async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
        {
            if (!Forgotten(request, remember: true))
            {
                return await base.SubmitAsync(session, request, cancellationToken);
            }

            _carrier.HonourIdempotencyKeys = false;
            try
            {
                if (RefuseLateResend)
                {
                    _carrier.EnqueueOrder(FakeOrderScript.Refuse());
                }

                return await base.SubmitAsync(session, request, cancellationToken);
            }
            finally
            {
                _carrier.HonourIdempotencyKeys = true;
            }
        }

        public override Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default) =>
            Forgotten(request, remember: false) ? Task.FromResult<CarrierOrder?>(null) : base.FindByRenewalAsync(session, request, cancellationToken);

        private bool Forgotten(CarrierOrderRequest request, bool remember)
        {
            lock (_firstSeen)
            {
                if (_firstSeen.TryGetValue(request.IdempotencyKey, out var first))
                {
                    return now() - first > window;
                }

                if (remember)
                {
                    _firstSeen[request.IdempotencyKey] = now();
                }

                return false;
            }
        }
    }
}
