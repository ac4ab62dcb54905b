namespace DataRenew.Sdk.Testing;

/// <summary>When a scripted fault strikes, relative to the call's effect.</summary>
public enum FaultTiming
{
    /// <summary>The call fails before it has any effect (the request never arrived).</summary>
    BeforeEffect,

    /// <summary>The call has its effect, then fails (the answer was lost): the case that tempts a client to repeat a charge or an order.</summary>
    AfterEffect,
}

/// <summary>Faults scripted per operation, consumed in order. Thread-safe.</summary>
internal sealed class FaultScript<TOperation> where TOperation : struct, Enum
{
    private readonly List<(TOperation Operation, FaultTiming Timing, Func<Exception> Fault)> _faults = [];
    private readonly Lock _gate = new();

    public void Add(TOperation operation, FaultTiming timing, Func<Exception> fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
        {
            _faults.Add((operation, timing, fault));
        }
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
