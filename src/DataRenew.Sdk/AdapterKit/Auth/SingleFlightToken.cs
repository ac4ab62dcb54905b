namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// A token shared by concurrent callers that is fetched by at most one of them at a time: an OAuth token
/// (refreshed before it expires, or once when the carrier rejects it) or a session token (renewed only
/// when the carrier says it expired). A fetch that fails is not cached, so the next caller tries again;
/// the caller decides whether it should (a login refused for bad credentials must not be retried).
/// </summary>
/// <typeparam name="TToken">The token type.</typeparam>
public sealed class SingleFlightToken<TToken> where TToken : class
{
    private readonly Func<CancellationToken, Task<TToken>> _fetch;
    private readonly Func<TToken, bool> _isUsable;
    private readonly Lock _gate = new();
    private TToken? _current;
    private Task<TToken>? _inFlight;

    /// <summary>Creates the holder.</summary>
    /// <param name="fetch">Gets a new token (the token request or the login).</param>
    /// <param name="isUsable">Whether a cached token may still be used (for example: not within a minute of expiry).</param>
    /// <param name="initial">A token already held (a session from sign-in).</param>
    public SingleFlightToken(Func<CancellationToken, Task<TToken>> fetch, Func<TToken, bool>? isUsable = null, TToken? initial = null)
    {
        _fetch = fetch ?? throw new ArgumentNullException(nameof(fetch));
        _isUsable = isUsable ?? (static _ => true);
        _current = initial;
    }

    /// <summary>The current token, fetching one when there is none usable.</summary>
    public Task<TToken> GetAsync(CancellationToken cancellationToken = default) => GetAsync(stale: null, cancellationToken);

    /// <summary>
    /// A token other than <paramref name="stale"/> (which the carrier just rejected). When another caller has
    /// already replaced it, that replacement is returned: many rejected calls cause one refresh, not many.
    /// </summary>
    public Task<TToken> RenewAsync(TToken stale, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stale);
        return GetAsync(stale, cancellationToken);
    }

    /// <summary>Forgets the token (after a logout).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _current = null;
        }
    }

    private Task<TToken> GetAsync(TToken? stale, CancellationToken cancellationToken)
    {
        Task<TToken> flight;
        lock (_gate)
        {
            if (_current is { } current && !ReferenceEquals(current, stale) && _isUsable(current))
            {
                return Task.FromResult(current);
            }

            _inFlight ??= FetchAsync();
            flight = _inFlight;
        }

        return flight.WaitAsync(cancellationToken);
    }

    // Not tied to one caller's cancellation: the others wait on the same fetch. The fetch is bounded by the client's own timeouts.
    private async Task<TToken> FetchAsync()
    {
        await Task.Yield();
        try
        {
            var token = await _fetch(CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _current = token;
            }

            return token;
        }
        finally
        {
            lock (_gate)
            {
                _inFlight = null;
            }
        }
    }
}
