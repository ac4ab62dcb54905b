using System.Text.Json.Serialization;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>An OAuth access token and when it stops being usable. <see cref="ToString"/> never shows the token.</summary>
public sealed class AccessToken
{
    /// <summary>Creates a token.</summary>
    public AccessToken(string value, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        Value = value;
        ExpiresAt = expiresAt;
    }

    /// <summary>The token. Never log it.</summary>
    public string Value { get; }

    /// <summary>When it expires.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Reads the standard OAuth answer (<c>access_token</c>, <c>expires_in</c>).</summary>
    public static AccessToken FromResponse(CarrierResponse response, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(time);
        var body = response.ReadJson(AdapterKitJson.Default.OAuthTokenResponse);
        if (string.IsNullOrEmpty(body.AccessToken) || body.ExpiresIn is not { } expiresIn || expiresIn is <= 0 or > 31_536_000)
        {
            throw response.Invalid("the token answer has no access_token or a nonsensical expires_in");
        }

        // It goes into a header: a line break would add headers of the carrier's choosing to every call.
        if (!IsHeaderSafe(body.AccessToken))
        {
            throw response.Invalid("the access_token is not a printable token");
        }

        return new AccessToken(body.AccessToken, time.GetUtcNow().AddSeconds(expiresIn));
    }

    /// <summary>Whether a token from a carrier can travel in a header as it is: printable ASCII without spaces, at most 8 KB.</summary>
    internal static bool IsHeaderSafe(string token) => token.Length is > 0 and <= 8192 && token.All(static c => c is >= '!' and <= '~');

    /// <inheritdoc />
    public override string ToString() => $"Access token (expires {ExpiresAt:u})";
}

internal sealed class OAuthTokenResponse
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; set; }

    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; set; }
}

[JsonSerializable(typeof(OAuthTokenResponse))]
internal sealed partial class AdapterKitJson : JsonSerializerContext;
