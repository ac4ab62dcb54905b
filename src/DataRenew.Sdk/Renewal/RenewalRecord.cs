using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk.Renewal;

/// <summary>Where a renewal stands. The last three are final.</summary>
public enum RenewalState
{
    /// <summary>Recorded; nothing sent yet.</summary>
    Started,

    /// <summary>A charge was (or is about to be) sent; its outcome is read back before anything is repeated.</summary>
    Charging,

    /// <summary>The payer must act: see <see cref="RenewalRecord.PayerAction"/>.</summary>
    AwaitingPayerAction,

    /// <summary>The payment was accepted and is being processed.</summary>
    PaymentProcessing,

    /// <summary>Paid; the carrier order is next.</summary>
    Paid,

    /// <summary>The carrier order was (or is about to be) sent; it is looked up before anything is repeated.</summary>
    Ordering,

    /// <summary>The carrier accepted the order; its status is being polled.</summary>
    Confirming,

    /// <summary>The carrier refused after payment; the payment is being refunded.</summary>
    Refunding,

    /// <summary>Final: the plan was applied. See <see cref="RenewalRecord.Receipt"/>.</summary>
    Completed,

    /// <summary>Final: the renewal did not happen; any money that moved was refunded. See <see cref="RenewalRecord.Failure"/>.</summary>
    Failed,

    /// <summary>Final for the SDK: the outcome could not be settled in time; a person must check with the carrier, quoting the reference.</summary>
    NeedsAttention,
}

/// <summary>Why a renewal failed or needs attention.</summary>
public enum RenewalFailureKind
{
    /// <summary>The payment was declined; no money moved.</summary>
    PaymentDeclined,

    /// <summary>The payment gateway refused the charge (not a decline by the bank); no money moved.</summary>
    PaymentFailed,

    /// <summary>The carrier refused the order.</summary>
    CarrierRefused,

    /// <summary>The carrier accepted the order, then reported that it failed.</summary>
    CarrierFailed,

    /// <summary>The carrier did not confirm the order in time.</summary>
    ConfirmationTimedOut,

    /// <summary>The payer did not complete the payment action in time.</summary>
    PayerActionTimedOut,

    /// <summary>The payment stayed processing past the deadline.</summary>
    PaymentTimedOut,

    /// <summary>The carrier did not apply the plan and the gateway refused the refund: money must be returned by hand.</summary>
    RefundFailed,

    /// <summary>The app abandoned the renewal before any payment reached the gateway.</summary>
    Abandoned,

    /// <summary>The gateway answered with a payment that is not this renewal's (another key or amount).</summary>
    PaymentMismatch,
}

/// <summary>Why a renewal failed or needs attention, in words a person understands, with the raw code.</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Message">What to tell the person.</param>
/// <param name="Code">The carrier's or processor's raw code, when there was one.</param>
public sealed record RenewalFailure(RenewalFailureKind Kind, string Message, string? Code = null);

/// <summary>
/// One version of a renewal as the journal keeps it: everything needed to resume it, and nothing
/// secret (the payment method is masked; no token, password or card number is ever here).
/// </summary>
public sealed record RenewalRecord
{
    /// <summary>The renewal's id.</summary>
    public required RenewalId Id { get; init; }

    /// <summary>Starts at 1 and grows by one with every journal write.</summary>
    public required int Version { get; init; }

    /// <summary>Where the renewal stands.</summary>
    public required RenewalState State { get; init; }

    /// <summary>The carrier.</summary>
    public required CarrierId Carrier { get; init; }

    /// <summary>The account the renewal was started from.</summary>
    public required string AccountId { get; init; }

    /// <summary>The line renewed.</summary>
    public required Line Line { get; init; }

    /// <summary>The plan bought.</summary>
    public required Plan Plan { get; init; }

    /// <summary>The price charged: the quoted price.</summary>
    public required Money Price { get; init; }

    /// <summary>The masked payment method.</summary>
    public required PaymentMethodSummary Payment { get; init; }

    /// <summary>When the renewal started.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When this version was written.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>How many times a charge was sent (at most one succeeds: every try uses <see cref="PaymentIdempotencyKey"/>).</summary>
    public int ChargeAttempts { get; init; }

    /// <summary>The gateway's payment id, once known.</summary>
    public string? PaymentId { get; init; }

    /// <summary>What the payer must do, while <see cref="RenewalState.AwaitingPayerAction"/>.</summary>
    public PayerAction? PayerAction { get; init; }

    /// <summary>Until when the engine waits for the payer or the carrier, in the states that wait.</summary>
    public DateTimeOffset? WaitDeadline { get; init; }

    /// <summary>How many times the carrier order was sent (every try carries the renewal id).</summary>
    public int OrderAttempts { get; init; }

    /// <summary>When the first try of the carrier order was sent (a resend under its key is safe only while the carrier keeps the key).</summary>
    public DateTimeOffset? OrderedAt { get; init; }

    /// <summary>The carrier order, once the carrier accepted it.</summary>
    public CarrierOrder? Order { get; init; }

    /// <summary>How many times a refund was sent (every try uses <see cref="RefundIdempotencyKey"/>).</summary>
    public int RefundAttempts { get; init; }

    /// <summary>The gateway's refund id, once refunded.</summary>
    public string? RefundId { get; init; }

    /// <summary>The receipt, once completed.</summary>
    public RenewalReceipt? Receipt { get; init; }

    /// <summary>
    /// The client that wrote this version while driving the renewal. Until <see cref="LeaseUntil"/> its
    /// request may still be on the wire, so other clients do not read back and resend meanwhile.
    /// </summary>
    public string? LeaseOwner { get; init; }

    /// <summary>Until when <see cref="LeaseOwner"/> holds the renewal (see <see cref="DataRenewOptions.LeaseDuration"/>).</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>Why it failed or needs attention.</summary>
    public RenewalFailure? Failure { get; init; }

    /// <summary>
    /// A random part made when the renewal was created, in every idempotency key of it: a renewal id used again after its
    /// renewal was compacted away starts a renewal whose charge, order and refund keys no gateway or carrier has seen.
    /// <see langword="null"/> for renewals journaled before keys had one.
    /// </summary>
    public string? IdempotencyNonce { get; init; }

    /// <summary>The key every charge of this renewal is sent with.</summary>
    public string PaymentIdempotencyKey => KeyBase + ":charge";

    /// <summary>The key every refund of this renewal is sent with.</summary>
    public string RefundIdempotencyKey => KeyBase + ":refund";

    /// <summary>The key every try of this renewal's carrier order is sent with.</summary>
    public string OrderIdempotencyKey => KeyBase;

    private string KeyBase => IdempotencyNonce is null ? Id.Value : Id.Value + ":" + IdempotencyNonce;

    /// <summary>Whether the renewal reached a final state.</summary>
    public bool IsFinal => State is RenewalState.Completed or RenewalState.Failed or RenewalState.NeedsAttention;

    /// <summary>Whether money moved and was given back.</summary>
    public bool WasRefunded => RefundId is not null;

    /// <summary>The id, state, plan, price and masked line and account; never the full account number or a payer-action link.</summary>
    public override string ToString() =>
        $"Renewal {Id} v{Version} {State}: {Plan.Code} for {Price} on line {Line.Id.ToMaskedString()}, account {Account.Mask(AccountId)}, paid with {Payment}"
        + (Failure is null ? string.Empty : $" ({Failure.Kind}: {Failure.Message})");
}
