namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// Signs every outgoing request with a fresh proof-of-possession token (see <see cref="ProofOfPossessionSigner"/>),
/// in a header (default <c>X-Authorization</c>). Add it AFTER the bearer handler so it signs the final
/// <c>Authorization</c> header; every pass through it (a retry, the resend after a token refresh) signs again.
/// The body is buffered so it can be hashed and still be sent (and resent).
/// </summary>
public sealed class ProofOfPossessionHandler : DelegatingHandler
{
    /// <summary>The header TAAP-style carriers read the token from.</summary>
    public const string DefaultHeaderName = "X-Authorization";

    private readonly ProofOfPossessionSigner _signer;
    private readonly string _headerName;

    /// <summary>Creates the handler.</summary>
    /// <param name="signer">Makes the tokens.</param>
    /// <param name="headerName">The header to put the token in; default <c>X-Authorization</c>.</param>
    public ProofOfPossessionHandler(ProofOfPossessionSigner signer, string headerName = DefaultHeaderName)
    {
        _signer = signer ?? throw new ArgumentNullException(nameof(signer));
        ArgumentException.ThrowIfNullOrEmpty(headerName);
        _headerName = headerName;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is not { IsAbsoluteUri: true } uri)
        {
            throw new InvalidOperationException("A request must have an absolute URI before it is signed.");
        }

        var body = Array.Empty<byte>();
        string? contentType = null;
        if (request.Content is { } content)
        {
            await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            body = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            contentType = content.Headers.ContentType?.ToString();
        }

        var token = _signer.CreateToken(request.Headers.Authorization?.ToString(), contentType, uri.PathAndQuery, request.Method.Method, body);
        request.Headers.Remove(_headerName);
        request.Headers.TryAddWithoutValidation(_headerName, token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
