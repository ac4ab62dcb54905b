namespace DataRenew.Sdk.Renewal;

/// <summary>
/// Where renewals are recorded, one version per step, before and after each side effect, so a renewal
/// interrupted at any point is resumed or reconciled instead of paying or ordering twice.
/// </summary>
/// <remarks>
/// Implementations must be safe for concurrent use and must refuse a write whose
/// <see cref="RenewalRecord.Version"/> is not exactly one more than the last one with
/// <see cref="RenewalConflictException"/>: that is what keeps two drivers of one renewal from both
/// acting on the same version.
/// </remarks>
public interface IRenewalJournal
{
    /// <summary>Appends a version. Version 1 creates the renewal.</summary>
    /// <exception cref="RenewalConflictException">Another version was written first.</exception>
    Task AppendAsync(RenewalRecord record, CancellationToken cancellationToken = default);

    /// <summary>The latest version, or <see langword="null"/> when the renewal is unknown.</summary>
    Task<RenewalRecord?> GetAsync(RenewalId id, CancellationToken cancellationToken = default);

    /// <summary>Every version of a renewal, oldest first.</summary>
    IAsyncEnumerable<RenewalRecord> GetHistoryAsync(RenewalId id, CancellationToken cancellationToken = default);

    /// <summary>The latest version of every renewal that is not final.</summary>
    IAsyncEnumerable<RenewalRecord> ListUnfinishedAsync(CancellationToken cancellationToken = default);
}

/// <summary>Another writer recorded a version of the renewal first; re-read it and go on from there.</summary>
public sealed class RenewalConflictException : DataRenewException
{
    /// <summary>Creates the error.</summary>
    public RenewalConflictException(RenewalId id, int expectedVersion, int actualVersion)
        : base($"Renewal '{id}' is at version {actualVersion}, not {expectedVersion - 1}: another client is driving it.", new DataRenewErrorDetails(IsTransient: true))
    {
        RenewalId = id;
    }

    /// <summary>Creates the error for a renewal another client holds: its request may still be on the wire.</summary>
    public RenewalConflictException(RenewalId id, TimeSpan leaseLeft)
        : base($"Renewal '{id}' is held by a client whose last request may still be on the wire; try again in {Math.Ceiling(leaseLeft.TotalSeconds)} s.",
            new DataRenewErrorDetails(IsTransient: true, RetryAfter: leaseLeft))
    {
        RenewalId = id;
    }

    /// <summary>The renewal.</summary>
    public RenewalId RenewalId { get; }
}

/// <summary>A journal in memory: for tests, demos, and apps that accept losing renewals with the process.</summary>
public sealed class InMemoryRenewalJournal : IRenewalJournal
{
    private readonly Dictionary<RenewalId, List<RenewalRecord>> _renewals = [];
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public Task AppendAsync(RenewalRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            var current = _renewals.TryGetValue(record.Id, out var history) ? history[^1].Version : 0;
            if (record.Version != current + 1)
            {
                throw new RenewalConflictException(record.Id, record.Version, current);
            }

            if (history is null)
            {
                _renewals[record.Id] = history = [];
            }

            history.Add(record);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<RenewalRecord?> GetAsync(RenewalId id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_renewals.TryGetValue(id, out var history) ? history[^1] : null);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RenewalRecord> GetHistoryAsync(RenewalId id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return (_renewals.TryGetValue(id, out var history) ? history.ToArray() : []).ToAsyncEnumerable();
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RenewalRecord> ListUnfinishedAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _renewals.Values.Select(h => h[^1]).Where(r => !r.IsFinal).ToArray().ToAsyncEnumerable();
        }
    }
}
