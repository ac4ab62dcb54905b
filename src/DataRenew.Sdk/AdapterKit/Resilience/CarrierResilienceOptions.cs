using System.ComponentModel.DataAnnotations;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// How an adapter's calls are bounded and retried. Bound from configuration with the adapter's options
/// (for example <c>DataRenew:Verizon:Resilience:AttemptTimeout</c>).
/// </summary>
public sealed class CarrierResilienceOptions
{
    /// <summary>The longest one attempt may take, the body included. Default 10 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest one call may take across its retries and waits. Default 45 s. Must stay well under
    /// <c>DataRenewOptions.LeaseDuration</c>: a send still in flight after the lease could be repeated by another client.
    /// </summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Retries after the first attempt, for requests that are safe to repeat. Default 3; 0 turns retries off.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// Retries of a call the carrier throttled (429), whatever the request does: a throttled request was refused before
    /// it was acted on. The wait is the answer's <c>Retry-After</c>, or the jittered backoff when it gives none (the AT&amp;T
    /// style), always within <see cref="TotalTimeout"/>. Default 8; 0 surfaces every 429 as <see cref="RateLimitedException"/>.
    /// </summary>
    [Range(0, 20)]
    public int MaxThrottledRetries { get; set; } = 8;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter. Default 1 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest <c>Retry-After</c> the kit waits out itself; a longer one surfaces as <see cref="RateLimitedException"/>. Default 20 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Calls allowed in flight at once for this adapter's account; others queue. <see langword="null"/> is no limit.
    /// The AT&amp;T style needs 1: its carrier throttles an overlapping call.
    /// </summary>
    public int? MaxConcurrentCalls { get; set; }

    /// <summary>Calls allowed to wait for a slot when <see cref="MaxConcurrentCalls"/> is reached. Default 100.</summary>
    public int QueueLimit { get; set; } = 100;

    /// <summary>Whether a circuit breaker stops calls for a while after most of them failed. Default on.</summary>
    public bool CircuitBreaker { get; set; } = true;

    /// <summary>How long the circuit stays open. Default 15 s.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The largest response body accepted. Default 4 MiB.</summary>
    public long MaxResponseBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The problems with these settings, empty when they are usable.</summary>
    public IEnumerable<string> Validate(TimeSpan leaseDuration, string prefix)
    {
        if (AttemptTimeout <= TimeSpan.Zero)
        {
            yield return $"{prefix}AttemptTimeout must be positive.";
        }

        if (TotalTimeout < AttemptTimeout)
        {
            yield return $"{prefix}TotalTimeout ({TotalTimeout}) must be at least AttemptTimeout ({AttemptTimeout}).";
        }

        if (TotalTimeout * 2 > leaseDuration)
        {
            yield return $"{prefix}TotalTimeout ({TotalTimeout}) must be at most half of DataRenewOptions.LeaseDuration ({leaseDuration}), so no send is still in flight when another client may take the renewal over.";
        }

        if (MaxRetries is < 0 or > 10)
        {
            yield return $"{prefix}MaxRetries must be between 0 and 10.";
        }

        if (MaxThrottledRetries is < 0 or > 20)
        {
            yield return $"{prefix}MaxThrottledRetries must be between 0 and 20.";
        }

        if (RetryBaseDelay < TimeSpan.Zero || MaxRetryAfter < TimeSpan.Zero || BreakDuration < TimeSpan.FromSeconds(0.5))
        {
            yield return $"{prefix}RetryBaseDelay and MaxRetryAfter must not be negative; BreakDuration must be at least 0.5 s.";
        }

        if (MaxConcurrentCalls is <= 0 || QueueLimit < 0)
        {
            yield return $"{prefix}MaxConcurrentCalls must be positive when set; QueueLimit must not be negative.";
        }

        if (MaxResponseBytes <= 0)
        {
            yield return $"{prefix}MaxResponseBytes must be positive.";
        }
    }
}
