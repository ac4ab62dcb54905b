using System.Collections.Concurrent;
using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk.Carriers;

/// <summary>
/// The orders an adapter without idempotency keys settled most recently, by renewal, oldest forgotten first. A settled
/// order leaves the adapter's live map (a long-running process must not keep every renewal), but for a while the same
/// renewal submitted again is answered with it instead of a second plan change, and looked up after the engine's
/// journal write of its outcome was lost, it is still found (the line cannot tell a renewal to the plan it already had).
/// </summary>
internal sealed class SettledOrders(int capacity)
{
    /// <summary>How many settled orders an adapter keeps (a few hundred kilobytes at most).</summary>
    public const int DefaultCapacity = 4096;

    private readonly ConcurrentDictionary<RenewalId, CarrierOrder> _byRenewal = new();
    private readonly ConcurrentQueue<RenewalId> _order = new();

    public void Remember(RenewalId renewal, CarrierOrder order)
    {
        if (!_byRenewal.TryAdd(renewal, order))
        {
            _byRenewal[renewal] = order;
            return;
        }

        _order.Enqueue(renewal);
        while (_order.Count > capacity && _order.TryDequeue(out var oldest))
        {
            _byRenewal.TryRemove(oldest, out _);
        }
    }

    public CarrierOrder? Find(RenewalId renewal) => _byRenewal.TryGetValue(renewal, out var order) ? order : null;
}
