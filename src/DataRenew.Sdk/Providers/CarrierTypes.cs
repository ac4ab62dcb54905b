using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.Providers;

/// <summary>How a person can sign in.</summary>
[Flags]
public enum SignInMethods
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Username and password (usually physical SIM accounts).</summary>
    Password = 1,

    /// <summary>A one-time code sent to the phone number (usually eSIMs).</summary>
    OneTimeCode = 2,
}

/// <summary>How the carrier tells that an order has been applied.</summary>
[Flags]
public enum ConfirmationModes
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>The order call answers with the final state.</summary>
    Synchronous = 1,

    /// <summary>The order's status is polled.</summary>
    Polling = 2,

    /// <summary>The carrier calls back.</summary>
    Callback = 4,
}

/// <summary>What a carrier supports, so apps and the engine can adapt.</summary>
public sealed record CarrierDescriptor
{
    /// <summary>Creates a descriptor.</summary>
    public CarrierDescriptor(CarrierId id, string displayName, SignInMethods signInMethods, ConfirmationModes confirmation, IReadOnlyCollection<PaymentMethodKind> acceptedPayments)
    {
        ArgumentNullException.ThrowIfNull(acceptedPayments);
        Id = id;
        DisplayName = displayName;
        SignInMethods = signInMethods;
        Confirmation = confirmation;
        AcceptedPayments = acceptedPayments.ToArray();
    }

    /// <summary>The carrier.</summary>
    public CarrierId Id { get; }

    /// <summary>The name to show.</summary>
    public string DisplayName { get; }

    /// <summary>How a person can sign in.</summary>
    public SignInMethods SignInMethods { get; }

    /// <summary>How orders are confirmed.</summary>
    public ConfirmationModes Confirmation { get; }

    /// <summary>The payment methods the carrier accepts for renewals.</summary>
    public IReadOnlyCollection<PaymentMethodKind> AcceptedPayments { get; }

    /// <summary>Whether the carrier serves eSIM lines.</summary>
    public bool SupportsESim { get; init; }

    /// <summary>The most plan changes the carrier allows a line per month, when it has a limit.</summary>
    public int? MaxPlanChangesPerMonth { get; init; }

    /// <summary>
    /// <see langword="true"/> when the carrier itself de-duplicates orders by <see cref="CarrierOrderRequest.RenewalId"/>
    /// (an idempotency key), so sending an order again after a lost answer cannot make a second one. When
    /// <see langword="false"/> (the default, and the safe answer), the engine never resends an order whose answer was
    /// lost: it looks it up with <see cref="ICarrierOrders.FindByRenewalAsync"/> until the confirmation deadline, then
    /// hands the renewal to a person (NeedsAttention) rather than risk a second order.
    /// </summary>
    public bool DeduplicatesOrders { get; init; }

    /// <summary>
    /// How long a carrier that <see cref="DeduplicatesOrders"/> keeps an order's key (and answers a resend with the first
    /// try's outcome). Past it, a resend could be a second order: the engine then only looks the order up, as at a
    /// carrier without keys. Default 24 hours.
    /// </summary>
    public TimeSpan DeduplicationWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// <see langword="true"/> when the payment travels inside the order (the carrier charges, as T-Mobile-style
    /// top-ups do): the engine charges nothing through a gateway and passes the payment method with the order
    /// (<see cref="CarrierOrderRequest.PaymentMethod"/>); a payer action comes back on the order.
    /// </summary>
    public bool CollectsPayment { get; init; }

    /// <summary>
    /// <see langword="false"/> when the carrier takes cards only as a payment processor's token
    /// (<c>PaymentMethod.CardToken</c>), never their numbers: a renewal started with a card number is then refused before
    /// anything is recorded or sent. Default <see langword="true"/>.
    /// </summary>
    public bool AcceptsCardNumbers { get; init; } = true;

    /// <summary>Whom to contact about an order (shown on receipts and on renewals that need attention).</summary>
    public string SupportContact { get; init; } = string.Empty;

    internal string SupportContactOrName => SupportContact is { Length: > 0 } contact ? contact : DisplayName + " support";
}

/// <summary>
/// A signed-in carrier session as the adapter keeps it. The token is a secret: it is never journaled,
/// logged or shown by <see cref="ToString"/>; a resumed renewal signs in again.
/// </summary>
public sealed class CarrierSession
{
    private readonly string _token;

