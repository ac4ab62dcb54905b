using DataRenew.Sdk.Diagnostics;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using Microsoft.Extensions.Logging;
using static DataRenew.Sdk.Renewal.RenewalTransitions;

namespace DataRenew.Sdk.Renewal;

/// <summary>
/// One drive of one renewal, under its gate: runs the step its state calls for (the side effects: charge, order, poll,
/// refund), journals what <see cref="RenewalTransitions"/> makes of each outcome, and pauses on the injected clock between
/// polls. Every side effect is preceded by a journal write that counts the attempt and takes the lease.
/// </summary>
internal sealed class RenewalDriver(RenewalEngine engine, RenewalContext context, IProgress<RenewalRecord>? progress, DriveMode mode)
{
    private const int MaxConsecutiveTransientFailures = 5;
    private const int MaxRefundAttempts = 10;
    private readonly bool _wait = mode == DriveMode.UntilFinal;
    private int _polls;
    private bool _polledOnce;
    private int _transientFailures;
    private RenewalId _id;

    private TimeProvider Time => engine.Time;

    private DataRenewOptions Options => engine.Options;

    private ILogger Logger => engine.Logger;

    private string SupportContact => context.Provider.Descriptor.SupportContactOrName;

    private bool CarrierCollectsPayment => context.Provider.Descriptor.CollectsPayment;

    private bool CarrierDeduplicates => context.Provider.Descriptor.DeduplicatesOrders;

    private IPaymentGateway Gateway => context.Gateway ?? throw new InvalidOperationException("A renewal whose carrier collects the payment has no gateway step.");

    private DateTimeOffset Now => Time.GetUtcNow();

    public async Task<RenewalRecord> RunAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        _id = record.Id;
        while (!record.IsFinal)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // A status the carrier called back with is applied first, as if a poll had just answered it.
            record = await engine.ApplyPostedAsync(record, progress).ConfigureAwait(false);
            if (record.IsFinal)
            {
                break;
            }

            var polling = record.State is RenewalState.AwaitingPayerAction or RenewalState.PaymentProcessing or RenewalState.Confirming;
            if (polling && (mode == DriveMode.UntilWaiting || (mode == DriveMode.PollOnce && _polledOnce)))
            {
                return record;
            }

            // Polls have no side effects; the other steps wait while a request (anyone's, or ours whose answer was lost) may be in flight.
            if (!polling && engine.Leases.Left(record, ownResendIsSafe: record.State == RenewalState.Ordering && ResendIsSafe(record, context.Provider.Descriptor, Now, Options)) is { } leaseLeft)
            {
                if (!_wait)
                {
                    return record;
                }

                var pause = Backoff(_polls++);
                await DelayAsync(leaseLeft < pause ? leaseLeft : pause, cancellationToken).ConfigureAwait(false);
                record = await engine.Journal.GetAsync(record.Id, cancellationToken).ConfigureAwait(false) ?? record;
                continue;
            }

            _polledOnce |= polling;

            RenewalRecord? next;
            try
            {
                next = record.State switch
                {
                    RenewalState.Started when CarrierCollectsPayment => await OrderAsync(record, cancellationToken).ConfigureAwait(false),
                    RenewalState.Started or RenewalState.Charging => await ChargeAsync(record, cancellationToken).ConfigureAwait(false),
                    RenewalState.AwaitingPayerAction when record.Order is not null => await PollOrderAsync(record, cancellationToken).ConfigureAwait(false),
                    RenewalState.AwaitingPayerAction or RenewalState.PaymentProcessing => await PollPaymentAsync(record, cancellationToken).ConfigureAwait(false),
                    RenewalState.Paid or RenewalState.Ordering => await OrderAsync(record, cancellationToken).ConfigureAwait(false),
                    RenewalState.Confirming => await PollOrderAsync(record, cancellationToken).ConfigureAwait(false),
                    RenewalState.Refunding => await RefundAsync(record, cancellationToken).ConfigureAwait(false),
                    _ => throw new InvalidOperationException($"Unknown renewal state {record.State}."),
                };
                _transientFailures = 0;
            }
            catch (Exception ex) when (_wait && RenewalErrors.IsTransient(ex, cancellationToken) && ++_transientFailures < MaxConsecutiveTransientFailures)
            {
                // The step's attempt is journaled: the next round reads its outcome back before repeating it.
                Log.StepFailedTransiently(Logger, record.Id, record.State, ex.GetType().Name);
                await DelayAsync(Backoff(_transientFailures - 1), cancellationToken).ConfigureAwait(false);
                record = await engine.Journal.GetAsync(record.Id, cancellationToken).ConfigureAwait(false) ?? record;
                continue;
            }

