using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk.Renewal;

/// <summary>
/// The order statuses carrier callbacks posted for one renewal, waiting for its gate: whoever holds the gate applies
/// them (a waiting drive, woken by <see cref="Signal"/>, or the poster itself). Closed (never posted to again) once the
/// renewal is final and the inbox is empty.
/// </summary>
internal sealed class CallbackInbox
{
    private readonly Lock _lock = new();
    private readonly List<Posted> _items = [];
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _closed;

    public bool HasItems
    {
        get
        {
            lock (_lock)
            {
                return _items.Count > 0;
            }
        }
    }

    /// <summary>Completes when a status is posted (cuts a drive's pause short).</summary>
    public Task Signal
    {
        get
        {
            lock (_lock)
            {
                return _signal.Task;
            }
        }
    }

    public bool TryPost(Posted posted)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            _items.Add(posted);
            _signal.TrySetResult();
            return true;
        }
    }

    public Posted[] Take()
    {
        lock (_lock)
        {
            var taken = _items.ToArray();
            _items.Clear();
            if (_signal.Task.IsCompleted)
            {
                _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return taken;
        }
    }

    public bool TryClose()
    {
        lock (_lock)
        {
            _closed = _items.Count == 0;
            return _closed;
        }
    }

    /// <summary>An order status a callback reported, and the poster waiting to learn what it did.</summary>
    internal sealed class Posted(CarrierOrder order, string supportContact)
    {
        public CarrierOrder Order { get; } = order;

        public string SupportContact { get; } = supportContact;

        public TaskCompletionSource<(RenewalRecord Record, bool Changed)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
