using System.Collections.Concurrent;

namespace DataRenew.Sdk.Renewal;

/// <summary>
/// The most recent entries of something that ends (finished renewals' orders, adapters' settled orders), oldest
/// forgotten first: a long-running process keeps a bounded amount, and for a while a late question about one still
/// finds its answer (a late callback, a lookup after a lost journal write, a repeated submit).
/// </summary>
internal sealed class RecentEntries<TKey, TValue>(int capacity)
    where TKey : notnull
{
    /// <summary>How many entries the SDK's users of this keep: a few hundred kilobytes at most.</summary>
    public const int DefaultCapacity = 4096;

    private readonly ConcurrentDictionary<TKey, TValue> _entries = new();
    private readonly ConcurrentQueue<TKey> _order = new();

    public void Remember(TKey key, TValue value)
    {
        if (!_entries.TryAdd(key, value))
        {
            _entries[key] = value;
            return;
        }

        _order.Enqueue(key);
        while (_order.Count > capacity && _order.TryDequeue(out var oldest))
        {
            _entries.TryRemove(oldest, out _);
        }
    }

    public bool TryFind(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);
}
