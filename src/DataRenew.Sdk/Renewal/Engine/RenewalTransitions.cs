using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk.Renewal;

/// <summary>
/// Every state change of a renewal, as pure functions <c>(record, outcome) → record</c>: no I/O, no clock (the time
/// is passed in), so the whole machine can be read, drawn and tested from this one file. The driver
/// (<see cref="RenewalDriver"/>) journals each result before it sends the next request.
/// </summary>
/// <remarks>
/// <code>
/// state                step (side effect)          outcome                          → next state
/// ──────────────────── ─────────────────────────── ──────────────────────────────── ──────────────────────────────
/// Started              charge (gateway)            sent (journaled first)           → Charging
///  (carrier collects)  order (carrier)             sent (journaled first)           → Ordering
/// Charging             read back by key, or charge succeeded                        → Paid
///                                                  requires action / processing     → AwaitingPayerAction / PaymentProcessing
///                                                  declined, refused (first try)    → Failed
///                                                  declined, refused (after a lost) → NeedsAttention
///                                                  proven not sent                  → Charging (lease released)
/// AwaitingPayerAction  poll payment (or order)     as Charging; deadline passed     → cancel → Failed / NeedsAttention
/// PaymentProcessing    poll payment                as Charging; deadline passed     → cancel → Failed / NeedsAttention
/// Paid                 order (carrier)             sent (journaled first)           → Ordering
/// Ordering             look up, or order           accepted                         → Confirming (or AwaitingPayerAction)
///                                                  completed at once                → Completed
///                                                  refused, first try or settled    → Refunding (paid) / Failed
///                                                  refused after a lost try         → NeedsAttention
///                                                  lost, carrier without keys       → look up until the deadline → NeedsAttention
/// Confirming           poll order / callback       completed                        → Completed
///                                                  failed                           → Refunding (paid) / Failed
///                                                  deadline passed                  → NeedsAttention
/// Refunding            refund (gateway)            refunded                         → Failed (refunded)
///                                                  refused, or 10 tries             → NeedsAttention
/// </code>
/// Completed, Failed and NeedsAttention are final. Every step with an earlier attempt reads its outcome back first.
/// </remarks>
internal static class RenewalTransitions
{
    /// <summary>A charge is about to be sent: counted first, so a lost answer is read back, never charged again.</summary>
    public static RenewalRecord Charging(RenewalRecord record) => record with { State = RenewalState.Charging, ChargeAttempts = record.ChargeAttempts + 1 };

    /// <summary>The gateway declined. On a first try no money moved; after a lost answer, the first try may still land.</summary>
    public static RenewalRecord ChargeDeclined(RenewalRecord record, PaymentDecline decline) =>
        ChargeRefusedAs(record, new RenewalFailure(RenewalFailureKind.PaymentDeclined, decline.Message, decline.Code));

    /// <summary>The gateway answered "no" (not a decline by the bank); as a decline otherwise.</summary>
    public static RenewalRecord ChargeRefused(RenewalRecord record, DataRenewException refused) =>
        ChargeRefusedAs(record, new RenewalFailure(RenewalFailureKind.PaymentFailed, refused.Message, refused.CarrierErrorCode));

    /// <summary>What a gateway's answer about this renewal's charge makes of it.</summary>
    public static RenewalRecord WithPayment(RenewalRecord record, PaymentResult result, DateTimeOffset now, DataRenewOptions options)
    {
        // A gateway must answer for this renewal's charge; anything else is not this renewal's money.
        if (result.IdempotencyKey != record.PaymentIdempotencyKey || result.Amount != record.Price)
        {
            return NeedsAttention(record, new RenewalFailure(RenewalFailureKind.PaymentMismatch,
                $"The gateway answered with payment {result.PaymentId} ({result.Amount}, key {result.IdempotencyKey}), not this renewal's charge of {record.Price}; check both payments."));
        }

        return result.Status switch
        {
            PaymentStatus.Succeeded => record with { State = RenewalState.Paid, PaymentId = result.PaymentId, PayerAction = null, WaitDeadline = null },
            PaymentStatus.Declined => Fail(record with { PaymentId = result.PaymentId }, new RenewalFailure(
                RenewalFailureKind.PaymentDeclined,
                result.Decline?.Message ?? PaymentDecline.FromCode("card_declined").Message,
                result.Decline?.Code)),
            PaymentStatus.Canceled => Fail(record with { PaymentId = result.PaymentId }, new RenewalFailure(
                RenewalFailureKind.PaymentDeclined, "The payment was cancelled; no money moved.", "canceled")),
            _ => record with
            {
                State = result.Status == PaymentStatus.RequiresAction ? RenewalState.AwaitingPayerAction : RenewalState.PaymentProcessing,
                PaymentId = result.PaymentId,
                PayerAction = result.PayerAction,
                WaitDeadline = record.State is RenewalState.AwaitingPayerAction or RenewalState.PaymentProcessing && record.WaitDeadline is not null
                    ? record.WaitDeadline
                    : now + options.PayerActionTimeout,
            },
        };
    }

