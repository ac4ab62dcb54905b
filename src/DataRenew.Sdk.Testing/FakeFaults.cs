namespace DataRenew.Sdk.Testing;

/// <summary>When a scripted fault strikes, relative to the call's effect.</summary>
public enum FaultTiming
{
    /// <summary>The call fails before it has any effect (the request never arrived).</summary>
    BeforeEffect,

    /// <summary>The call has its effect, then fails (the answer was lost): the case that tempts a client to repeat a charge or an order.</summary>
    AfterEffect,
}

/// <summary>
/// What both fakes do on every call: record it, wait out the scripted latency on the fake's clock, and
/// throw the faults scripted for it (consumed in order). Thread-safe.
/// </summary>
internal sealed class FakeCallLog<TOperation>(TimeProvider time) where TOperation : struct, Enum
{
    private readonly List<TOperation> _calls = [];
    private readonly List<(TOperation Operation, FaultTiming Timing, Func<Exception> Fault)> _faults = [];
    private readonly Lock _gate = new();

    public TimeSpan Latency { get; set; }

    public IReadOnlyList<TOperation> Calls
    {
        get
        {
            lock (_gate)
            {
                return _calls.ToArray();
            }
        }
    }

    public int Count(TOperation operation)
    {
        lock (_gate)
        {
            return _calls.Count(c => EqualityComparer<TOperation>.Default.Equals(c, operation));
        }
    }

    public void AddFault(TOperation operation, FaultTiming timing, Func<Exception>? fault)
    {
        lock (_gate)
        {
            _faults.Add((operation, timing, fault ?? (() => new FakeConnectionLostException(operation.ToString()))));
        }
    }

    /// <summary>The start of every call: recorded, delayed, and failed if a fault before its effect is scripted.</summary>
    public async Task EnterAsync(TOperation operation, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _calls.Add(operation);
        }

        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, time, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfScripted(operation, FaultTiming.BeforeEffect);
    }

    public void ThrowIfScripted(TOperation operation, FaultTiming timing)
    {
        Func<Exception>? fault = null;
        lock (_gate)
        {
            var index = _faults.FindIndex(f => EqualityComparer<TOperation>.Default.Equals(f.Operation, operation) && f.Timing == timing);
            if (index >= 0)
            {
                fault = _faults[index].Fault;
                _faults.RemoveAt(index);
            }
        }

        if (fault is not null)
        {
            throw fault();
        }
    }
}

/// <summary>The exception a fake throws by default for an injected fault: a lost connection.</summary>
public sealed class FakeConnectionLostException : HttpRequestException
{
    /// <summary>Creates the exception.</summary>
    public FakeConnectionLostException(string operation)
        : base($"The connection was lost during {operation} (injected fault).")
    {
    }
}