    /// <summary>Creates a session.</summary>
    /// <param name="carrier">The carrier.</param>
    /// <param name="accountId">The account the session belongs to.</param>
    /// <param name="token">The adapter's token or session key.</param>
    /// <param name="subscriber">For one-time-code sign-in: the number the session is scoped to.</param>
    /// <param name="expiresAt">When the token expires, when known.</param>
    public CarrierSession(CarrierId carrier, string accountId, string token, PhoneNumber? subscriber = null, DateTimeOffset? expiresAt = null)
    {
        Carrier = carrier;
        AccountId = accountId ?? throw new ArgumentNullException(nameof(accountId));
        _token = token ?? throw new ArgumentNullException(nameof(token));
        Subscriber = subscriber;
        ExpiresAt = expiresAt;
    }

    /// <summary>The carrier.</summary>
    public CarrierId Carrier { get; }

    /// <summary>The account the session belongs to.</summary>
    public string AccountId { get; }

    /// <summary>For one-time-code sign-in, the number the session is scoped to.</summary>
    public PhoneNumber? Subscriber { get; }

    /// <summary>When the token expires, when known.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The token, for the adapter to send. Never log it.</summary>
    public string RevealToken() => _token;

    /// <summary>The carrier and the masked account; never the token.</summary>
    public override string ToString() => $"Session at {Carrier} for account {Account.Mask(AccountId)}";
}

/// <summary>The state of a carrier order.</summary>
public enum CarrierOrderStatus
{
    /// <summary>Accepted, not yet applied.</summary>
    Pending,

    /// <summary>The plan was applied.</summary>
    Completed,

    /// <summary>The carrier refused or failed to apply it.</summary>
    Failed,
}

/// <summary>What the engine asks the carrier to do: put a plan on a line, once.</summary>
/// <param name="RenewalId">The renewal this order belongs to.</param>
/// <param name="Line">The line.</param>
/// <param name="Plan">The new plan.</param>
/// <param name="Amount">What was paid.</param>
/// <param name="Payment">The masked payment method, or carrier billing.</param>
/// <param name="PaymentReference">The payment gateway's id for the payment, when paid outside the carrier.</param>
public sealed record CarrierOrderRequest(RenewalId RenewalId, Line Line, Plan Plan, Money Amount, PaymentMethodSummary Payment, string? PaymentReference)
{
    private readonly string? _idempotencyKey;

    /// <summary>
    /// The key every try of this renewal's order carries: unique to this one renewal forever (its id and a random part
    /// journaled when it was created), so an id used again after its renewal was compacted away never replays the old
    /// order. Defaults to the renewal id (renewals journaled before keys had a random part).
    /// </summary>
    public string IdempotencyKey
    {
        get => _idempotencyKey ?? RenewalId.Value;
        init => _idempotencyKey = string.IsNullOrEmpty(value) ? throw new ArgumentException("An idempotency key is required.", nameof(value)) : value;
    }

    /// <summary>
    /// The full payment method, for a carrier that collects the payment with the order
    /// (<see cref="CarrierDescriptor.CollectsPayment"/>); <see langword="null"/> otherwise. Held in memory only.
    /// </summary>
    public PaymentMethod? PaymentMethod { get; init; }
}

/// <summary>A carrier order as last read.</summary>
/// <param name="OrderId">The carrier's id for the order (a request id, a top-up id).</param>
/// <param name="Status">The order's state.</param>
/// <param name="ConfirmationNumber">The carrier's confirmation number, once completed.</param>
/// <param name="EffectiveAt">When the plan takes effect, once known.</param>
/// <param name="FailureReason">Why it failed, in words a person understands.</param>
/// <param name="FailureCode">The carrier's raw code for the failure.</param>
/// <param name="PayerAction">For a carrier that collects the payment: what the payer must do before the order can go on.</param>
public sealed record CarrierOrder(
    string OrderId,
    CarrierOrderStatus Status,
    string? ConfirmationNumber = null,
    DateTimeOffset? EffectiveAt = null,
    string? FailureReason = null,
    string? FailureCode = null,
    PayerAction? PayerAction = null);