    /// <summary>
    /// The answer to the cancel sent at a payment's deadline: cancelled is Failed with no money moved; approved at the last
    /// moment goes on; still waiting is null (asked again) until <paramref name="givenUp"/>, then a person must check.
    /// </summary>
    public static RenewalRecord? AfterCancel(RenewalRecord record, PaymentResult cancelled, DateTimeOffset now, DataRenewOptions options, bool givenUp)
    {
        var (kind, what) = PaymentWait(record);
        if (cancelled.PaymentId != record.PaymentId || cancelled.IdempotencyKey != record.PaymentIdempotencyKey || cancelled.Amount != record.Price)
        {
            return NeedsAttention(record, new RenewalFailure(RenewalFailureKind.PaymentMismatch,
                $"The gateway answered the cancel of payment {record.PaymentId} with payment {cancelled.PaymentId} ({cancelled.Amount}, key {cancelled.IdempotencyKey}); check both payments."));
        }

        var next = cancelled.Status == PaymentStatus.Canceled
            ? Fail(record, new RenewalFailure(kind, $"{what} within {options.PayerActionTimeout}; the payment was cancelled and no money moved."))
            : WithPayment(record, cancelled, now, options);
        if (!next.IsFinal && next.State is RenewalState.AwaitingPayerAction or RenewalState.PaymentProcessing)
        {
            return givenUp
                ? NeedsAttention(record, new RenewalFailure(kind, $"{what} within {options.PayerActionTimeout}, and the gateway has not cancelled payment {record.PaymentId}; it may still go through. Check it before trying again."))
                : null;
        }

        return next;
    }

    /// <summary>The payment's deadline passed and it could not be cancelled: a person must check it.</summary>
    public static RenewalRecord CancelFailed(RenewalRecord record, DataRenewOptions options, string why, string? code = null)
    {
        var (kind, what) = PaymentWait(record);
        return NeedsAttention(record, new RenewalFailure(kind,
            $"{what} within {options.PayerActionTimeout}, and payment {record.PaymentId} could not be cancelled ({why}); it may still go through. Check it before trying again.", code));
    }

    /// <summary>The payment could not even be read before its deadline, nor cancelled.</summary>
    public static RenewalRecord PaymentUnreadable(RenewalRecord record, string why) => NeedsAttention(record, new RenewalFailure(
        record.State == RenewalState.AwaitingPayerAction ? RenewalFailureKind.PayerActionTimedOut : RenewalFailureKind.PaymentTimedOut,
        $"The state of payment {record.PaymentId} could not be read before the deadline ({why}), nor could it be cancelled; check it before trying again."));

    /// <summary>An order is about to be sent: counted first, so a lost answer is looked up before anything is resent.</summary>
    public static RenewalRecord Ordering(RenewalRecord record, DateTimeOffset now) =>
        record with { State = RenewalState.Ordering, OrderAttempts = record.OrderAttempts + 1, OrderedAt = record.OrderedAt ?? now };

    /// <summary>
    /// Whether a resend of the order under its key is safe: the carrier de-duplicates and still keeps the key (the first
    /// try was sent within its window, less a lease for the answer on its way). A renewal journaled before the first
    /// try's time was kept has it in its one Ordering version's time; with more tries than one, it is not resent.
    /// </summary>
    public static bool ResendIsSafe(RenewalRecord record, CarrierDescriptor carrier, DateTimeOffset now, DataRenewOptions options) =>
        carrier.DeduplicatesOrders && (record.OrderAttempts == 0
            || (record.OrderedAt ?? (record is { OrderAttempts: 1, State: RenewalState.Ordering } ? record.UpdatedAt : null)) is { } first
                && now - first < carrier.DeduplicationWindow - options.LeaseDuration);

