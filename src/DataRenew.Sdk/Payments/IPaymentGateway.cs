namespace DataRenew.Sdk.Payments;

/// <summary>
/// Takes payments for renewals: a card processor, a wallet, or the carrier's own billing. Every charge
/// carries an idempotency key that the gateway must honour: the same key charges at most once.
/// </summary>
public interface IPaymentGateway
{
    /// <summary>Charges, or returns the payment already made with the same idempotency key.</summary>
    Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a payment back by its idempotency key; <see langword="null"/> when no charge with that key reached the gateway.</summary>
    Task<PaymentResult?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Reads a payment's current state (after payer action, or while processing).</summary>
    Task<PaymentResult> GetPaymentAsync(string paymentId, CancellationToken cancellationToken = default);

    /// <summary>Refunds a payment, or returns the refund already made with the same idempotency key.</summary>
    Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a payment that has not completed (awaiting the payer, or processing), so that it can no longer
    /// take money. Returns the payment's final state: <see cref="PaymentStatus.Canceled"/>, or
    /// <see cref="PaymentStatus.Succeeded"/> when it completed before the cancel arrived.
    /// </summary>
    Task<PaymentResult> CancelAsync(string paymentId, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of a charge.</summary>
public enum PaymentStatus
{
    /// <summary>Money moved.</summary>
    Succeeded,

    /// <summary>The payer must act (3-D Secure, PayPal approval, Alipay or WeChat QR) before money moves.</summary>
    RequiresAction,

    /// <summary>Accepted; the outcome follows later.</summary>
    Processing,

    /// <summary>Refused; no money moved.</summary>
    Declined,

    /// <summary>Cancelled before it completed; no money moved.</summary>
    Canceled,
}

/// <summary>A charge to make.</summary>
/// <param name="IdempotencyKey">The same for every try of one charge; the gateway charges at most once per key.</param>
/// <param name="Amount">What to charge.</param>
/// <param name="Method">How to pay.</param>
/// <param name="Description">What the payer sees on the statement.</param>
public sealed record ChargeRequest(string IdempotencyKey, Money Amount, PaymentMethod Method, string Description)
{
    /// <summary>Shows the key, the amount and the masked method.</summary>
    public override string ToString() => $"Charge {Amount} to {Method.Summary} (key {IdempotencyKey})";
}

/// <summary>What the payer must do before the payment can go on.</summary>
public enum PayerActionKind
{
    /// <summary>Open a URL (PayPal approval, 3-D Secure page).</summary>
    Redirect,

    /// <summary>Show a QR code made of <see cref="PayerAction.Payload"/> (Alipay, WeChat Pay).</summary>
    QrCode,
}

/// <summary>What the app must show so the payer can approve the payment.</summary>
/// <param name="Kind">A page to open or a QR code to show.</param>
/// <param name="Payload">The URL, or the QR code's content.</param>
public sealed record PayerAction(PayerActionKind Kind, string Payload)
{
    /// <summary>The kind only: the payload can be a bearer link to the payment.</summary>
    public override string ToString() => $"{Kind} (payload hidden)";
}

/// <summary>Why a payment was declined, in words a person understands.</summary>
/// <param name="Code">The processor's code, such as <c>insufficient_funds</c>.</param>
/// <param name="Message">What to tell the payer.</param>
public sealed record PaymentDecline(string Code, string Message)
{
    /// <summary>A decline with the standard message for a well-known code.</summary>
    public static PaymentDecline FromCode(string code) => new(code, code switch
    {
        "insufficient_funds" => "The card has insufficient funds. Try another card or payment method.",
        "expired_card" => "The card has expired. Use a card that is still valid.",
        "incorrect_cvc" => "The security code (CVV) is incorrect.",
        "do_not_honor" or "card_declined" => "The bank declined the card. Contact the bank or use another payment method.",
        "lost_card" or "stolen_card" => "The bank declined the card. Use another payment method.",
        "processing_error" => "The payment could not be processed. Try again in a few minutes.",
        _ => "The payment was declined. Try another payment method.",
    });
}

/// <summary>A payment's state.</summary>
/// <param name="PaymentId">The gateway's id for the payment.</param>
/// <param name="IdempotencyKey">The key the charge was made with.</param>
/// <param name="Status">The outcome so far.</param>
/// <param name="Amount">The amount charged or to be charged.</param>
/// <param name="Method">The masked payment method.</param>
/// <param name="PayerAction">What the payer must do, when <see cref="PaymentStatus.RequiresAction"/>.</param>
/// <param name="Decline">Why it was declined, when <see cref="PaymentStatus.Declined"/>.</param>
public sealed record PaymentResult(
    string PaymentId,
    string IdempotencyKey,
    PaymentStatus Status,
    Money Amount,
    PaymentMethodSummary Method,
    PayerAction? PayerAction = null,
    PaymentDecline? Decline = null);

/// <summary>A refund to make.</summary>
/// <param name="PaymentId">The payment to refund.</param>
/// <param name="Amount">How much to give back.</param>
/// <param name="IdempotencyKey">The same for every try of one refund.</param>
/// <param name="Reason">Why, for the records.</param>
public sealed record RefundRequest(string PaymentId, Money Amount, string IdempotencyKey, string Reason);

/// <summary>A refund made.</summary>
/// <param name="RefundId">The gateway's id for the refund.</param>
/// <param name="PaymentId">The payment refunded.</param>
/// <param name="Amount">The amount given back.</param>
public sealed record RefundResult(string RefundId, string PaymentId, Money Amount);
