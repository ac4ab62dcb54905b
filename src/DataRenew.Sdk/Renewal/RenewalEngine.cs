using System.Collections.Concurrent;
using DataRenew.Sdk.Diagnostics;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using Microsoft.Extensions.Logging;

namespace DataRenew.Sdk.Renewal;

/// <summary>
/// The renewal state machine: charge → order → confirm → (refund). Each side effect is preceded by a
/// journal write that counts the attempt, and a step with an earlier attempt reads the outcome back
/// (payment by idempotency key, order by renewal id) before it sends anything again.
/// </summary>
/// <summary>How far one drive of a renewal goes.</summary>
internal enum DriveMode
{
    /// <summary>Every step that needs no waiting; stops before the first status poll (starting, resuming).</summary>
    UntilWaiting,

    /// <summary>Every step that needs no waiting, and at most one status poll (an app polling by hand).</summary>
    PollOnce,

    /// <summary>Until a final state, sleeping between polls on the injected clock.</summary>
    UntilFinal,
}

internal sealed class RenewalEngine(IRenewalJournal journal, TimeProvider time, DataRenewOptions options, ILogger logger)
{
    private const int MaxConsecutiveTransientFailures = 5;
    private readonly ConcurrentDictionary<RenewalId, SemaphoreSlim> _drivers = new();

    public IRenewalJournal Journal { get; } = journal;

    private TimeProvider Time { get; } = time;

    private DataRenewOptions Options { get; } = options;

    private ILogger Logger { get; } = logger;

