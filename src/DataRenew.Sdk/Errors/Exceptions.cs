using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk;

/// <summary>
/// Input the SDK refused before sending anything: a malformed phone number, ICCID, card number,
/// an expired card, an unknown plan, a negative amount, mixed currencies.
/// </summary>
public sealed class DataRenewValidationException : DataRenewException
{
    /// <summary>Creates a validation error naming the argument that was wrong.</summary>
    /// <param name="parameterName">The argument or field that was wrong.</param>
    /// <param name="message">What was wrong, in words a person understands; never the value itself when it is secret.</param>
    public DataRenewValidationException(string parameterName, string message)
        : base($"{message} (argument '{parameterName}')")
    {
        ParameterName = parameterName;
        Reason = message;
    }

    /// <summary>The argument or field that was wrong.</summary>
    public string ParameterName { get; }

    /// <summary>What was wrong, without the argument name.</summary>
    public string Reason { get; }
}

/// <summary>The carrier refused the credentials, the one-time code, or the account is locked.</summary>
public sealed class AuthenticationFailedException : DataRenewException
{
    /// <summary>Creates an authentication error.</summary>
    public AuthenticationFailedException(string message, DataRenewErrorDetails details, bool isLocked = false, Exception? innerException = null)
        : base(message, details, innerException) => IsLocked = isLocked;

    /// <summary><see langword="true"/> when the account or number is locked: trying again will not help.</summary>
    public bool IsLocked { get; }
}

/// <summary>The carrier or gateway throttled the caller. <see cref="DataRenewException.RetryAfter"/> says how long to wait when it said.</summary>
public sealed class RateLimitedException : DataRenewException
{
    /// <summary>Creates a throttling error.</summary>
    public RateLimitedException(string message, DataRenewErrorDetails details, Exception? innerException = null)
        : base(message, details with { IsTransient = true }, innerException) { }
}

/// <summary>The payment was declined. No money moved.</summary>
public sealed class PaymentDeclinedException : DataRenewException
{
    /// <summary>Creates a decline error.</summary>
    public PaymentDeclinedException(PaymentDecline decline, DataRenewErrorDetails? details = null)
        : base(decline?.Message ?? "The payment was declined.", details ?? new DataRenewErrorDetails(CarrierErrorCode: decline?.Code))
    {
        ArgumentNullException.ThrowIfNull(decline);
        Decline = decline;
    }

    /// <summary>Why the payment was declined.</summary>
    public PaymentDecline Decline { get; }
}

/// <summary>
/// The carrier will not apply this plan to this line: a limit on plan changes, a suspended line,
/// a plan not offered to this line.
/// </summary>
public sealed class PlanNotEligibleException : DataRenewException
{
    /// <summary>Creates a plan eligibility error.</summary>
    public PlanNotEligibleException(string message, DataRenewErrorDetails details, Exception? innerException = null)
        : base(message, details, innerException) { }
}

/// <summary>Why a quote can no longer be paid.</summary>
public enum QuoteInvalidReason
{
    /// <summary>The quote's lifetime ran out.</summary>
    Expired,

    /// <summary>The carrier's price for the plan is no longer the quoted one.</summary>
    PriceChanged,

    /// <summary>The carrier no longer offers the plan.</summary>
    PlanWithdrawn,

    /// <summary>The price holds but the offer does not: the data (with any bonus) is no longer what was quoted.</summary>
    OfferChanged,
}

/// <summary>
/// The quote the person saw can no longer be paid: it expired, or the price changed. Nothing was
/// charged; ask for a new quote and show it.
/// </summary>
public sealed class QuoteNoLongerValidException : DataRenewException
{
    /// <summary>Creates the error.</summary>
    public QuoteNoLongerValidException(QuoteInvalidReason reason, Money quotedPrice, Money? currentPrice)
        : base(Describe(reason, quotedPrice, currentPrice))
    {
        Reason = reason;
        QuotedPrice = quotedPrice;
        CurrentPrice = currentPrice;
    }

    /// <summary>Why the quote can no longer be paid.</summary>
    public QuoteInvalidReason Reason { get; }

    /// <summary>The price on the quote.</summary>
    public Money QuotedPrice { get; }

    /// <summary>The carrier's price now, when the plan is still offered.</summary>
    public Money? CurrentPrice { get; }