    /// <summary>
    /// The carrier refused the order. After a lost answer the first try may still apply (refunding then would give the
    /// plan away), unless the carrier de-duplicates and still keeps the key (<paramref name="resendWasSafe"/>): it answers
    /// every try under the key with one outcome, so its definite answer, in its own error shape (a code of its own, not a
    /// proxy's page), settles the earlier tries too, except one saying the key was used for another request (409).
    /// </summary>
    public static RenewalRecord OrderRefused(RenewalRecord record, DataRenewException refused, bool resendWasSafe, string supportContact)
    {
        var failure = refused is PaymentDeclinedException declined
            ? new RenewalFailure(RenewalFailureKind.PaymentDeclined, declined.Decline.Message, declined.Decline.Code)
            : new RenewalFailure(RenewalFailureKind.CarrierRefused, refused.Message, refused.CarrierErrorCode);
        var settlesEarlierTries = record.OrderAttempts == 1 || (resendWasSafe && refused.StatusCode != 409 && refused.CarrierErrorCode is not null);
        return settlesEarlierTries ? AfterOrderFailed(record, failure) : NeedsAttention(record, failure with
        {
            Message = $"{refused.Message} An earlier try of this order may still apply; check with {supportContact} quoting renewal {record.Id}{PaymentToQuote(record)} before refunding.",
        });
    }

    /// <summary>The version an order's status makes of a renewal: what a poll and a callback both apply.</summary>
    public static RenewalRecord WithOrder(RenewalRecord record, CarrierOrder order, DateTimeOffset now, DataRenewOptions options, string supportContact) => order.Status switch
    {
        CarrierOrderStatus.Completed => record with
        {
            State = RenewalState.Completed,
            Order = order,
            WaitDeadline = null,
            Receipt = new RenewalReceipt(record.Id, record.Carrier, order.OrderId, order.ConfirmationNumber ?? order.OrderId, record.Line, record.Plan,
                record.Price, record.Payment, order.EffectiveAt ?? now, now, supportContact),
        },
        CarrierOrderStatus.Failed => AfterOrderFailed(record with { Order = order }, new RenewalFailure(
            RenewalFailureKind.CarrierFailed, order.FailureReason ?? "The carrier could not apply the plan.", order.FailureCode)),
        _ when order.PayerAction is not null => record with
        {
            State = RenewalState.AwaitingPayerAction,
            Order = order,
            PayerAction = order.PayerAction,
            WaitDeadline = record.State == RenewalState.AwaitingPayerAction && record.WaitDeadline is not null ? record.WaitDeadline : now + options.PayerActionTimeout,
        },
        _ => record with
        {
            State = RenewalState.Confirming,
            Order = order,
            PayerAction = null,
            WaitDeadline = record.State == RenewalState.Confirming && record.WaitDeadline is not null ? record.WaitDeadline : now + options.ConfirmationTimeout,
        },
    };

    /// <summary>
    /// A status a carrier called back with, or null when it changes nothing: the renewal is final (except a renewal that
    /// needs attention whose order the carrier now reports completed), not waiting on this order, or the status is not
    /// final (a late "pending" after "success").
    /// </summary>
    public static RenewalRecord? WithCallbackStatus(RenewalRecord record, CarrierOrder order, DateTimeOffset now, DataRenewOptions options, string supportContact)
    {
        if (record.Order is null || !string.Equals(record.Order.OrderId, order.OrderId, StringComparison.Ordinal))
        {
            return null;
        }

        // The carrier completed an order a person was told to check (it was not confirmed in time): record the success,
        // so nobody pays again for a plan that applied.
        if (record.State == RenewalState.NeedsAttention && order.Status == CarrierOrderStatus.Completed && record.RefundId is null)
        {
            return WithOrder(record with { Failure = null }, order, now, options, supportContact);
        }

        if (record.IsFinal
            || record.State is not (RenewalState.Confirming or RenewalState.AwaitingPayerAction)
            || order.Status is not (CarrierOrderStatus.Completed or CarrierOrderStatus.Failed))
        {
            return null;
        }

        return WithOrder(record, order, now, options, supportContact);
    }

