using DataRenew.Sdk.Renewal;

namespace DataRenew.Sdk.Callbacks;

/// <summary>What became of one carrier callback.</summary>
public enum CallbackOutcome
{
    /// <summary>Verified, and it moved the renewal on (completed it, or sent it to the refund).</summary>
    Applied,

    /// <summary>Verified, and it changed nothing: a repeat, a late "pending", or a renewal already past that point.</summary>
    Unchanged,

    /// <summary>Verified, but not an event about an order (another event type); nothing was applied.</summary>
    Ignored,

    /// <summary>Verified, but no unfinished renewal waits on that order (yet): the carrier may deliver it again.</summary>
    UnknownOrder,

    /// <summary>The signature or the credentials are missing or wrong; the body was not acted on.</summary>
    Unauthorized,

    /// <summary>The body is not a callback this carrier sends (not JSON, wrong shape, no order id).</summary>
    Malformed,

    /// <summary>The body is larger than <see cref="CarrierCallbacks.MaxBodyBytes"/>; it was not read.</summary>
    TooLarge,

    /// <summary>No callback listener is configured for that carrier (no adapter, or no callback credentials or hub secret).</summary>
    NotConfigured,
}

/// <summary>
/// What a host answers a carrier callback with. Never carries the body, the credentials or the signature.
/// </summary>
/// <param name="Outcome">What became of the callback.</param>
/// <param name="Message">Why, in words for a log (no secrets).</param>
public sealed record CallbackResult(CallbackOutcome Outcome, string Message)
{
    /// <summary>The renewal the callback was about, once found.</summary>
    public RenewalId? RenewalId { get; init; }

    /// <summary>The renewal's state after the callback, once found.</summary>
    public RenewalState? State { get; init; }

    /// <summary>
    /// The HTTP status a host should answer with: 200 when handled (applied, unchanged or ignored, so the carrier stops
    /// resending), 404 for an unknown order or a carrier without a listener, 401, 400 or 413 for a refused body.
    /// </summary>
    public int HttpStatusCode => Outcome switch
    {
        CallbackOutcome.Applied or CallbackOutcome.Unchanged or CallbackOutcome.Ignored => 200,
        CallbackOutcome.Unauthorized => 401,
        CallbackOutcome.Malformed => 400,
        CallbackOutcome.TooLarge => 413,
        _ => 404,
    };

    /// <summary>Whether the callback was verified and handled (the carrier need not send it again).</summary>
    public bool Handled => HttpStatusCode == 200;
}
