using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Carriers.TMobile;

/// <summary>
/// What the adapter's handlers and its provider share: the proof-of-possession signer, the HTTP client over the named
/// client, and the app's access token (fetched through that same client, marked anonymous, so it is signed and gets the
/// kit's timeouts and retries).
/// </summary>
internal sealed class TMobileConnection : IDisposable
{
    internal const string ClientName = "DataRenew.TMobile";
    internal const string TokenPath = "oauth2/v2/tokens";
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);
    private readonly TMobileOptions _options;
    private readonly TimeProvider _time;

    public TMobileConnection(TMobileOptions options, IHttpClientFactory factory, TimeProvider time)
    {
        _options = options;
        _time = time;
        Signer = ProofOfPossessionSigner.FromPem(options.PrivateKeyPem!, options.PopTokenLifetime, time);
        Http = new CarrierHttpClient(CarrierId.TMobile, () => factory.CreateClient(ClientName), new TMobileErrorMapper(), time);
        AppToken = new SingleFlightToken<AccessToken>(FetchAppTokenAsync, t => t.ExpiresAt - _time.GetUtcNow() > RefreshMargin);
    }

    public ProofOfPossessionSigner Signer { get; }

    public CarrierHttpClient Http { get; }

    public SingleFlightToken<AccessToken> AppToken { get; }

    public TimeProvider Time => _time;

    /// <summary>Marks a request to go out with the client's Basic credentials instead of a bearer token.</summary>
    public void UseClientCredentials(HttpRequestMessage request)
    {
        request.Headers.Authorization = BasicAuthenticationHandler.Header(_options.ClientId!, _options.ClientSecret!);
        request.Options.Set(CarrierRequestOptions.Anonymous, true);
    }

    /// <summary>A request to a path relative to the base address (no leading slash, so its path prefix is kept).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string relativePath) => new(method, new Uri(relativePath, UriKind.Relative));

    public void Dispose() => Signer.Dispose();

    // POST oauth2/v2/tokens with Basic client credentials and an empty body. It only issues a token: safe to retry.
    private async Task<AccessToken> FetchAppTokenAsync(CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, TokenPath);
        UseClientCredentials(request);
        request.WithEffect(CarrierRequestEffect.Read);
        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return AccessToken.FromResponse(response, _time);
    }
}
