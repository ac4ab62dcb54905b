using System.Net.Http.Headers;
using System.Text;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>HTTP Basic on every request (AT&amp;T style: <c>username:apiKey</c>). The header value is built once; it is never logged.</summary>
public sealed class BasicAuthenticationHandler : DelegatingHandler
{
    private readonly AuthenticationHeaderValue _header;

    /// <summary>Creates the handler.</summary>
    public BasicAuthenticationHandler(string username, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _header = Header(username, secret);
    }

    /// <summary>The <c>Authorization: Basic …</c> value for a pair of credentials.</summary>
    public static AuthenticationHeaderValue Header(string username, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{secret}")));

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization ??= _header;
        return base.SendAsync(request, cancellationToken);
    }
}
