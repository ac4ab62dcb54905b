using System.Collections.Concurrent;

namespace DataRenew.Sdk.Renewal;

/// <summary>
/// Leases: while the client that sent a charge, an order or a refund holds the renewal, its request may still be on the
/// wire, so nobody else (and not itself, while the answer was lost) reads back and resends. A lease's length is its
/// writer's (LeaseUntil − UpdatedAt, both on its clock) and is counted from when this client first saw that version, on
/// this client's monotonic clock: no wall-clock comparison between two machines.
/// </summary>
internal sealed class RenewalLeases(TimeProvider time, DataRenewOptions options)
{
    private readonly ConcurrentDictionary<RenewalId, (int Version, long SeenAt)> _seen = new();

    /// <summary>This client's name in leases: unique per engine, so two clients in one process are told apart too.</summary>
    public string Owner { get; } = Guid.NewGuid().ToString("N");

    /// <summary>
    /// How long the record's lease still holds for this client, or null. It binds this client too when the record says a
    /// send of ours ended without a journaled outcome, unless <paramref name="ownResendIsSafe"/>: the carrier de-duplicates
    /// by the renewal's key, so our resend cannot add an order.
    /// </summary>
    public TimeSpan? Left(RenewalRecord record, bool ownResendIsSafe = false)
    {
        if (record.LeaseOwner is not { } owner || record.LeaseUntil is not { } until || record.IsFinal)
        {
            return null;
        }

        if (owner == Owner && (ownResendIsSafe || !SentWithoutOutcome(record)))
        {
            return null;
        }

        var seen = _seen.AddOrUpdate(record.Id, _ => (record.Version, time.GetTimestamp()), (_, old) => old.Version == record.Version ? old : (record.Version, time.GetTimestamp()));
        var length = until - record.UpdatedAt;
        var left = (length > options.LeaseDuration ? length : options.LeaseDuration) - time.GetElapsedTime(seen.SeenAt);
        return left > TimeSpan.Zero ? left : null;
    }

    /// <summary>The record taken (or kept) by this client for a new lease from now.</summary>
    public RenewalRecord Take(RenewalRecord record) => record with { LeaseOwner = Owner, LeaseUntil = time.GetUtcNow() + options.LeaseDuration };

    /// <summary>A final renewal's lease is no longer watched.</summary>
    public void Forget(RenewalId id) => _seen.TryRemove(id, out _);

    /// <summary>A charge, an order or a refund was sent and nothing after it was journaled: it may still land.</summary>
    public static bool SentWithoutOutcome(RenewalRecord record) =>
        record.State is RenewalState.Charging or RenewalState.Ordering || (record.State == RenewalState.Refunding && record.RefundAttempts > 0);

    /// <summary>
    /// A failure that proves the request never left this process: our own input refused before sending, or a send the
    /// transport never saw (the kit's <see cref="CarrierUnavailableException.RequestNotSent"/>, a connection never made).
    /// </summary>
    public static bool ProvesNeverLeft(Exception ex) => ex is DataRenewValidationException or CarrierUnavailableException { RequestNotSent: true }
        || (ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError });

    /// <summary>A failure that proves the request was not acted on: only then may the lease go before it runs out.</summary>
    public static bool ProvesNothingWasSent(Exception ex) => ex is AuthenticationFailedException or RateLimitedException || ProvesNeverLeft(ex);
}