    public async Task<RenewalRecord> CreateAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        await Journal.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        Log.RenewalStarted(Logger, record.Id, record.Carrier, record.Line.Iccid.ToMaskedString(), record.Plan.Code, record.Price);
        DataRenewDiagnostics.RenewalsStarted.Add(1, new KeyValuePair<string, object?>("carrier", record.Carrier.Value));
        return record;
    }

    /// <summary>Moves the renewal on, as far as <paramref name="mode"/> allows.</summary>
    public async Task<RenewalRecord> DriveAsync(RenewalId id, RenewalContext context, DriveMode mode, IProgress<RenewalRecord>? progress, CancellationToken cancellationToken)
    {
        var gate = _drivers.GetOrAdd(id, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var activity = DataRenewDiagnostics.StartActivity("DriveRenewal", context.Provider.Descriptor.Id);
        activity?.SetTag("datarenew.renewal_id", id.Value);
        try
        {
            // Re-read under the gate: another driver in this process may have moved it on.
            var record = await Journal.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new RenewalNotFoundException(id);
            var driver = new Driver(this, context, progress, mode);
            record = await driver.RunAsync(record, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("datarenew.state", record.State.ToString());
            return record;
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed class Driver(RenewalEngine engine, RenewalContext context, IProgress<RenewalRecord>? progress, DriveMode mode)
    {
        private readonly bool _wait = mode == DriveMode.UntilFinal;
        private int _polls;
        private bool _polledOnce;
        private int _transientFailures;

        private TimeProvider Time => engine.Time;

        private DataRenewOptions Options => engine.Options;

        public async Task<RenewalRecord> RunAsync(RenewalRecord record, CancellationToken cancellationToken)
        {
            while (!record.IsFinal)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var polling = record.State is RenewalState.AwaitingPayerAction or RenewalState.PaymentProcessing or RenewalState.Confirming;
                if (polling && (mode == DriveMode.UntilWaiting || (mode == DriveMode.PollOnce && _polledOnce)))
                {
                    return record;
                }

                _polledOnce |= polling;

                RenewalRecord? next;
                try
                {
                    next = record.State switch
                    {
                        RenewalState.Started or RenewalState.Charging => await ChargeAsync(record, cancellationToken).ConfigureAwait(false),
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
                    Log.StepFailedTransiently(engine.Logger, record.Id, record.State, ex.GetType().Name);
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
            var gateway = context.Gateway;
            if (record.ChargeAttempts > 0)
            {
                // A charge was sent before: its outcome decides, never a second charge without the same key.
                var earlier = await gateway.FindByIdempotencyKeyAsync(record.PaymentIdempotencyKey, cancellationToken).ConfigureAwait(false);
                if (earlier is not null)
                {
                    return await SaveAsync(ApplyPayment(record, earlier)).ConfigureAwait(false);
                }
            }

            var method = context.PaymentMethod ?? throw new DataRenewValidationException(
                "paymentMethod",
                $"Renewal '{record.Id}' has not been charged yet; resume it with the payment method ({record.Payment}) to continue.");
            record = await SaveAsync(record with { State = RenewalState.Charging, ChargeAttempts = record.ChargeAttempts + 1 }).ConfigureAwait(false);
            PaymentResult result;
            try
            {
                var request = new ChargeRequest(record.PaymentIdempotencyKey, record.Price, method, $"{record.Plan.Name} for {record.Line.PhoneNumber?.ToMaskedString() ?? record.Line.Iccid.ToMaskedString()}");
                result = await gateway.ChargeAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (PaymentDeclinedException declined)
            {
                return await SaveAsync(Fail(record, new RenewalFailure(RenewalFailureKind.PaymentDeclined, declined.Decline.Message, declined.Decline.Code))).ConfigureAwait(false);
            }
            catch (DataRenewException refused) when (RenewalErrors.IsDefiniteRefusal(refused))
            {
                // The gateway answered "no": no money moved, and asking again would get the same answer.
                return await SaveAsync(Fail(record, new RenewalFailure(RenewalFailureKind.PaymentFailed, refused.Message, refused.CarrierErrorCode))).ConfigureAwait(false);
            }

            DataRenewDiagnostics.PaymentOutcomes.Add(1,
                new KeyValuePair<string, object?>("carrier", record.Carrier.Value),
                new KeyValuePair<string, object?>("status", result.Status.ToString()));
            return await SaveAsync(ApplyPayment(record, result)).ConfigureAwait(false);
        }

        private async Task<RenewalRecord?> PollPaymentAsync(RenewalRecord record, CancellationToken cancellationToken)
        {
            var result = await context.Gateway.GetPaymentAsync(record.PaymentId!, cancellationToken).ConfigureAwait(false);
            var next = ApplyPayment(record, result);
            if (next.State != record.State)
            {
                return await SaveAsync(next).ConfigureAwait(false);
            }

            if (record.WaitDeadline is { } deadline && Time.GetUtcNow() >= deadline)
            {
                var (kind, what) = record.State == RenewalState.AwaitingPayerAction
                    ? (RenewalFailureKind.PayerActionTimedOut, "The payer did not complete the payment")
                    : (RenewalFailureKind.PaymentTimedOut, "The payment did not settle");
                return await SaveAsync(NeedsAttention(record, new RenewalFailure(kind,
                    $"{what} within {Options.PayerActionTimeout}; payment {record.PaymentId} may still go through. Check it before trying again."))).ConfigureAwait(false);
            }

            return null;
        }

        private RenewalRecord ApplyPayment(RenewalRecord record, PaymentResult result) => result.Status switch
        {
            PaymentStatus.Succeeded => record with { State = RenewalState.Paid, PaymentId = result.PaymentId, PayerAction = null, WaitDeadline = null },
            PaymentStatus.Declined => Fail(record with { PaymentId = result.PaymentId }, new RenewalFailure(
                RenewalFailureKind.PaymentDeclined,
                result.Decline?.Message ?? PaymentDecline.FromCode("card_declined").Message,
                result.Decline?.Code)),
            _ => record with
            {
                State = result.Status == PaymentStatus.RequiresAction ? RenewalState.AwaitingPayerAction : RenewalState.PaymentProcessing,
                PaymentId = result.PaymentId,
                PayerAction = result.PayerAction,
                WaitDeadline = record.State is RenewalState.AwaitingPayerAction or RenewalState.PaymentProcessing && record.WaitDeadline is not null
                    ? record.WaitDeadline
                    : Time.GetUtcNow() + Options.PayerActionTimeout,
            },
        };

        private async Task<RenewalRecord?> OrderAsync(RenewalRecord record, CancellationToken cancellationToken)
        {
            var orders = context.Provider.Orders;
            if (record.OrderAttempts > 0)
            {
                var earlier = await orders.FindByRenewalAsync(context.Session, record.Id, record.Line, cancellationToken).ConfigureAwait(false);
                if (earlier is not null)
                {
                    return await SaveAsync(ApplyOrder(record, earlier)).ConfigureAwait(false);
                }
            }

            record = await SaveAsync(record with { State = RenewalState.Ordering, OrderAttempts = record.OrderAttempts + 1 }).ConfigureAwait(false);
            CarrierOrder order;
            try
            {
                var request = new CarrierOrderRequest(record.Id, record.Line, record.Plan, record.Price, record.Payment, record.PaymentId);
                order = await orders.SubmitAsync(context.Session, request, cancellationToken).ConfigureAwait(false);
            }
            catch (DataRenewException refused) when (RenewalErrors.IsDefiniteRefusal(refused))
            {
                Log.OrderRefused(engine.Logger, record.Id, refused.CarrierErrorCode);
                return await SaveAsync(AfterOrderFailed(record, new RenewalFailure(RenewalFailureKind.CarrierRefused, refused.Message, refused.CarrierErrorCode))).ConfigureAwait(false);
            }

            return await SaveAsync(ApplyOrder(record, order)).ConfigureAwait(false);
        }

        private async Task<RenewalRecord?> PollOrderAsync(RenewalRecord record, CancellationToken cancellationToken)
        {
            var order = await context.Provider.Orders.GetAsync(context.Session, record.Order!, cancellationToken).ConfigureAwait(false);
            if (order.Status != CarrierOrderStatus.Pending)
            {
                return await SaveAsync(ApplyOrder(record, order)).ConfigureAwait(false);
            }

            if (record.WaitDeadline is { } deadline && Time.GetUtcNow() >= deadline)
            {
                return await SaveAsync(NeedsAttention(record, new RenewalFailure(RenewalFailureKind.ConfirmationTimedOut,
                    $"The carrier did not confirm order {record.Order!.OrderId} within {Options.ConfirmationTimeout}. The payment stands; contact {SupportContact} quoting order {record.Order.OrderId}."))).ConfigureAwait(false);
            }

            return null;
        }

        private RenewalRecord ApplyOrder(RenewalRecord record, CarrierOrder order)
        {
            var now = Time.GetUtcNow();
            return order.Status switch
            {
                CarrierOrderStatus.Completed => record with
                {
                    State = RenewalState.Completed,
                    Order = order,
                    WaitDeadline = null,
                    Receipt = new RenewalReceipt(record.Id, record.Carrier, order.OrderId, order.ConfirmationNumber ?? order.OrderId, record.Line, record.Plan,
                        record.Price, record.Payment, order.EffectiveAt ?? now, now, SupportContact),
                },
                CarrierOrderStatus.Failed => AfterOrderFailed(record with { Order = order }, new RenewalFailure(
                    RenewalFailureKind.CarrierFailed, order.FailureReason ?? "The carrier could not apply the plan.", order.FailureCode)),
                _ => record with
                {
                    State = RenewalState.Confirming,
                    Order = order,
                    WaitDeadline = record.State == RenewalState.Confirming && record.WaitDeadline is not null ? record.WaitDeadline : now + Options.ConfirmationTimeout,
                },
            };
        }

        private static RenewalRecord AfterOrderFailed(RenewalRecord record, RenewalFailure failure) =>
            record.PaymentId is null
                ? Fail(record, failure)
                : record with { State = RenewalState.Refunding, Failure = failure, WaitDeadline = null };

        private async Task<RenewalRecord?> RefundAsync(RenewalRecord record, CancellationToken cancellationToken)
        {
            record = await SaveAsync(record with { RefundAttempts = record.RefundAttempts + 1 }).ConfigureAwait(false);
            RefundResult refund;
            try
            {
                refund = await context.Gateway.RefundAsync(
                    new RefundRequest(record.PaymentId!, record.Price, record.RefundIdempotencyKey, record.Failure?.Message ?? "The carrier did not apply the plan."),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (DataRenewException refused) when (RenewalErrors.IsDefiniteRefusal(refused))
            {
                // Money moved, the plan was not applied and the gateway will not give it back: a person must.
                return await SaveAsync(NeedsAttention(record, new RenewalFailure(RenewalFailureKind.RefundFailed,
                    $"{record.Failure?.Message} The refund of payment {record.PaymentId} was refused ({refused.Message}); contact {SupportContact}.",
                    refused.CarrierErrorCode))).ConfigureAwait(false);
            }

            DataRenewDiagnostics.Refunds.Add(1, new KeyValuePair<string, object?>("carrier", record.Carrier.Value));
            return await SaveAsync(record with { State = RenewalState.Failed, RefundId = refund.RefundId }).ConfigureAwait(false);
        }

        private static RenewalRecord Fail(RenewalRecord record, RenewalFailure failure) =>
            record with { State = RenewalState.Failed, Failure = failure, PayerAction = null, WaitDeadline = null };

        private static RenewalRecord NeedsAttention(RenewalRecord record, RenewalFailure failure) =>
            record with { State = RenewalState.NeedsAttention, Failure = failure };

        private string SupportContact => context.Provider.Descriptor.SupportContact is { Length: > 0 } contact ? contact : context.Provider.Descriptor.DisplayName + " support";

        private async Task<RenewalRecord> SaveAsync(RenewalRecord next)
        {
            next = next with { Version = next.Version + 1, UpdatedAt = Time.GetUtcNow() };

            // A journal write is not cancelled half way: the side effect it guards may already have happened.
            await engine.Journal.AppendAsync(next, CancellationToken.None).ConfigureAwait(false);
            Log.StateChanged(engine.Logger, next.Id, next.State, next.Version);
            if (next.IsFinal)
            {
                DataRenewDiagnostics.RenewalsFinished.Add(1,
                    new KeyValuePair<string, object?>("carrier", next.Carrier.Value),
                    new KeyValuePair<string, object?>("state", next.State.ToString()));
                engine._drivers.TryRemove(next.Id, out _);
            }

            progress?.Report(next);
            return next;
        }

        private TimeSpan DelayBefore(RenewalRecord record)
        {
            var delay = Backoff(_polls);
            _polls++;
            if (record.WaitDeadline is { } deadline)
            {
                var left = deadline - Time.GetUtcNow();
                delay = left <= TimeSpan.Zero ? TimeSpan.Zero : (left < delay ? left : delay);
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

        private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
            delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, Time, cancellationToken);
    }
}
