using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataRenew.Sdk.Callbacks;

namespace DataRenew.Sdk.Carriers.TMobile;

/// <summary>
/// The T-Mobile-style hub event <c>topupBalanceStateChangeEvent</c>. The header
/// <c>X-Signature: sha256=&lt;hex HMAC-SHA256 of the raw body with the hub secret&gt;</c> is checked in constant time
/// before a byte of the body is parsed; the top-up it carries maps to the same order a poll of the top-up would give.
/// </summary>
internal sealed class TMobileHubEventVerifier(TMobileOptions options) : ICarrierCallbackVerifier
{
    public const string SignatureHeader = "X-Signature";
    public const string EventType = "topupBalanceStateChangeEvent";
    private const string Prefix = "sha256=";
    private const int MaxTopupIdLength = 200;

    public CarrierId Carrier => CarrierId.TMobile;

    public ParsedCallback Read(ReadOnlySpan<byte> body, IReadOnlyDictionary<string, string> headers, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(options.HubSecret))
        {
            return ParsedCallback.Refused(CallbackOutcome.NotConfigured, "T-Mobile hub events need HubSecret in the options.");
        }

        if (!SignatureMatches(body, CallbackHeaders.Find(headers, SignatureHeader), options.HubSecret))
        {
            return ParsedCallback.Refused(CallbackOutcome.Unauthorized, $"The hub event's {SignatureHeader} is missing or does not match the body.");
        }

        TmfHubEvent? hubEvent;
        try
        {
            hubEvent = JsonSerializer.Deserialize(body, TMobileJson.Default.TmfHubEvent);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return ParsedCallback.Refused(CallbackOutcome.Malformed, "The hub event is not the expected JSON.");
        }

        if (hubEvent is null)
        {
            return ParsedCallback.Refused(CallbackOutcome.Malformed, "The hub event body is empty JSON (null).");
        }

        if (!string.Equals(hubEvent.EventType?.Trim(), EventType, StringComparison.OrdinalIgnoreCase))
        {
            return ParsedCallback.Refused(CallbackOutcome.Ignored, $"Only {EventType} is handled.");
        }

        if (hubEvent.Event?.TopupBalance is not { } topup || string.IsNullOrWhiteSpace(topup.Id) || topup.Id.Length > MaxTopupIdLength)
        {
            return ParsedCallback.Refused(CallbackOutcome.Malformed, "The hub event carries no top-up with an id.");
        }

        try
        {
            return ParsedCallback.Of(TMobileCarrier.OrderOf(topup, options));
        }
        catch (InvalidCarrierResponseException unsafeLink)
        {
            return ParsedCallback.Refused(CallbackOutcome.Malformed, unsafeLink.Message);
        }
    }

    /// <summary>The header as the hub sends it for these bytes: <c>sha256=</c> and 64 hex digits, compared in constant time.</summary>
    internal static bool SignatureMatches(ReadOnlySpan<byte> body, string? header, string secret)
    {
        var value = header.AsSpan().Trim();
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || value.Length != Prefix.Length + (2 * HMACSHA256.HashSizeInBytes))
        {
            return false;
        }

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (Convert.FromHexString(value[Prefix.Length..], given, out _, out var written) != System.Buffers.OperationStatus.Done || written != given.Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    /// <summary>The header value the hub would send for <paramref name="body"/> (for tests and for hosts that relay events).</summary>
    internal static string Sign(ReadOnlySpan<byte> body, string secret) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
