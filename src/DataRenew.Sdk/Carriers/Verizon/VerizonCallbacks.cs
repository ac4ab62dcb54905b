using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataRenew.Sdk.Callbacks;

namespace DataRenew.Sdk.Carriers.Verizon;

/// <summary>
/// The Verizon-style <c>CarrierService</c> callback: a JSON body with <c>requestId</c>, <c>deviceIds</c>, <c>status</c>
/// (and <c>failedDevices</c> on a failure) and the <c>username</c>/<c>password</c> the listener was registered with. Both
/// are compared in constant time over their UTF-8 bytes before the status is looked at; the status maps to the same
/// order a poll of the request status would give.
/// </summary>
internal sealed class VerizonCallbackVerifier(VerizonOptions options) : ICarrierCallbackVerifier
{
    private const int MaxRequestIdLength = 200;

    public CarrierId Carrier => CarrierId.Verizon;

    public ParsedCallback Read(ReadOnlySpan<byte> body, IReadOnlyDictionary<string, string> headers, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(options.CallbackUsername) || string.IsNullOrEmpty(options.CallbackPassword))
        {
            return ParsedCallback.Refused(CallbackOutcome.NotConfigured, "Verizon callbacks need CallbackUsername and CallbackPassword in the options.");
        }

        VzCallback? callback;
        try
        {
            callback = JsonSerializer.Deserialize(body, VerizonJson.Default.VzCallback);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return ParsedCallback.Refused(CallbackOutcome.Malformed, "The Verizon callback is not the expected JSON.");
        }

        if (callback is null)
        {
            return ParsedCallback.Refused(CallbackOutcome.Malformed, "The Verizon callback body is empty JSON (null).");
        }

        // Both compared every time (no short cut on the first mismatch), each in constant time for its length.
        var userMatches = SameBytes(callback.Username, options.CallbackUsername);
        var passwordMatches = SameBytes(callback.Password, options.CallbackPassword);
        if (!(userMatches & passwordMatches))
        {
            return ParsedCallback.Refused(CallbackOutcome.Unauthorized, "The Verizon callback's credentials are missing or wrong.");
        }

        var requestId = callback.RequestId?.Trim();
        if (string.IsNullOrEmpty(requestId) || requestId.Length > MaxRequestIdLength)
        {
            return ParsedCallback.Refused(CallbackOutcome.Malformed, "The Verizon callback has no usable requestId.");
        }

        return ParsedCallback.Of(VerizonCarrier.OrderOf(requestId, callback.Status, callback.FailedDevices, now));
    }

    private static bool SameBytes(string? given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given ?? string.Empty), Encoding.UTF8.GetBytes(expected));
}