            if (next is null)
            {
                // Nothing changed and nothing more can be done without waiting.
                if (!_wait)
                {
                    return record;
                }

                await DelayAsync(DelayBefore(record), cancellationToken).ConfigureAwait(false);
                continue;
            }

            record = next;
        }

        return record;
    }

    private async Task<RenewalRecord?> ChargeAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        var gateway = Gateway;
        if (record.ChargeAttempts > 0)
        {
            // A charge was sent before: its outcome decides, never a second charge without the same key.
            var earlier = await BoundedAsync(ct => gateway.FindByIdempotencyKeyAsync(record.PaymentIdempotencyKey, ct), cancellationToken).ConfigureAwait(false);
            if (earlier is not null)
            {
                return await SaveAsync(WithPayment(record, earlier, Now, Options)).ConfigureAwait(false);
            }
        }

        var method = context.PaymentMethod ?? throw new DataRenewValidationException(
            "paymentMethod",
            $"Renewal '{record.Id}' has not been charged yet; resume it with the payment method ({record.Payment}) to continue, or abandon it.");
        var before = record;
        record = await SaveAsync(Charging(record)).ConfigureAwait(false);
        PaymentResult result;
        try
        {
            var request = new ChargeRequest(record.PaymentIdempotencyKey, record.Price, method, $"{record.Plan.Name} for {record.Line.PhoneNumber?.ToMaskedString() ?? record.Line.Id.ToMaskedString()}");
            result = await BoundedAsync(ct => gateway.ChargeAsync(request, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (PaymentDeclinedException declined)
        {
            return await SaveAsync(ChargeDeclined(record, declined.Decline)).ConfigureAwait(false);
        }
        catch (DataRenewException refused) when (RenewalErrors.IsDefiniteRefusal(refused))
        {
            return await SaveAsync(ChargeRefused(record, refused)).ConfigureAwait(false);
        }
        catch (Exception ex) when (RenewalLeases.ProvesNothingWasSent(ex))
        {
            // A first charge that provably never left is no try at all (the renewal can then be abandoned); the gateway's
            // word alone (throttled) keeps the attempt, so it is read back by key first.
            await ReleaseLeaseAsync(before.ChargeAttempts == 0 && RenewalLeases.ProvesNeverLeft(ex) ? before with { Version = record.Version } : record).ConfigureAwait(false);
            throw;
        }

        DataRenewDiagnostics.PaymentOutcomes.Add(1,
            new KeyValuePair<string, object?>("carrier", record.Carrier.Value),
            new KeyValuePair<string, object?>("status", result.Status.ToString()));
        return await SaveAsync(WithPayment(record, result, Now, Options)).ConfigureAwait(false);
    }

    private async Task<RenewalRecord?> PollPaymentAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        PaymentResult result;
        try
        {
            result = await BoundedAsync(ct => Gateway.GetPaymentAsync(record.PaymentId!, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (DeadlinePassed(record) && !cancellationToken.IsCancellationRequested)
        {
            // The cancel needs no read: try it, so a payment that cannot be read cannot be approved later either.
            RenewalRecord? cancelled = null;
            try
            {
                cancelled = await CancelPaymentAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception cancelFailed) when (!cancellationToken.IsCancellationRequested)
            {
                Log.StepFailedTransiently(Logger, record.Id, record.State, cancelFailed.GetType().Name);
            }

            return await SaveAsync(cancelled ?? PaymentUnreadable(record, ex.Message)).ConfigureAwait(false);
        }

        var next = WithPayment(record, result, Now, Options);
        if (next.State != record.State)
        {
            return await SaveAsync(next).ConfigureAwait(false);
        }

        if (DeadlinePassed(record))
        {
            var after = await CancelPaymentAsync(record, cancellationToken).ConfigureAwait(false);
            return after is null ? null : await SaveAsync(after).ConfigureAwait(false);
        }

        return null;
    }

    // At the deadline the payment is cancelled, so a late approval cannot take money for a renewal that gave up.
    // Null: the cancel is not settled yet (asked again after a pause, until the cancel is given up).
    private async Task<RenewalRecord?> CancelPaymentAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        var givenUp = record.WaitDeadline is { } deadline && Now >= deadline + Options.PayerActionTimeout;
        try
        {
            var cancelled = await BoundedAsync(ct => Gateway.CancelAsync(record.PaymentId!, ct), cancellationToken).ConfigureAwait(false);
            return AfterCancel(record, cancelled, Now, Options, givenUp);
        }
        catch (Exception ex) when (RenewalErrors.IsTransient(ex, cancellationToken) && givenUp)
        {
            return CancelFailed(record, Options, ex.Message);
        }
        catch (DataRenewException ex) when (RenewalErrors.IsDefiniteRefusal(ex))
        {
            return CancelFailed(record, Options, ex.Message, ex.CarrierErrorCode);
        }
    }

    private async Task<RenewalRecord?> OrderAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        var orders = context.Provider.Orders;
        if (record.OrderAttempts > 0)
        {
            var earlier = await orders.FindByRenewalAsync(context.Session, OrderRequestOf(record), cancellationToken).ConfigureAwait(false);
            if (earlier is not null)
            {
                return await SaveAsync(WithOrder(record, earlier, Now, Options, SupportContact)).ConfigureAwait(false);
            }

            if (!ResendIsSafe(record, context.Provider.Descriptor, Now, Options))
            {
                return await OrderInDoubtAsync(record).ConfigureAwait(false);
            }
        }

        var method = context.PaymentMethod;
        if (CarrierCollectsPayment && method is null)
        {
            throw new DataRenewValidationException(
                "paymentMethod",
                $"Renewal '{record.Id}' has not been ordered yet and {context.Provider.Descriptor.DisplayName} takes the payment with the order; resume it with the payment method ({record.Payment}) to continue, or abandon it.");
        }

        var before = record;
        var resendIsSafe = ResendIsSafe(before, context.Provider.Descriptor, Now, Options);
        record = await SaveAsync(Ordering(record, Now)).ConfigureAwait(false);
        CarrierOrder order;
        try
        {
            var request = OrderRequestOf(record) with { PaymentMethod = CarrierCollectsPayment ? method : null };
            order = await orders.SubmitAsync(context.Session, request, cancellationToken).ConfigureAwait(false);
        }
        catch (DataRenewException refused) when (RenewalErrors.IsDefiniteRefusal(refused))
        {
            Log.OrderRefused(Logger, record.Id, refused.CarrierErrorCode);
            return await SaveAsync(OrderRefused(record, refused, resendIsSafe, SupportContact)).ConfigureAwait(false);
        }
        catch (Exception ex) when (RenewalLeases.ProvesNothingWasSent(ex))
        {
            // Nothing reached the carrier. A first try that provably never left is no try at all: the renewal is as before
            // it (it may be sent later, or abandoned, since nothing moved). A carrier with keys is trusted with less (a
            // throttled or refused-credentials answer is its word, not proof): its attempt stays journaled, so the order is
            // looked up first and a later refusal is not mistaken for a first answer.
            var unsent = before.OrderAttempts == 0 && (!CarrierDeduplicates || RenewalLeases.ProvesNeverLeft(ex));
            await ReleaseLeaseAsync(unsent ? before with { Version = record.Version } : record).ConfigureAwait(false);
            throw;
        }

        return await SaveAsync(WithOrder(record, order, Now, Options, SupportContact)).ConfigureAwait(false);
    }

    // The renewal's order as journaled: what every try sends, and what an adapter is told when it looks the order up.
    private static CarrierOrderRequest OrderRequestOf(RenewalRecord record) =>
        new(record.Id, record.Line, record.Plan, record.Price, record.Payment, record.PaymentId) { IdempotencyKey = record.OrderIdempotencyKey };

    // An order was sent, its answer was lost, and the carrier has no key to de-duplicate a resend: look, never resend.
    private async Task<RenewalRecord?> OrderInDoubtAsync(RenewalRecord record)
    {
        if (record.WaitDeadline is null)
        {
            return await SaveAsync(OrderInDoubt(record, Now, Options)).ConfigureAwait(false);
        }

        return DeadlinePassed(record)
            ? await SaveAsync(OrderInDoubtTimedOut(record, Options, context.Provider.Descriptor.DisplayName, SupportContact)).ConfigureAwait(false)
            : null;
    }

    private async Task<RenewalRecord?> PollOrderAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        CarrierOrder order;
        try
        {
            order = await context.Provider.Orders.GetAsync(context.Session, record.Order!, OrderRequestOf(record), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (DeadlinePassed(record) && !cancellationToken.IsCancellationRequested)
        {
            return await SaveAsync(OrderUnreadable(record, ex.Message, SupportContact)).ConfigureAwait(false);
        }

        // Anything but a final answer (including a status this SDK does not know) counts as still pending.
        if (order.Status is CarrierOrderStatus.Completed or CarrierOrderStatus.Failed)
        {
            return await SaveAsync(WithOrder(record, order, Now, Options, SupportContact)).ConfigureAwait(false);
        }

        if (order.PayerAction is not null || record.State == RenewalState.AwaitingPayerAction)
        {
            var next = WithOrder(record, order, Now, Options, SupportContact);
            if (next.State != record.State || next.PayerAction != record.PayerAction)
            {
                return await SaveAsync(next).ConfigureAwait(false);
            }
        }

        if (DeadlinePassed(record))
        {
            return await SaveAsync(record.State == RenewalState.AwaitingPayerAction
                ? OrderPayerActionTimedOut(record, Options, SupportContact)
                : ConfirmationTimedOut(record, Options, SupportContact)).ConfigureAwait(false);
        }

        return null;
    }

    private async Task<RenewalRecord?> RefundAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        if (record.RefundAttempts >= MaxRefundAttempts)
        {
            return await SaveAsync(RefundFailed(record, $"{MaxRefundAttempts} tries did not get an answer", SupportContact)).ConfigureAwait(false);
        }

        record = await SaveAsync(Refunding(record)).ConfigureAwait(false);
        RefundResult refund;
        try
        {
            var request = new RefundRequest(record.PaymentId!, record.Price, record.RefundIdempotencyKey, record.Failure?.Message ?? "The carrier did not apply the plan.");
            refund = await BoundedAsync(ct => Gateway.RefundAsync(request, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (DataRenewException refused) when (RenewalErrors.IsDefiniteRefusal(refused))
        {
            return await SaveAsync(RefundFailed(record, refused.Message, SupportContact, refused.CarrierErrorCode)).ConfigureAwait(false);
        }
        catch (Exception ex) when (RenewalLeases.ProvesNothingWasSent(ex))
        {
            await ReleaseLeaseAsync(record).ConfigureAwait(false);
            throw;
        }

        DataRenewDiagnostics.Refunds.Add(1, new KeyValuePair<string, object?>("carrier", record.Carrier.Value));
        return await SaveAsync(Refunded(record, refund.RefundId)).ConfigureAwait(false);
    }

    /// <summary>
    /// A gateway call, bounded well inside the lease (<see cref="DataRenewOptions.PaymentCallTimeout"/>) as the carriers'
    /// calls are by the kit: once it gives up, the outcome is read back by key before anything is repeated.
    /// </summary>
    private async Task<T> BoundedAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var timeout = Options.EffectivePaymentCallTimeout;
        using var bound = new CancellationTokenSource(timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        try
        {
            return await call(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OutcomeUnknownException($"The payment gateway did not answer within {timeout}; the outcome is read back before anything is sent again.", new DataRenewErrorDetails(), ex);
        }
    }

    private bool DeadlinePassed(RenewalRecord record) => record.WaitDeadline is { } deadline && Now >= deadline;

    private async Task<RenewalRecord> SaveAsync(RenewalRecord next)
    {
        var now = Now;
        next = AsWritten(next) with
        {
            Version = next.Version + 1,
            UpdatedAt = now,
            LeaseOwner = next.IsFinal ? null : engine.Leases.Owner,
            LeaseUntil = next.IsFinal ? null : now + Options.LeaseDuration,
        };

        // A journal write is not cancelled half way: the side effect it guards may already have happened.
        try
        {
            await engine.Journal.AppendAsync(next, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RenewalConflictException)
        {
            // Another client moved the renewal on while this one's request was out (this process was held up past its
            // lease). What the request did must not be dropped: a charge or an order the renewal no longer knows is fenced.
            await FenceLateOutcomeAsync(next).ConfigureAwait(false);
            throw;
        }

        engine.Journaled(next);
        progress?.Report(next);
        return next;
    }

    /// <summary>
    /// When the renewal ended while this client's charge or order was out, and that charge or order then went through,
    /// gives the money back (refund, or cancel when it is not settled) and records it on the renewal, or records the late
    /// order for a person: never a journal that says no money moved when some did. While the renewal is not final its
    /// driver reads the outcome back by key itself.
    /// </summary>
    private async Task FenceLateOutcomeAsync(RenewalRecord outcome)
    {
        var lateCharge = outcome.PaymentId is not null && outcome.State is RenewalState.Paid or RenewalState.PaymentProcessing or RenewalState.AwaitingPayerAction;
        var lateOrder = outcome.Order is not null && outcome.State is RenewalState.Confirming or RenewalState.AwaitingPayerAction or RenewalState.Completed;
        if (!lateCharge && !lateOrder)
        {
            return;
        }

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var latest = await engine.Journal.GetAsync(outcome.Id, CancellationToken.None).ConfigureAwait(false);
            if (latest is null || !latest.IsFinal
                || (lateCharge && latest.PaymentId == outcome.PaymentId)
                || (lateOrder && latest.Order?.OrderId == outcome.Order!.OrderId))
            {
                return;
            }

            var fenced = lateCharge ? await ReturnLateChargeAsync(latest, outcome).ConfigureAwait(false) : LateOrder(latest, outcome.Order!, SupportContact);
            fenced = AsWritten(fenced) with { Version = latest.Version + 1, UpdatedAt = Now, LeaseOwner = null, LeaseUntil = null };
            try
            {
                await engine.Journal.AppendAsync(fenced, CancellationToken.None).ConfigureAwait(false);
                engine.Journaled(fenced);
                progress?.Report(fenced);
                return;
            }
            catch (RenewalConflictException)
            {
                // Yet another writer: look again.
            }
        }
    }

    private async Task<RenewalRecord> ReturnLateChargeAsync(RenewalRecord latest, RenewalRecord outcome)
    {
        var paymentId = outcome.PaymentId!;
        try
        {
            if (outcome.State == RenewalState.Paid)
            {
                var request = new RefundRequest(paymentId, outcome.Price, outcome.RefundIdempotencyKey, "The renewal had ended when this charge went through.");
                var refund = await BoundedAsync(ct => Gateway.RefundAsync(request, ct), CancellationToken.None).ConfigureAwait(false);
                DataRenewDiagnostics.Refunds.Add(1, new KeyValuePair<string, object?>("carrier", outcome.Carrier.Value));
                return LateChargeReturned(latest, paymentId, refund.RefundId, refunded: true);
            }

            var cancelled = await BoundedAsync(ct => Gateway.CancelAsync(paymentId, ct), CancellationToken.None).ConfigureAwait(false);
            return cancelled.Status == PaymentStatus.Canceled
                ? LateChargeReturned(latest, paymentId, "cancelled", refunded: false)
                : LateChargeKept(latest, paymentId, $"the gateway answered the cancel with {cancelled.Status}", SupportContact);
        }
        catch (Exception ex) when (ex is DataRenewException or HttpRequestException or IOException or OperationCanceledException)
        {
            return LateChargeKept(latest, paymentId, ex.Message, SupportContact);
        }
    }

    // The failure proves the request was not acted on (see ProvesNothingWasSent): nobody need wait out the lease.
    // Best effort: if the journal cannot take it, the lease simply runs out.
    private async Task ReleaseLeaseAsync(RenewalRecord record)
    {
        try
        {
            var released = record with { Version = record.Version + 1, UpdatedAt = Now, LeaseOwner = null, LeaseUntil = null };
            await engine.Journal.AppendAsync(released, CancellationToken.None).ConfigureAwait(false);
            progress?.Report(released);
        }
        catch (Exception ex) when (ex is DataRenewException or IOException)
        {
            Log.StepFailedTransiently(Logger, record.Id, record.State, ex.GetType().Name);
        }
    }

    private TimeSpan DelayBefore(RenewalRecord record)
    {
        var delay = Backoff(_polls);
        _polls++;

        // Do not sleep past a deadline still ahead; once it has passed (a cancel not settled yet) keep pausing.
        if (record.WaitDeadline is { } deadline && deadline - Now is var left && left > TimeSpan.Zero && left < delay)
        {
            delay = left;
        }

        return delay;
    }

    private TimeSpan Backoff(int attempt)
    {
        var ms = Options.PollInitialDelay.TotalMilliseconds * Math.Pow(Options.PollBackoffFactor, Math.Min(attempt, 30));
        ms = Math.Min(ms, Options.PollMaxDelay.TotalMilliseconds);
        if (Options.PollJitter)
        {
            ms *= 0.8 + (Random.Shared.NextDouble() * 0.4);
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    // A pause ends early when a carrier callback is posted for this renewal: the loop then applies it.
    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        var posted = engine.PostedSignal(_id);
        if (posted.IsCompleted)
        {
            return;
        }

        // Continuations stay synchronous: a fake clock's Advance runs the drive on to its next pause, as before.
        using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delayed = Task.Delay(delay, Time, pause.Token);
        if (await Task.WhenAny(delayed, posted).ConfigureAwait(false) == delayed)
        {
            await delayed.ConfigureAwait(false);
            return;
        }

        pause.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
