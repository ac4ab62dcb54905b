using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk.Callbacks;

/// <summary>An adapter's callback format: checks who sent it and reads the order status it reports.</summary>
internal interface ICarrierCallbackVerifier
{
    CarrierId Carrier { get; }

    /// <summary>Verifies, then parses. Never throws for any body or headers.</summary>
    ParsedCallback Read(ReadOnlySpan<byte> body, IReadOnlyDictionary<string, string> headers, DateTimeOffset now);
}

/// <summary>A verified order status, or why there is none.</summary>
internal readonly record struct ParsedCallback(CarrierOrder? Order, CallbackOutcome Outcome, string Message)
{
    public static ParsedCallback Of(CarrierOrder order) => new(order, CallbackOutcome.Applied, string.Empty);

    public static ParsedCallback Refused(CallbackOutcome outcome, string message) => new(null, outcome, message);
}

internal static class CallbackHeaders
{
    /// <summary>A header's value whatever the case of its name, or null.</summary>
    public static string? Find(IReadOnlyDictionary<string, string> headers, string name)
    {
        if (headers.TryGetValue(name, out var value))
        {
            return value;
        }

        foreach (var (key, candidate) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        return null;
    }
}