    /// <summary>An order whose answer was lost at a carrier without keys: looked up (never resent) until this deadline.</summary>
    public static RenewalRecord OrderInDoubt(RenewalRecord record, DateTimeOffset now, DataRenewOptions options) => record with { WaitDeadline = now + options.ConfirmationTimeout };

    /// <summary>The lost order never showed at the carrier by the deadline: a person must check, it was not resent.</summary>
    public static RenewalRecord OrderInDoubtTimedOut(RenewalRecord record, DataRenewOptions options, string carrierName, string supportContact) =>
        NeedsAttention(record, new RenewalFailure(RenewalFailureKind.ConfirmationTimedOut,
            $"The order for renewal {record.Id} was sent to {carrierName} but its answer was lost, and the carrier shows no order or plan change for it after {options.ConfirmationTimeout}. "
            + $"It was not sent again (the carrier cannot de-duplicate orders, or no longer keeps this one's key). Contact {supportContact} quoting renewal {record.Id}{(record.PaymentId is null ? "." : $" and payment {record.PaymentId}; refund it if no order exists.")}"));

    /// <summary>The order's status could not be read before the deadline.</summary>
    public static RenewalRecord OrderUnreadable(RenewalRecord record, string why, string supportContact) => NeedsAttention(record, new RenewalFailure(RenewalFailureKind.ConfirmationTimedOut,
        $"The status of order {record.Order!.OrderId} could not be read before the deadline ({why}). The payment stands; contact {supportContact} quoting order {record.Order.OrderId}."));

    /// <summary>The payer did not act on the carrier's payment request in time.</summary>
    public static RenewalRecord OrderPayerActionTimedOut(RenewalRecord record, DataRenewOptions options, string supportContact) => NeedsAttention(record, new RenewalFailure(RenewalFailureKind.PayerActionTimedOut,
        $"The payer did not complete the payment for order {record.Order!.OrderId} within {options.PayerActionTimeout}; the carrier may still complete it. Contact {supportContact} quoting order {record.Order.OrderId}."));

    /// <summary>The carrier did not confirm the order in time.</summary>
    public static RenewalRecord ConfirmationTimedOut(RenewalRecord record, DataRenewOptions options, string supportContact) => NeedsAttention(record, new RenewalFailure(RenewalFailureKind.ConfirmationTimedOut,
        $"The carrier did not confirm order {record.Order!.OrderId} within {options.ConfirmationTimeout}. The payment stands; contact {supportContact} quoting order {record.Order.OrderId}."));

    /// <summary>The carrier did not apply the plan: refund what was paid through a gateway, else it simply failed.</summary>
    public static RenewalRecord AfterOrderFailed(RenewalRecord record, RenewalFailure failure) =>
        record.PaymentId is null
            ? record with { State = RenewalState.Failed, Failure = failure, PayerAction = null, WaitDeadline = null }
            : record with { State = RenewalState.Refunding, Failure = failure, WaitDeadline = null };

    /// <summary>A refund is about to be sent: counted first, and every try carries the refund's own key.</summary>
    public static RenewalRecord Refunding(RenewalRecord record) => record with { RefundAttempts = record.RefundAttempts + 1 };

    /// <summary>The money went back.</summary>
    public static RenewalRecord Refunded(RenewalRecord record, string refundId) => record with { State = RenewalState.Failed, RefundId = refundId };

    /// <summary>Money moved, the plan was not applied and the gateway will not give it back: a person must.</summary>
    public static RenewalRecord RefundFailed(RenewalRecord record, string why, string supportContact, string? code = null) => NeedsAttention(record, new RenewalFailure(RenewalFailureKind.RefundFailed,
        $"{record.Failure?.Message} The refund of payment {record.PaymentId} failed ({why}); contact {supportContact}.", code));

    /// <summary>The app gave up on a renewal that provably moved no money.</summary>
    public static RenewalRecord Abandoned(RenewalRecord record) => record with
    {
        State = RenewalState.Failed,
        Failure = new RenewalFailure(RenewalFailureKind.Abandoned, "The renewal was abandoned before any payment; no money moved."),
        LeaseOwner = null,
        LeaseUntil = null,
    };

