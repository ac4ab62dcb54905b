using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// The one rule for a payer-action link a carrier sends (a payment page to open, a QR code's address): an app opens it,
/// so it must be an absolute <c>https</c> address without user information. Plain <c>http</c> only to a loopback host,
/// and only where the carrier's own base address is a loopback one allowed for tests (<see cref="CarrierHttpOptions.AllowPlainHttpOnLoopback"/>);
/// <c>javascript:</c>, <c>file:</c>, <c>data:</c> and any other scheme never pass.
/// </summary>
public static class PayerActionLinks
{
    /// <summary>Whether <paramref name="link"/> may be handed to an app to open.</summary>
    /// <param name="link">What the carrier sent.</param>
    /// <param name="options">The adapter's options (its base address and whether loopback http is allowed).</param>
    public static bool IsSafe(string? link, CarrierHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(link) || link.Length > 4096 || !Uri.TryCreate(link, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0)
        {
            return false;
        }

        return uri.Scheme == Uri.UriSchemeHttps
            || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback && options.AllowPlainHttpOnLoopback && options.BaseAddress is { IsLoopback: true });
    }

    /// <summary>The payer action, or an <see cref="InvalidCarrierResponseException"/> when its link is not safe to open.</summary>
    public static PayerAction Checked(CarrierId carrier, PayerActionKind kind, string? link, CarrierHttpOptions options) =>
        IsSafe(link, options)
            ? new PayerAction(kind, link!)
            : throw new InvalidCarrierResponseException($"{carrier} sent a payer-action link that is not an https address; it is not passed on.", new DataRenewErrorDetails(carrier));
}
