using System.Net;
using System.Net.Http.Headers;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// OAuth client credentials: adds <c>Authorization: Bearer</c> from a shared, single-flight token; when the
/// carrier rejects the token (401, or what <c>isRejected</c> says) it refreshes once and resends once, then
/// lets the 401 through. Requests marked <see cref="CarrierRequestOptions.Anonymous"/> (the token request) and
/// requests that already carry an <c>Authorization</c> header (a subscriber's own token) pass untouched.
/// </summary>
public sealed class BearerTokenHandler : DelegatingHandler
{
    // Marks a request whose Authorization this handler set: the kit's retry sends the same message again, and its
    // header is then ours to replace (with the current token, refreshed when rejected), not a subscriber's own.
    private static readonly HttpRequestOptionsKey<bool> BearerAdded = new("DataRenew.BearerAdded");

    private readonly SingleFlightToken<AccessToken> _tokens;
    private readonly Func<HttpResponseMessage, bool> _isRejected;

    /// <summary>Creates the handler.</summary>
    /// <param name="tokens">The shared token (its fetch sends the token request through the same client, marked anonymous).</param>
    /// <param name="isRejected">Whether an answer means "this token is bad or expired"; default: any 401.</param>
    public BearerTokenHandler(SingleFlightToken<AccessToken> tokens, Func<HttpResponseMessage, bool>? isRejected = null)
    {
        _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
        _isRejected = isRejected ?? (static r => r.StatusCode == HttpStatusCode.Unauthorized);
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ours = request.Options.TryGetValue(BearerAdded, out var added) && added;
        if ((request.Options.TryGetValue(CarrierRequestOptions.Anonymous, out var anonymous) && anonymous) || (request.Headers.Authorization is not null && !ours))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var token = await _tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        request.Options.Set(BearerAdded, true);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!_isRejected(response))
        {
            return response;
        }

        // The carrier gave up on this token before its expiry: one refresh, one resend, then the answer stands.
        response.Dispose();
        var fresh = await _tokens.RenewAsync(token, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh.Value);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