    private static string Describe(QuoteInvalidReason reason, Money quoted, Money? current) => reason switch
    {
        QuoteInvalidReason.Expired => $"The quote for {quoted} has expired; request a new quote.",
        QuoteInvalidReason.PriceChanged => $"The price changed from {quoted} to {current}; request a new quote and confirm the new price.",
        QuoteInvalidReason.OfferChanged => $"The offer changed since the quote (the data or a promotion is no longer the same); request a new quote and confirm it.",
        _ => "The plan is no longer offered; choose another plan.",
    };
}

/// <summary>
/// A call that changes something was sent but its outcome is unknown (the connection dropped or timed
/// out after sending). The renewal is not repeated: waiting again or resuming reads the outcome back.
/// </summary>
public sealed class OutcomeUnknownException : DataRenewException
{
    /// <summary>Creates the error.</summary>
    public OutcomeUnknownException(string message, DataRenewErrorDetails details, Exception? innerException = null)
        : base(message, details with { IsTransient = true }, innerException) { }
}

/// <summary>No renewal with this id is in the journal.</summary>
public sealed class RenewalNotFoundException : DataRenewException
{
    /// <summary>Creates the error.</summary>
    public RenewalNotFoundException(RenewalId renewalId)
        : base($"No renewal '{renewalId}' is in the journal.") => RenewalId = renewalId;

    /// <summary>The renewal asked for.</summary>
    public RenewalId RenewalId { get; }
}

/// <summary>
/// The line already has a renewal that has not finished, at a carrier that cannot de-duplicate orders: one renewal per
/// line at a time there. Wait for it (or resume it, <see cref="RenewalId"/>) before starting another. Such a carrier's
/// lost answers are settled by reading the line, where two renewals of one line cannot be told apart.
/// </summary>
public sealed class RenewalInProgressException : DataRenewException
{
    /// <summary>Creates the error.</summary>
    public RenewalInProgressException(RenewalId renewalId, RenewalState state)
        : base($"The line already has renewal '{renewalId}' in progress ({state}); wait for it or resume it before starting another on it.")
    {
        RenewalId = renewalId;
        State = state;
    }

    /// <summary>The unfinished renewal of the line.</summary>
    public RenewalId RenewalId { get; }

    /// <summary>Where it stands.</summary>
    public RenewalState State { get; }
}

/// <summary>
/// The carrier could not be reached or did not answer usefully: a timeout, a dropped connection, a 5xx,
/// an open circuit. Always transient. <see cref="RequestNotSent"/> tells whether the request provably
/// never reached the carrier (so nothing there can have acted on it).
/// </summary>
public sealed class CarrierUnavailableException : DataRenewException
{
    /// <summary>Creates the error.</summary>
    public CarrierUnavailableException(string message, DataRenewErrorDetails details, bool requestNotSent = false, Exception? innerException = null)
        : base(message, details with { IsTransient = true }, innerException) => RequestNotSent = requestNotSent;

    /// <summary>
    /// <see langword="true"/> when the request never left this process or never got a connection
    /// (a refused connection, an open circuit breaker, a full queue): the carrier cannot have acted on it.
    /// </summary>
    public bool RequestNotSent { get; }
}

/// <summary>
/// The carrier answered with something the SDK cannot read: malformed or truncated JSON, a missing
/// required field, a body larger than the limit, more pages than the limit. Transient: a read may be
/// tried again; a write whose answer could not be read surfaces as <see cref="OutcomeUnknownException"/>.
/// </summary>
public sealed class InvalidCarrierResponseException : DataRenewException
{
    /// <summary>Creates the error.</summary>
    public InvalidCarrierResponseException(string message, DataRenewErrorDetails details, Exception? innerException = null)
        : base(message, details with { IsTransient = true }, innerException) { }
}

/// <summary>
/// The carrier refused the request for a reason the SDK has no narrower type for (an unknown account,
/// a missing resource, a request it considers malformed). Asking again gets the same answer; the raw
/// code is in <see cref="DataRenewException.CarrierErrorCode"/>.
/// </summary>
public sealed class CarrierRejectedException : DataRenewException
{
    /// <summary>Creates the error.</summary>
    public CarrierRejectedException(string message, DataRenewErrorDetails details, Exception? innerException = null)
        : base(message, details with { IsTransient = false }, innerException) { }
}
