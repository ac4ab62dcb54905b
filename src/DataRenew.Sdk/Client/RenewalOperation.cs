using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;

namespace DataRenew.Sdk;

/// <summary>
/// A renewal in progress, identified by <see cref="Id"/>. Wait for it, poll it step by step, or drop it
/// and resume it later by id, from this or another client and process: the journal keeps its state.
/// </summary>
public class RenewalOperation
{
    private readonly RenewalEngine? _engine;
    private readonly RenewalContext? _context;
    private RenewalRecord? _current;

    /// <summary>For mocking.</summary>
    protected RenewalOperation() { }

    internal RenewalOperation(RenewalEngine engine, RenewalContext context, RenewalRecord current)
    {
        _engine = engine;
        _context = context;
        _current = current;
    }

    /// <summary>The renewal's id: keep it to resume the renewal later.</summary>
    public virtual RenewalId Id => Current.Id;

    /// <summary>The renewal as last read or written.</summary>
    public virtual RenewalRecord Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("This operation was created for mocking.");

    /// <summary>Where the renewal stands.</summary>
    public virtual RenewalState State => Current.State;

    /// <summary>Whether the renewal reached a final state (Completed, Failed or NeedsAttention).</summary>
    public virtual bool HasCompleted => Current.IsFinal;

    /// <summary>What the app must show the payer, while the payment awaits their action.</summary>
    public virtual PayerAction? PayerAction => Current.State == RenewalState.AwaitingPayerAction ? Current.PayerAction : null;

    /// <summary>The receipt, once completed.</summary>
    public virtual RenewalReceipt? Receipt => Current.Receipt;

    /// <summary>Does what can be done now (at most one status poll, no waiting) and returns where the renewal stands.</summary>
    public virtual Task<RenewalRecord> UpdateStatusAsync(CancellationToken cancellationToken = default) => DriveAsync(DriveMode.PollOnce, null, cancellationToken);

    /// <summary>
    /// Drives the renewal to a final state, polling with backoff. Cancelling stops the wait, not the
    /// renewal: wait again or resume it by id later.
    /// </summary>
    /// <returns>The final record: check <see cref="RenewalRecord.State"/>; a failed renewal is a result, not an exception.</returns>
    public virtual Task<RenewalRecord> WaitForCompletionAsync(CancellationToken cancellationToken = default) => DriveAsync(DriveMode.UntilFinal, null, cancellationToken);

    /// <summary>Like <see cref="WaitForCompletionAsync(CancellationToken)"/>, reporting every state the renewal goes through.</summary>
    public virtual Task<RenewalRecord> WaitForCompletionAsync(IProgress<RenewalRecord>? progress, CancellationToken cancellationToken = default) => DriveAsync(DriveMode.UntilFinal, progress, cancellationToken);

    internal async Task<RenewalRecord> DriveAsync(DriveMode mode, IProgress<RenewalRecord>? progress, CancellationToken cancellationToken)
    {
        if (_engine is null || _context is null)
        {
            throw new InvalidOperationException("This operation was created for mocking.");
        }

        // Every journal write is reported, so Current stays true even when the drive stops with an error.
        var record = await _engine.DriveAsync(Current.Id, _context, mode, new Progress(this, progress), cancellationToken).ConfigureAwait(false);
        Publish(record);
        return record;
    }

    // Two drives of one operation (a UI poll and a wait) may finish out of order: never go back to an older version.
    private void Publish(RenewalRecord record)
    {
        RenewalRecord? seen;
        do
        {
            seen = Volatile.Read(ref _current);
            if (seen is not null && seen.Version >= record.Version)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _current, record, seen) != seen);
    }

    /// <summary>Shows the id and the state.</summary>
    public override string ToString() => _current is null ? "RenewalOperation (mock)" : $"Renewal {Current.Id}: {Current.State}";

    private sealed class Progress(RenewalOperation operation, IProgress<RenewalRecord>? inner) : IProgress<RenewalRecord>
    {
        public void Report(RenewalRecord value)
        {
            operation.Publish(value);
            inner?.Report(value);
        }
    }
}
