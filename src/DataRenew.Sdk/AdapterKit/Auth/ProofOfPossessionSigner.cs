using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// Makes proof-of-possession tokens (TAAP style): a JWT signed RS256 with the client's private key, whose claims
/// bind it to one request. Claims: <c>iat</c>, <c>exp</c> (at most 60 s after <c>iat</c>), <c>jti</c> (fresh for every
/// token), <c>v</c> = <c>"1"</c>, <c>ehts</c> = the signed element names joined by <c>;</c>
/// (<see cref="SignedElements"/>), and <c>edts</c> = Base64Url(SHA-256 of the concatenated values of those elements, in
/// that order). An absent <c>Authorization</c>, <c>Content-Type</c> or body counts as the empty string; <c>uri</c> is the
/// path and query exactly as sent. The key never appears in <see cref="ToString"/>, a log or an exception.
/// </summary>
public sealed class ProofOfPossessionSigner : IDisposable
{
    /// <summary>The longest a token may live (the carrier refuses longer).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(60);

    /// <summary>The elements every token signs, in order: <c>Authorization;Content-Type;uri;http-method;body</c>.</summary>
    public static IReadOnlyList<string> SignedElements { get; } = ["Authorization", "Content-Type", "uri", "http-method", "body"];

    private static readonly byte[] HeaderSegment = Encoding.UTF8.GetBytes(Base64Url.EncodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"u8));
    private static readonly string Ehts = string.Join(';', SignedElements);
    private readonly RSA _key;
    private readonly bool _ownsKey;
    private readonly TimeProvider _time;

    /// <summary>Creates a signer over a key the caller keeps (and disposes).</summary>
    /// <param name="privateKey">The client's RSA private key, 2048 bits or more.</param>
    /// <param name="lifetime">How long each token is valid; default and at most 60 s.</param>
    /// <param name="timeProvider">The clock for <c>iat</c> and <c>exp</c>.</param>
    public ProofOfPossessionSigner(RSA privateKey, TimeSpan? lifetime = null, TimeProvider? timeProvider = null)
        : this(privateKey, ownsKey: false, lifetime, timeProvider)
    {
    }

    private ProofOfPossessionSigner(RSA privateKey, bool ownsKey, TimeSpan? lifetime, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (privateKey.KeySize < 2048)
        {
            throw new ArgumentException("The proof-of-possession key must be an RSA key of 2048 bits or more.", nameof(privateKey));
        }

        var life = lifetime ?? MaxLifetime;
        if (life <= TimeSpan.Zero || life > MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "A proof-of-possession token lives more than 0 and at most 60 seconds.");
        }

        _key = privateKey;
        _ownsKey = ownsKey;
        Lifetime = life;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long each token is valid.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>
    /// Creates a signer from a PEM RSA private key (PKCS#8 <c>PRIVATE KEY</c> or PKCS#1 <c>RSA PRIVATE KEY</c>); the signer owns the key.
    /// </summary>
    /// <exception cref="ArgumentException">The PEM holds no usable RSA private key, or one shorter than 2048 bits (the message never quotes the key).</exception>
    public static ProofOfPossessionSigner FromPem(string privateKeyPem, TimeSpan? lifetime = null, TimeProvider? timeProvider = null)
    {
        var rsa = LoadPem(privateKeyPem);
        try
        {
            return new ProofOfPossessionSigner(rsa, ownsKey: true, lifetime, timeProvider);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>Loads a PEM RSA private key, or explains why it cannot (without quoting it).</summary>
    /// <exception cref="ArgumentException">The PEM holds no usable RSA private key.</exception>
    public static RSA LoadPem(string privateKeyPem)
    {
        if (string.IsNullOrWhiteSpace(privateKeyPem))
        {
            throw new ArgumentException("No proof-of-possession private key was given.", nameof(privateKeyPem));
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(privateKeyPem);

            // A public key imports too, but cannot sign.
            _ = rsa.ExportParameters(includePrivateParameters: true);
            return rsa;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new ArgumentException("The proof-of-possession key is not a PEM RSA private key (PKCS#8 or PKCS#1).", nameof(privateKeyPem));
        }
    }

    /// <summary>
    /// The <c>edts</c> claim for a request: Base64Url(SHA-256(authorization + contentType + uri + httpMethod + body)),
    /// each absent element as the empty string. Public so a verifier (a stub, a test) computes it the same way.
    /// </summary>
    public static string ComputeEdts(string? authorization, string? contentType, string uri, string httpMethod, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(httpMethod);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(authorization ?? string.Empty));
        hash.AppendData(Encoding.UTF8.GetBytes(contentType ?? string.Empty));
        hash.AppendData(Encoding.UTF8.GetBytes(uri));
        hash.AppendData(Encoding.UTF8.GetBytes(httpMethod));
        hash.AppendData(body);
        return Base64Url.EncodeToString(hash.GetHashAndReset());
    }

    /// <summary>A fresh token for one request (a new <c>jti</c> every call).</summary>
    /// <param name="authorization">The <c>Authorization</c> header value exactly as sent, or <see langword="null"/>.</param>
    /// <param name="contentType">The <c>Content-Type</c> header value exactly as sent, or <see langword="null"/>.</param>
    /// <param name="uri">The path and query exactly as sent (with the base address's path prefix).</param>
    /// <param name="httpMethod">The method, such as <c>POST</c>.</param>
    /// <param name="body">The body bytes (empty when there is none).</param>
    public string CreateToken(string? authorization, string? contentType, string uri, string httpMethod, ReadOnlySpan<byte> body)
    {
        var edts = ComputeEdts(authorization, contentType, uri, httpMethod, body);
        var issuedAt = _time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(claims))
        {
            writer.WriteStartObject();
            writer.WriteNumber("iat", issuedAt);
            // Whole seconds, rounded up: a sub-second lifetime truncated to 0 would make exp == iat, a token born expired.
            writer.WriteNumber("exp", issuedAt + (long)Math.Ceiling(Lifetime.TotalSeconds));
            writer.WriteString("jti", Guid.NewGuid().ToString("N"));
            writer.WriteString("v", "1");
            writer.WriteString("ehts", Ehts);
            writer.WriteString("edts", edts);
            writer.WriteEndObject();
        }

        var signingInput = new StringBuilder(512)
            .Append(Encoding.UTF8.GetString(HeaderSegment))
            .Append('.')
            .Append(Base64Url.EncodeToString(claims.WrittenSpan))
            .ToString();
        var signature = _key.SignData(Encoding.UTF8.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Says what it is, never the key.</summary>
    public override string ToString() => $"Proof-of-possession signer (RS256, {_key.KeySize}-bit key, tokens live {Lifetime.TotalSeconds:0} s)";

    /// <summary>Disposes the key when the signer loaded it.</summary>
    public void Dispose()
    {
        if (_ownsKey)
        {
            _key.Dispose();
        }
    }
}
