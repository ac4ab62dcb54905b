using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.Providers;

/// <summary>
/// What a carrier adapter implements. The capabilities are separate interfaces so an adapter is
/// written, and tested, one capability at a time; the renewal engine only ever talks to these.
/// </summary>
public interface ICarrierProvider
{
    /// <summary>What the carrier supports.</summary>
    CarrierDescriptor Descriptor { get; }

    /// <summary>Sign-in, the account and its lines.</summary>
    ICarrierAccounts Accounts { get; }

    /// <summary>Data usage.</summary>
    ICarrierUsage Usage { get; }

    /// <summary>Plans and promotions.</summary>
    ICarrierPlanCatalog Catalog { get; }

    /// <summary>Submitting a renewal order and reading its status.</summary>
    ICarrierOrders Orders { get; }

    /// <summary>The carrier's own billing (bill to account), or <see langword="null"/> when it has none.</summary>
    IPaymentGateway? Billing { get; }

    /// <summary>Registering the app's callback listener with the carrier, or <see langword="null"/> when it sends no callbacks.</summary>
    ICarrierCallbackListeners? CallbackListeners => null;
}

/// <summary>Registering the app's callback listener with the carrier (see <see cref="Callbacks.ICarrierCallbackHandler"/>).</summary>
public interface ICarrierCallbackListeners
{
    /// <summary>
    /// Asks the carrier to report order status changes to <paramref name="url"/> (an absolute HTTPS address, checked by the
    /// client), with whatever the adapter's listener checks on each delivery (credentials, a signing secret) from its options.
    /// </summary>
    /// <returns>The carrier's id for the registration, when it gives one.</returns>
    Task<string?> RegisterAsync(CarrierSession session, Uri url, CancellationToken cancellationToken = default);
}

/// <summary>Sign-in, the account and its lines.</summary>
public interface ICarrierAccounts
{
    /// <summary>Signs in with a username and password.</summary>
    /// <exception cref="AuthenticationFailedException">The carrier refused the credentials. Adapters never retry this.</exception>
    Task<CarrierSession> SignInAsync(PasswordCredentials credentials, CancellationToken cancellationToken = default);

    /// <summary>Asks the carrier to send a one-time code to a phone number.</summary>
    Task<OneTimeCodeChallenge> RequestOneTimeCodeAsync(PhoneNumber phoneNumber, CancellationToken cancellationToken = default);

    /// <summary>Signs in with the code the person received.</summary>
    /// <exception cref="AuthenticationFailedException">The code is wrong, expired, or the number is locked.</exception>
    Task<CarrierSession> VerifyOneTimeCodeAsync(OneTimeCodeChallenge challenge, OneTimeCode code, CancellationToken cancellationToken = default);

    /// <summary>The account the session belongs to.</summary>
    Task<Account> GetAccountAsync(CarrierSession session, CancellationToken cancellationToken = default);

    /// <summary>
    /// The account's lines, paged by the adapter. Every entry the carrier lists comes back: as a line with whatever facts
    /// could be read, or as a problem (<see cref="LineListingEntry.Unreadable"/>) when it carries no identifier the
    /// carrier can be asked by. Never drop an entry, nor fail the listing, because of one entry's shape.
    /// </summary>
    IAsyncEnumerable<LineListingEntry> GetLinesAsync(CarrierSession session, CancellationToken cancellationToken = default);

    /// <summary>
    /// One line as the carrier reports it now, or <see langword="null"/> when the session cannot see it
    /// (another account's line, or a line other than the number a one-time-code session is scoped to).
    /// The engine asks before quoting and before paying, so it must be cheap: one call, not a listing.
    /// </summary>
    Task<Line?> FindLineAsync(CarrierSession session, LineId id, CancellationToken cancellationToken = default);
}

/// <summary>Data usage.</summary>
public interface ICarrierUsage
{
    /// <summary>The line's usage in its current cycle.</summary>
    Task<UsageSnapshot> GetUsageAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default);
}

/// <summary>Plans and promotions.</summary>
public interface ICarrierPlanCatalog
{
    /// <summary>The plans the line can be renewed with.</summary>
    Task<IReadOnlyList<Plan>> GetPlansAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default);

    /// <summary>The promotions the carrier offers now; empty when it has none.</summary>
    Task<IReadOnlyList<Promotion>> GetPromotionsAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default);
}

/// <summary>Submitting a renewal order and reading its status.</summary>
public interface ICarrierOrders
{
    /// <summary>
    /// Submits the order. <see cref="CarrierOrderRequest.IdempotencyKey"/> is the same for every try of one renewal and
    /// unique to it: send it as the carrier's idempotency key where the carrier has one; an adapter whose carrier has none
    /// must itself make sure one renewal never yields two carrier orders.
    /// </summary>
    /// <exception cref="PlanNotEligibleException">The carrier refused the change.</exception>
    /// <exception cref="OutcomeUnknownException">The order was sent but the answer was lost.</exception>
    Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds the order made for a renewal, or <see langword="null"/> when none reached the carrier. <paramref name="request"/>
    /// is the renewal's order as journaled (without a payment method), so an adapter whose carrier cannot be asked by
    /// renewal can still settle a lost answer in a process that did not send it (the line now has the plan ordered, and
    /// had another before).
    /// </summary>
    Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads an order's status, told what the renewal ordered (see <see cref="FindByRenewalAsync"/>): an order confirmed
    /// by reading the line can then be confirmed by any process.
    /// </summary>
    Task<CarrierOrder> GetAsync(CarrierSession session, CarrierOrder order, CarrierOrderRequest request, CancellationToken cancellationToken = default);
}
