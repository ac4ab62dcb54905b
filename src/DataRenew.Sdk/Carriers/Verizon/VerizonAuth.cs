using System.Net;
using System.Net.Http.Headers;
using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;

namespace DataRenew.Sdk.Carriers.Verizon;

/// <summary>
/// The app's OAuth token (client credentials), shared by every call of the adapter and fetched by one caller at a
/// time: <c>POST ts/v1/oauth2/token</c> with <c>Basic appKey:appSecret</c>, sent through the adapter's own client
/// (so it gets the kit's timeouts and retries) and marked anonymous (so the bearer handler lets it pass).
/// </summary>
internal sealed class VerizonOAuth
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(1);

    public VerizonOAuth(VerizonOptions options, CarrierHttpClient http, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var basic = BasicAuthenticationHandler.Header(options.AppKey, options.AppSecret);
        Token = new SingleFlightToken<AccessToken>(
            async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("ts/v1/oauth2/token", UriKind.Relative))
                {
                    Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
                };
                request.Headers.Authorization = basic;
                request.Options.Set(CarrierRequestOptions.Anonymous, true);

                // Asking for a token changes nothing at the carrier: safe to retry.
                request.WithEffect(CarrierRequestEffect.Read);
                using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
                return AccessToken.FromResponse(response, time);
            },
            token => token.ExpiresAt - RefreshMargin > time.GetUtcNow());
    }

    public SingleFlightToken<AccessToken> Token { get; }

    /// <summary>The gateway gave up on the bearer (401 fault 900901): refresh once, resend once.</summary>
    public static bool IsRejected(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.StatusCode != HttpStatusCode.Unauthorized || response.Content is not ByteArrayContent content)
        {
            return false;
        }

        // The body limit handler (innermost) has buffered the body already: reading it here does not block.
        using var stream = content.ReadAsStream();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return VerizonErrorMapper.FaultCodeOf(copy.GetBuffer().AsSpan(0, (int)copy.Length)) == VerizonErrorMapper.InvalidBearer;
    }
}

/// <summary>
/// What the adapter keeps per signed-in session, in memory only: the current m2m session token (single flight, so
/// many calls failing with an expired session cause one re-login) and the credentials to log in again with. Once a
/// re-login is refused the state is dead: no further login is tried with those credentials (five refusals lock the account).
/// </summary>
internal sealed class VerizonSessionState
{
    // The session tokens that served at least one call: only a session that worked is worth logging in again after.
    private readonly RecentEntries<string, bool> _served = new(16);
    private volatile bool _dead;

    public VerizonSessionState(string initialToken, Func<CancellationToken, Task<string>> login)
    {
        Token = new SingleFlightToken<string>(
            async ct =>
            {
                if (_dead)
                {
                    throw Dead();
                }

                try
                {
                    return await login(ct).ConfigureAwait(false);
                }
                catch (AuthenticationFailedException)
                {
                    _dead = true;
                    throw;
                }
            },
            initial: initialToken);
    }

    public SingleFlightToken<string> Token { get; }

    public bool IsDead => _dead;

    /// <summary>Notes that a call went through with the token.</summary>
    public void Served(string token) => _served.Remember(token, true);

    /// <summary>
    /// Whether a call refused with an expired <paramref name="token"/> may log in again (after its first renewal): yes when
    /// that session served calls, so it expired after working; a carrier that refuses each fresh session outright gets
    /// one login per call, not a loop.
    /// </summary>
    public bool WorkedBefore(string token) => _served.TryFind(token, out _);

    public static AuthenticationFailedException Dead() =>
        new("The Verizon session expired and could not be renewed with the credentials it was opened with; sign in again.", new DataRenewErrorDetails(CarrierId.Verizon, CarrierErrorCode: VerizonErrorMapper.SessionExpired));
}

/// <summary>Adds the m2m session header to a request.</summary>
internal static class VerizonHeaders
{
    public const string SessionToken = "VZ-M2M-Token";

    public static HttpRequestMessage WithSession(this HttpRequestMessage request, string token)
    {
        request.Headers.Remove(SessionToken);
        request.Headers.TryAddWithoutValidation(SessionToken, token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }
}