    /// <summary>
    /// The app gave up on a renewal whose charge was sent with an outcome never read, and the gateway shows no payment
    /// for its key: that proves nothing while the send could still land (a stalled process), so a person must check.
    /// </summary>
    public static RenewalRecord AbandonedAfterUnknownCharge(RenewalRecord record) => NeedsAttention(record, new RenewalFailure(RenewalFailureKind.Abandoned,
        $"The renewal was abandoned after a charge was sent whose answer was never read; the gateway shows no payment for key {record.PaymentIdempotencyKey} now, "
        + "but a send that was held up could still land. Check that key with the payment gateway (and refund it if it went through)."))
        with { LeaseOwner = null, LeaseUntil = null };

    /// <summary>
    /// A charge of this renewal landed after the renewal ended (its sender was held up past its lease) and was given
    /// back: recorded, never dropped, so the journal never says no money moved when some did.
    /// </summary>
    public static RenewalRecord LateChargeReturned(RenewalRecord latest, string paymentId, string refundId, bool refunded) => latest with
    {
        State = latest.State == RenewalState.Completed ? RenewalState.NeedsAttention : RenewalState.Failed,
        PaymentId = latest.PaymentId ?? paymentId,
        RefundId = latest.RefundId ?? refundId,
        Failure = new RenewalFailure(
            latest.Failure?.Kind ?? RenewalFailureKind.PaymentMismatch,
            $"{latest.Failure?.Message} A charge of {latest.Price} (payment {paymentId}) went through after this renewal had ended; it was {(refunded ? "refunded" : "cancelled")} ({refundId}).".TrimStart(),
            latest.Failure?.Code),
    };

    /// <summary>A charge that landed after the renewal ended could not be given back: a person must.</summary>
    public static RenewalRecord LateChargeKept(RenewalRecord latest, string paymentId, string why, string supportContact) => NeedsAttention(latest with { PaymentId = latest.PaymentId ?? paymentId }, new RenewalFailure(
        RenewalFailureKind.RefundFailed,
        $"{latest.Failure?.Message} A charge of {latest.Price} (payment {paymentId}) went through after this renewal had ended, and could not be given back ({why}); refund it by hand or contact {supportContact}.".TrimStart()));

    /// <summary>The carrier accepted an order of this renewal after it ended: the plan may apply; a person must check.</summary>
    public static RenewalRecord LateOrder(RenewalRecord latest, CarrierOrder order, string supportContact) => NeedsAttention(latest with { Order = order }, new RenewalFailure(
        latest.Failure?.Kind ?? RenewalFailureKind.ConfirmationTimedOut,
        $"{latest.Failure?.Message} The carrier accepted order {order.OrderId} for this renewal after it had ended ({latest.State}); the plan may apply. Check with {supportContact} quoting order {order.OrderId}{PaymentToQuote(latest)}.".TrimStart(),
        latest.Failure?.Code));

    /// <summary>
    /// A version as it is written: once final, without the payer-action link (a payment page, a QR code) that only the
    /// payer needed while the renewal waited on them.
    /// </summary>
    public static RenewalRecord AsWritten(RenewalRecord record) =>
        record.IsFinal && (record.PayerAction is not null || record.Order?.PayerAction is not null)
            ? record with { PayerAction = null, Order = record.Order is { } order ? order with { PayerAction = null } : null }
            : record;

    public static RenewalRecord Fail(RenewalRecord record, RenewalFailure failure) =>
        record with { State = RenewalState.Failed, Failure = failure, PayerAction = null, WaitDeadline = null };

    public static RenewalRecord NeedsAttention(RenewalRecord record, RenewalFailure failure) =>
        record with { State = RenewalState.NeedsAttention, Failure = failure };

    private static RenewalRecord ChargeRefusedAs(RenewalRecord record, RenewalFailure failure) =>
        record.ChargeAttempts == 1 ? Fail(record, failure) : NeedsAttention(record, failure with
        {
            Message = $"{failure.Message} An earlier try of this charge (key {record.PaymentIdempotencyKey}) may still go through; check it.",
        });

    private static (RenewalFailureKind Kind, string What) PaymentWait(RenewalRecord record) => record.State == RenewalState.AwaitingPayerAction
        ? (RenewalFailureKind.PayerActionTimedOut, "The payer did not complete the payment")
        : (RenewalFailureKind.PaymentTimedOut, "The payment did not settle");

    private static string PaymentToQuote(RenewalRecord record) => record.PaymentId is null ? string.Empty : $" and payment {record.PaymentId}";
}
