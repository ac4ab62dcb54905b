using System.Collections.Concurrent;

namespace DataRenew.Sdk.Renewal;

/// <summary>
/// The orders of the renewals this client finished most recently, oldest forgotten first: memory stays bounded in a
/// long-running process, and a callback that arrives after a poll ended its renewal is recognised.
/// </summary>
internal sealed class FinishedOrders(int capacity)
{
    private readonly ConcurrentDictionary<(CarrierId Carrier, string OrderId), RenewalId> _byOrder = new();
    private readonly ConcurrentQueue<(CarrierId Carrier, string OrderId)> _order = new();

    public void Remember(CarrierId carrier, string orderId, RenewalId renewal)
    {
        if (!_byOrder.TryAdd((carrier, orderId), renewal))
        {
            return;
        }

        _order.Enqueue((carrier, orderId));
        while (_order.Count > capacity && _order.TryDequeue(out var oldest))
        {
            _byOrder.TryRemove(oldest, out _);
        }
    }

    public RenewalId? Find(CarrierId carrier, string orderId) => _byOrder.TryGetValue((carrier, orderId), out var renewal) ? renewal : null;
}
