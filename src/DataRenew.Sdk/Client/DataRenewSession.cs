using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk;

/// <summary>
/// A person signed in at a carrier. Pass it to <see cref="DataRenewClient"/>'s methods. It holds the
/// carrier's token in memory only; <see cref="ToString"/> never shows it.
/// </summary>
public sealed class DataRenewSession
{
    /// <summary>Creates a session (for tests and for apps that keep their own carrier sessions).</summary>
    public DataRenewSession(CarrierSession carrierSession, Account account)
    {
        CarrierSession = carrierSession ?? throw new ArgumentNullException(nameof(carrierSession));
        Account = account ?? throw new ArgumentNullException(nameof(account));
    }

    /// <summary>The carrier.</summary>
    public CarrierId Carrier => CarrierSession.Carrier;

    /// <summary>The account signed in to.</summary>
    public Account Account { get; }

    /// <summary>The adapter's session.</summary>
    public CarrierSession CarrierSession { get; }

    /// <summary>The carrier and masked account; never the token.</summary>
    public override string ToString() => Account.ToString();
}

/// <summary>Pay for a quote: what <see cref="DataRenewClient.StartRenewalAsync"/> takes.</summary>
/// <param name="Quote">The quote the person accepted.</param>
/// <param name="PaymentMethod">How they pay. Held in memory only; the journal keeps its masked summary.</param>
public sealed record RenewalRequest(RenewalQuote Quote, Payments.PaymentMethod PaymentMethod)
{
    /// <summary>
    /// The renewal's id, made by the app before the call (<see cref="Sdk.RenewalId.New"/>) and kept, so that
    /// retrying the start after a lost answer continues the same renewal instead of paying for a second.
    /// A new id is made when this is <see langword="null"/>.
    /// </summary>
    public RenewalId? RenewalId { get; init; }
}

/// <summary>Resume a renewal: what <see cref="DataRenewClient.ResumeRenewalAsync(DataRenewSession, ResumeRenewalRequest, CancellationToken)"/> takes.</summary>
public sealed record ResumeRenewalRequest
{
    /// <summary>Creates the request.</summary>
    /// <exception cref="DataRenewValidationException">The id is empty.</exception>
    public ResumeRenewalRequest(RenewalId renewalId) =>
        RenewalId = renewalId.Value.Length == 0 ? throw new DataRenewValidationException(nameof(renewalId), "The renewal id is empty.") : renewalId;

    /// <summary>The renewal.</summary>
    public RenewalId RenewalId { get; }

    /// <summary>
    /// The payment method, needed only when the renewal stopped before its charge reached the gateway
    /// (the journal never keeps card data). It must be the method the renewal started with.
    /// </summary>
    public Payments.PaymentMethod? PaymentMethod { get; init; }
}
