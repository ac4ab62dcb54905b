using System.Collections.Concurrent;
using DataRenew.Sdk.Diagnostics;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using Microsoft.Extensions.Logging;

namespace DataRenew.Sdk.Renewal;

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

/// <summary>
/// The renewal state machine: charge → order → confirm → (refund). Each side effect is preceded by a
/// journal write that counts the attempt and takes a lease on the renewal; a step with an earlier attempt
/// reads the outcome back (payment by idempotency key, order by renewal id) before it sends anything again,
/// and never while another client's lease says its request may still be on the wire.
/// </summary>
internal sealed class RenewalEngine(IRenewalJournal journal, TimeProvider time, DataRenewOptions options, ILogger logger)
{
    private const int MaxConsecutiveTransientFailures = 5;
    private const int MaxRefundAttempts = 10;
    private readonly ConcurrentDictionary<RenewalId, SemaphoreSlim> _drivers = new();
    private readonly ConcurrentDictionary<RenewalId, (int Version, long SeenAt)> _leasesSeen = new();
    private readonly ConcurrentDictionary<RenewalId, CallbackInbox> _inboxes = new();
    private readonly RecentEntries<(CarrierId Carrier, string OrderId), RenewalId> _finishedOrders = new(RecentEntries<(CarrierId, string), RenewalId>.DefaultCapacity);

    public IRenewalJournal Journal { get; } = journal;

    /// <summary>This client's name in leases: unique per engine, so two clients in one process are told apart too.</summary>
    public string Owner { get; } = Guid.NewGuid().ToString("N");

    private TimeProvider Time { get; } = time;

    private DataRenewOptions Options { get; } = options;

    private ILogger Logger { get; } = logger;

    /// <summary>
    /// How long the record's lease still holds for this client, or null. The lease's length is the writer's own
    /// (LeaseUntil - UpdatedAt, both on its clock) and is counted from when this client first saw that version,
    /// on this client's monotonic clock: no wall-clock comparison between two machines.
    /// It binds this client too when the record says a send of ours ended without a journaled outcome, unless
    /// <paramref name="ownResendIsSafe"/>: the carrier de-duplicates by the renewal's key, so our resend cannot add an order.
    /// </summary>
    internal TimeSpan? LeaseLeft(RenewalRecord record, bool ownResendIsSafe = false)
    {
        if (record.LeaseOwner is not { } owner || record.LeaseUntil is not { } until || record.IsFinal)
        {
            return null;
        }

        if (owner == Owner && (ownResendIsSafe || !SentWithoutOutcome(record)))
        {
            return null;
        }

        var seen = _leasesSeen.AddOrUpdate(record.Id, _ => (record.Version, Time.GetTimestamp()), (_, old) => old.Version == record.Version ? old : (record.Version, Time.GetTimestamp()));
        var length = until - record.UpdatedAt;
        var left = (length > Options.LeaseDuration ? length : Options.LeaseDuration) - Time.GetElapsedTime(seen.SeenAt);
        return left > TimeSpan.Zero ? left : null;
    }

    /// <summary>A charge, an order or a refund was sent and nothing after it was journaled: it may still land.</summary>
    internal static bool SentWithoutOutcome(RenewalRecord record) =>
        record.State is RenewalState.Charging or RenewalState.Ordering || (record.State == RenewalState.Refunding && record.RefundAttempts > 0);

    /// <summary>A failure that proves the request was not acted on: only then may the lease go before it runs out.</summary>
    internal static bool ProvesNothingWasSent(Exception ex) => ex is DataRenewValidationException or AuthenticationFailedException or RateLimitedException
        or CarrierUnavailableException { RequestNotSent: true }
        || (ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError });

    public async Task<RenewalRecord> CreateAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        record = record with { LeaseOwner = Owner, LeaseUntil = Time.GetUtcNow() + Options.LeaseDuration };
        await Journal.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        Log.RenewalStarted(Logger, record.Id, record.Carrier, record.Line.Id.ToMaskedString(), record.Plan.Code, record.Price);
        DataRenewDiagnostics.RenewalsStarted.Add(1, new KeyValuePair<string, object?>("carrier", record.Carrier.Value));
        return record;
    }

    /// <summary>Moves the renewal on, as far as <paramref name="mode"/> allows.</summary>
    public async Task<RenewalRecord> DriveAsync(RenewalId id, RenewalContext context, DriveMode mode, IProgress<RenewalRecord>? progress, CancellationToken cancellationToken)
    {
        var gate = _drivers.GetOrAdd(id, static _ => new SemaphoreSlim(1, 1));
        if (mode != DriveMode.UntilFinal && !await gate.WaitAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
        {
            // Another drive in this client is moving it (or waiting on it): report where it stands, do not queue behind it.
            return await Journal.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new RenewalNotFoundException(id);
        }

        if (mode == DriveMode.UntilFinal)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        using var activity = DataRenewDiagnostics.StartActivity("DriveRenewal", context.Provider.Descriptor.Id);
        activity?.SetTag("datarenew.renewal_id", id.Value);
        RenewalRecord? finished = null;
        try
        {
            // Re-read under the gate: another driver in this process may have moved it on.
            var record = await Journal.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new RenewalNotFoundException(id);
            record = await new Driver(this, context, progress, mode).RunAsync(record, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("datarenew.state", record.State.ToString());
            finished = record.IsFinal ? record : null;
            return record;
        }
        finally
        {
            if (finished is not null)
            {
                Finished(finished, gate);
            }

            gate.Release();
            await DrainIfFreeAsync(id).ConfigureAwait(false);
        }
    }

    /// <summary>Ends a renewal that never charged (its charge did not reach the gateway), so it stops being unfinished.</summary>
    public async Task<RenewalRecord> AbandonAsync(RenewalId id, IPaymentGateway? gateway, CancellationToken cancellationToken)
    {
        var gate = _drivers.GetOrAdd(id, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = await Journal.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new RenewalNotFoundException(id);
            if (record.IsFinal)
            {
                return record;
            }

            var now = Time.GetUtcNow();
            if (LeaseLeft(record) is { } leaseLeft)
            {
                throw new RenewalConflictException(id, leaseLeft);
            }

            var neverCharged = record.State == RenewalState.Started
                || (record.State == RenewalState.Charging
                    && (record.ChargeAttempts == 0 || gateway is null || await gateway.FindByIdempotencyKeyAsync(record.PaymentIdempotencyKey, cancellationToken).ConfigureAwait(false) is null));
            if (!neverCharged)
            {
                throw new DataRenewValidationException(nameof(id), $"Renewal '{id}' is {record.State}: money may have moved. Resume it to settle it instead.");
            }

            var abandoned = record with
            {
                Version = record.Version + 1,
                UpdatedAt = now,
                State = RenewalState.Failed,
                Failure = new RenewalFailure(RenewalFailureKind.Abandoned, "The renewal was abandoned before any payment; no money moved."),
                LeaseOwner = null,
                LeaseUntil = null,
            };
            await Journal.AppendAsync(abandoned, CancellationToken.None).ConfigureAwait(false);
            _drivers.TryRemove(new KeyValuePair<RenewalId, SemaphoreSlim>(id, gate));
            _leasesSeen.TryRemove(id, out _);
            return abandoned;
        }
        finally
        {
            gate.Release();
            await DrainIfFreeAsync(id).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies an order status the carrier reported by itself (a callback) to the renewal whose order it is: the same
    /// change a poll answering that status would make, under the same per-renewal gate. When a drive in this client holds
    /// the gate (a waiting <c>WaitForCompletionAsync</c>), the status is handed to it and it is woken; otherwise it is
    /// applied here. Final renewals never change; a pending status, or one for another order, changes nothing.
    /// </summary>
    /// <returns>The renewal as it stands afterwards, and whether this status changed it.</returns>
    public async Task<(RenewalRecord Record, bool Changed)> ApplyOrderStatusAsync(RenewalId id, CarrierOrder order, string supportContact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var posted = new PostedOrder(order, supportContact);
        while (true)
        {
            var inbox = _inboxes.GetOrAdd(id, static _ => new CallbackInbox());
            if (inbox.TryPost(posted))
            {
                break;
            }

            // Closed (its renewal is final): never post into it, use a fresh one.
            _inboxes.TryRemove(new KeyValuePair<RenewalId, CallbackInbox>(id, inbox));
        }

        await DrainIfFreeAsync(id).ConfigureAwait(false);
        return await posted.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies posted statuses when no drive holds the renewal's gate. Each holder calls this after letting the gate go,
    /// and each poster after posting, so a status posted while the gate was held is never left behind.
    /// </summary>
    private async Task DrainIfFreeAsync(RenewalId id)
    {
        while (_inboxes.TryGetValue(id, out var inbox) && inbox.HasItems)
        {
            var gate = _drivers.GetOrAdd(id, static _ => new SemaphoreSlim(1, 1));
            if (!await gate.WaitAsync(TimeSpan.Zero).ConfigureAwait(false))
            {
                return; // the holder drains before it goes on, and again after it lets go
            }

            try
            {
                var record = await Journal.GetAsync(id, CancellationToken.None).ConfigureAwait(false);
                if (record is null)
                {
                    foreach (var posted in inbox.Take())
                    {
                        posted.Done.TrySetException(new RenewalNotFoundException(id));
                    }

                    continue;
                }

                record = await ApplyPostedAsync(record, null).ConfigureAwait(false);
                if (record.IsFinal)
                {
                    Finished(record, gate);
                }
            }
            finally
            {
                gate.Release();
            }
        }
    }

    /// <summary>
    /// A final renewal needs no gate, lease memory or inbox any more (the pair forms remove only these, not newer ones).
    /// Its order is remembered for a while, so a late callback for it is answered "unchanged", not "unknown".
    /// </summary>
    private void Finished(RenewalRecord record, SemaphoreSlim gate)
    {
        _drivers.TryRemove(new KeyValuePair<RenewalId, SemaphoreSlim>(record.Id, gate));
        _leasesSeen.TryRemove(record.Id, out _);
        if (_inboxes.TryGetValue(record.Id, out var inbox) && inbox.TryClose())
        {
            _inboxes.TryRemove(new KeyValuePair<RenewalId, CallbackInbox>(record.Id, inbox));
        }

        if (record.Order is { } order)
        {
            _finishedOrders.Remember((record.Carrier, order.OrderId), record.Id);
        }
    }

    /// <summary>The renewal a recently finished order of this client belonged to (the last few thousand are kept), or null.</summary>
    public RenewalId? FinishedRenewalOf(CarrierId carrier, string orderId) => _finishedOrders.TryFind((carrier, orderId), out var renewal) ? renewal : null;

    /// <summary>Under the renewal's gate: applies every posted status to <paramref name="record"/>, the latest version.</summary>
    private async Task<RenewalRecord> ApplyPostedAsync(RenewalRecord record, IProgress<RenewalRecord>? progress)
    {
        if (!_inboxes.TryGetValue(record.Id, out var inbox))
        {
            return record;
        }

        foreach (var posted in inbox.Take())
        {
            try
            {
                var changed = false;
                for (var attempt = 0; ; attempt++)
                {
                    var next = WithOrderStatus(record, posted.Order, posted.SupportContact);
                    if (next is null)
                    {
                        break;
                    }

                    next = next with
                    {
                        Version = record.Version + 1,
                        UpdatedAt = Time.GetUtcNow(),

                        // No request was sent: whoever held the renewal still does (a refund after it is theirs to send).
                        LeaseOwner = next.IsFinal ? null : record.LeaseOwner,
                        LeaseUntil = next.IsFinal ? null : record.LeaseUntil,
                    };
                    try
                    {
                        await Journal.AppendAsync(next, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (RenewalConflictException) when (attempt < 10)
                    {
                        // Another client wrote first: judge the status again against what it wrote.
                        record = await Journal.GetAsync(record.Id, CancellationToken.None).ConfigureAwait(false) ?? record;
                        continue;
                    }

                    record = next;
                    changed = true;
                    Log.StateChanged(Logger, next.Id, next.State, next.Version);
                    if (next.IsFinal)
                    {
                        DataRenewDiagnostics.RenewalsFinished.Add(1,
                            new KeyValuePair<string, object?>("carrier", next.Carrier.Value),
                            new KeyValuePair<string, object?>("state", next.State.ToString()));
                    }

                    progress?.Report(next);
                    break;
                }

                posted.Done.TrySetResult((record, changed));
            }
            catch (Exception ex)
            {
                // The caller that posted it gets the failure (a journal that cannot be read or written); the drive goes on.
                posted.Done.TrySetException(ex);
            }
        }

        return record;
    }

    /// <summary>
    /// The version a carrier-reported status makes of <paramref name="record"/>, or null when it changes nothing: the
    /// renewal is final, not waiting on this order, or the status is not final (a late "pending" after "success").
    /// </summary>
    private RenewalRecord? WithOrderStatus(RenewalRecord record, CarrierOrder order, string supportContact)
    {
        if (record.IsFinal
            || record.State is not (RenewalState.Confirming or RenewalState.AwaitingPayerAction)
            || record.Order is null
            || !string.Equals(record.Order.OrderId, order.OrderId, StringComparison.Ordinal)
            || order.Status is not (CarrierOrderStatus.Completed or CarrierOrderStatus.Failed))
        {
            return null;
        }

        return ApplyOrder(record, order, Time.GetUtcNow(), Options, supportContact);
    }

    /// <summary>A task that completes when a status is posted for the renewal (to cut a drive's pause short).</summary>
    private Task PostedSignal(RenewalId id) => _inboxes.GetOrAdd(id, static _ => new CallbackInbox()).Signal;

    /// <summary>The version an order's status makes of a renewal: what a poll and a callback both apply.</summary>
    private static RenewalRecord ApplyOrder(RenewalRecord record, CarrierOrder order, DateTimeOffset now, DataRenewOptions options, string supportContact) => order.Status switch
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

    private static RenewalRecord AfterOrderFailed(RenewalRecord record, RenewalFailure failure) =>
        record.PaymentId is null
            ? record with { State = RenewalState.Failed, Failure = failure, PayerAction = null, WaitDeadline = null }
            : record with { State = RenewalState.Refunding, Failure = failure, WaitDeadline = null };

    /// <summary>An order status a callback reported, waiting for the renewal's gate.</summary>
    private sealed class PostedOrder(CarrierOrder order, string supportContact)
    {
        public CarrierOrder Order { get; } = order;

        public string SupportContact { get; } = supportContact;

        public TaskCompletionSource<(RenewalRecord Record, bool Changed)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The statuses posted for one renewal; closed (never posted to again) once the renewal is final and it is empty.</summary>
    private sealed class CallbackInbox
    {
        private readonly Lock _lock = new();
        private readonly List<PostedOrder> _items = [];
        private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _closed;

        public bool HasItems
        {
            get
            {
                lock (_lock)
                {
                    return _items.Count > 0;
                }
            }
        }

        public Task Signal
        {
            get
            {
                lock (_lock)
                {
                    return _signal.Task;
                }
            }
        }

        public bool TryPost(PostedOrder posted)
        {
            lock (_lock)
            {
                if (_closed)
                {
                    return false;
                }

                _items.Add(posted);
                _signal.TrySetResult();
                return true;
            }
        }

        public PostedOrder[] Take()
        {
            lock (_lock)
            {
                var taken = _items.ToArray();
                _items.Clear();
                if (_signal.Task.IsCompleted)
                {
                    _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                return taken;
            }
        }

        public bool TryClose()
        {
            lock (_lock)
            {
                _closed = _items.Count == 0;
                return _closed;
            }
        }
    }

    private sealed class Driver(RenewalEngine engine, RenewalContext context, IProgress<RenewalRecord>? progress, DriveMode mode)
    {
        private readonly bool _wait = mode == DriveMode.UntilFinal;
        private int _polls;
        private bool _polledOnce;
        private int _transientFailures;
        private RenewalId _id;

        private TimeProvider Time => engine.Time;

        private DataRenewOptions Options => engine.Options;

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
                if (!polling && engine.LeaseLeft(record, ownResendIsSafe: record.State == RenewalState.Ordering && context.Provider.Descriptor.DeduplicatesOrders) is { } leaseLeft)
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
            var gateway = Gateway;
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
                $"Renewal '{record.Id}' has not been charged yet; resume it with the payment method ({record.Payment}) to continue, or abandon it.");
            record = await SaveAsync(record with { State = RenewalState.Charging, ChargeAttempts = record.ChargeAttempts + 1 }).ConfigureAwait(false);
            PaymentResult result;
            try
            {
                var request = new ChargeRequest(record.PaymentIdempotencyKey, record.Price, method, $"{record.Plan.Name} for {record.Line.PhoneNumber?.ToMaskedString() ?? record.Line.Id.ToMaskedString()}");
                result = await gateway.ChargeAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (PaymentDeclinedException declined)
            {
                var failure = new RenewalFailure(RenewalFailureKind.PaymentDeclined, declined.Decline.Message, declined.Decline.Code);
                return await SaveAsync(record.ChargeAttempts == 1 ? Fail(record, failure) : NeedsAttention(record, failure with
                {
                    Message = $"{declined.Decline.Message} An earlier try of this charge (key {record.PaymentIdempotencyKey}) may still go through; check it.",
                })).ConfigureAwait(false);
            }
            catch (DataRenewException refused) when (RenewalErrors.IsDefiniteRefusal(refused))
            {
                // The gateway answered "no". On a first try no money moved; after a lost answer, the first try may still land.
                var failure = new RenewalFailure(RenewalFailureKind.PaymentFailed, refused.Message, refused.CarrierErrorCode);
                return await SaveAsync(record.ChargeAttempts == 1 ? Fail(record, failure) : NeedsAttention(record, failure with
                {
                    Message = $"{refused.Message} An earlier try of this charge (key {record.PaymentIdempotencyKey}) may still go through; check it.",
                })).ConfigureAwait(false);
            }
            catch (Exception ex) when (ProvesNothingWasSent(ex))
            {
                await ReleaseLeaseAsync(record).ConfigureAwait(false);
                throw;
            }

            DataRenewDiagnostics.PaymentOutcomes.Add(1,
                new KeyValuePair<string, object?>("carrier", record.Carrier.Value),
                new KeyValuePair<string, object?>("status", result.Status.ToString()));
            return await SaveAsync(ApplyPayment(record, result)).ConfigureAwait(false);
        }

        private async Task<RenewalRecord?> PollPaymentAsync(RenewalRecord record, CancellationToken cancellationToken)
        {
            PaymentResult result;
            try
            {
                result = await Gateway.GetPaymentAsync(record.PaymentId!, cancellationToken).ConfigureAwait(false);
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
                    Log.StepFailedTransiently(engine.Logger, record.Id, record.State, cancelFailed.GetType().Name);
                }

                return await SaveAsync(cancelled ?? NeedsAttention(record, new RenewalFailure(
                    record.State == RenewalState.AwaitingPayerAction ? RenewalFailureKind.PayerActionTimedOut : RenewalFailureKind.PaymentTimedOut,
                    $"The state of payment {record.PaymentId} could not be read before the deadline ({ex.Message}), nor could it be cancelled; check it before trying again."))).ConfigureAwait(false);
            }

            var next = ApplyPayment(record, result);
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

        // How long after the deadline the engine keeps trying to cancel before a person must check.
        private bool CancelGivenUp(RenewalRecord record) => record.WaitDeadline is { } deadline && Time.GetUtcNow() >= deadline + Options.PayerActionTimeout;

        // At the deadline the payment is cancelled, so a late approval cannot take money for a renewal that gave up.
        // Null: the cancel is not settled yet (asked again after a pause, until CancelGivenUp).
        private async Task<RenewalRecord?> CancelPaymentAsync(RenewalRecord record, CancellationToken cancellationToken)
        {
            var kind = record.State == RenewalState.AwaitingPayerAction ? RenewalFailureKind.PayerActionTimedOut : RenewalFailureKind.PaymentTimedOut;
            var what = record.State == RenewalState.AwaitingPayerAction ? "The payer did not complete the payment" : "The payment did not settle";
            try
            {
                var cancelled = await Gateway.CancelAsync(record.PaymentId!, cancellationToken).ConfigureAwait(false);
                if (cancelled.PaymentId != record.PaymentId || cancelled.IdempotencyKey != record.PaymentIdempotencyKey || cancelled.Amount != record.Price)
                {
                    return NeedsAttention(record, new RenewalFailure(RenewalFailureKind.PaymentMismatch,
                        $"The gateway answered the cancel of payment {record.PaymentId} with payment {cancelled.PaymentId} ({cancelled.Amount}, key {cancelled.IdempotencyKey}); check both payments."));
                }

                var next = cancelled.Status == PaymentStatus.Canceled
                    ? Fail(record, new RenewalFailure(kind, $"{what} within {Options.PayerActionTimeout}; the payment was cancelled and no money moved."))
                    : ApplyPayment(record, cancelled); // approved at the last moment: go on with the renewal
                if (!next.IsFinal && next.State is RenewalState.AwaitingPayerAction or RenewalState.PaymentProcessing)
                {
                    return CancelGivenUp(record)
                        ? NeedsAttention(record, new RenewalFailure(kind, $"{what} within {Options.PayerActionTimeout}, and the gateway has not cancelled payment {record.PaymentId}; it may still go through. Check it before trying again."))
                        : null;
                }

                return next;
            }
            catch (Exception ex) when (RenewalErrors.IsTransient(ex, cancellationToken) && CancelGivenUp(record))
            {
                return NeedsAttention(record, new RenewalFailure(kind,
                    $"{what} within {Options.PayerActionTimeout}, and payment {record.PaymentId} could not be cancelled ({ex.Message}); it may still go through. Check it before trying again."));
            }
            catch (DataRenewException ex) when (RenewalErrors.IsDefiniteRefusal(ex))
            {
                return NeedsAttention(record, new RenewalFailure(kind,
                    $"{what} within {Options.PayerActionTimeout}, and payment {record.PaymentId} could not be cancelled ({ex.Message}); it may still go through. Check it before trying again.",
                    ex.CarrierErrorCode));
            }
        }

        private RenewalRecord ApplyPayment(RenewalRecord record, PaymentResult result)
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
                        : Time.GetUtcNow() + Options.PayerActionTimeout,
                },
            };
        }

        private async Task<RenewalRecord?> OrderAsync(RenewalRecord record, CancellationToken cancellationToken)
        {
            var orders = context.Provider.Orders;
            if (record.OrderAttempts > 0)
            {
                var earlier = await orders.FindByRenewalAsync(context.Session, OrderRequestOf(record), cancellationToken).ConfigureAwait(false);
                if (earlier is not null)
                {
                    return await SaveAsync(ApplyOrder(record, earlier)).ConfigureAwait(false);
                }

                if (!context.Provider.Descriptor.DeduplicatesOrders)
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
            record = await SaveAsync(record with { State = RenewalState.Ordering, OrderAttempts = record.OrderAttempts + 1 }).ConfigureAwait(false);
            CarrierOrder order;
            try
            {
                var request = OrderRequestOf(record) with { PaymentMethod = CarrierCollectsPayment ? method : null };
                order = await orders.SubmitAsync(context.Session, request, cancellationToken).ConfigureAwait(false);
            }
            catch (DataRenewException refused) when (RenewalErrors.IsDefiniteRefusal(refused))
            {
                Log.OrderRefused(engine.Logger, record.Id, refused.CarrierErrorCode);
                var failure = refused is PaymentDeclinedException declined
                    ? new RenewalFailure(RenewalFailureKind.PaymentDeclined, declined.Decline.Message, declined.Decline.Code)
                    : new RenewalFailure(RenewalFailureKind.CarrierRefused, refused.Message, refused.CarrierErrorCode);

                // After a lost answer the first order may still apply: refunding then would give the plan away. A carrier that
                // de-duplicates answers every try under the renewal's key with one outcome, so its definite answer settles the
                // earlier tries too (unless it says the key was already used for another request: 409).
                var settlesEarlierTries = record.OrderAttempts == 1 || (context.Provider.Descriptor.DeduplicatesOrders && refused.StatusCode != 409);
                return await SaveAsync(settlesEarlierTries ? AfterOrderFailed(record, failure) : NeedsAttention(record, failure with
                {
                    Message = $"{refused.Message} An earlier try of this order may still apply; check with {SupportContact} quoting renewal {record.Id}{(record.PaymentId is null ? "" : $" and payment {record.PaymentId}")} before refunding.",
                })).ConfigureAwait(false);
            }
            catch (Exception ex) when (ProvesNothingWasSent(ex))
            {
                // Nothing reached the carrier: a carrier that cannot de-duplicate may then still be sent this order (once);
                // one that de-duplicates keeps the attempt journaled, so a later refusal is not mistaken for a first answer.
                var unsent = !context.Provider.Descriptor.DeduplicatesOrders && before.OrderAttempts == 0;
                await ReleaseLeaseAsync(unsent ? before with { Version = record.Version } : record).ConfigureAwait(false);
                throw;
            }

            return await SaveAsync(ApplyOrder(record, order)).ConfigureAwait(false);
        }

        // The renewal's order as journaled: what every try sends, and what an adapter is told when it looks the order up.
        private static CarrierOrderRequest OrderRequestOf(RenewalRecord record) =>
            new(record.Id, record.Line, record.Plan, record.Price, record.Payment, record.PaymentId);

        // An order was sent, its answer was lost, and the carrier has no key to de-duplicate a resend: look, never resend.
        private async Task<RenewalRecord?> OrderInDoubtAsync(RenewalRecord record)
        {
            if (record.WaitDeadline is null)
            {
                return await SaveAsync(record with { WaitDeadline = Time.GetUtcNow() + Options.ConfirmationTimeout }).ConfigureAwait(false);
            }

            if (DeadlinePassed(record))
            {
                return await SaveAsync(NeedsAttention(record, new RenewalFailure(RenewalFailureKind.ConfirmationTimedOut,
                    $"The order for renewal {record.Id} was sent to {context.Provider.Descriptor.DisplayName} but its answer was lost, and the carrier shows no order or plan change for it after {Options.ConfirmationTimeout}. "
                    + $"It was not sent again (the carrier cannot de-duplicate orders). Contact {SupportContact} quoting renewal {record.Id}{(record.PaymentId is null ? "." : $" and payment {record.PaymentId}; refund it if no order exists.")}"))).ConfigureAwait(false);
            }

            return null;
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
                return await SaveAsync(NeedsAttention(record, new RenewalFailure(RenewalFailureKind.ConfirmationTimedOut,
                    $"The status of order {record.Order!.OrderId} could not be read before the deadline ({ex.Message}). The payment stands; contact {SupportContact} quoting order {record.Order.OrderId}."))).ConfigureAwait(false);
            }

            // Anything but a final answer (including a status this SDK does not know) counts as still pending.
            if (order.Status is CarrierOrderStatus.Completed or CarrierOrderStatus.Failed)
            {
                return await SaveAsync(ApplyOrder(record, order)).ConfigureAwait(false);
            }

            if (order.PayerAction is not null || record.State == RenewalState.AwaitingPayerAction)
            {
                var next = ApplyOrder(record, order);
                if (next.State != record.State || next.PayerAction != record.PayerAction)
                {
                    return await SaveAsync(next).ConfigureAwait(false);
                }
            }

            if (DeadlinePassed(record) && record.State == RenewalState.AwaitingPayerAction)
            {
                return await SaveAsync(NeedsAttention(record, new RenewalFailure(RenewalFailureKind.PayerActionTimedOut,
                    $"The payer did not complete the payment for order {record.Order!.OrderId} within {Options.PayerActionTimeout}; the carrier may still complete it. Contact {SupportContact} quoting order {record.Order.OrderId}."))).ConfigureAwait(false);
            }

            if (DeadlinePassed(record))
            {
                return await SaveAsync(NeedsAttention(record, new RenewalFailure(RenewalFailureKind.ConfirmationTimedOut,
                    $"The carrier did not confirm order {record.Order!.OrderId} within {Options.ConfirmationTimeout}. The payment stands; contact {SupportContact} quoting order {record.Order.OrderId}."))).ConfigureAwait(false);
            }

            return null;
        }

        private RenewalRecord ApplyOrder(RenewalRecord record, CarrierOrder order) => RenewalEngine.ApplyOrder(record, order, Time.GetUtcNow(), Options, SupportContact);

        private static RenewalRecord AfterOrderFailed(RenewalRecord record, RenewalFailure failure) => RenewalEngine.AfterOrderFailed(record, failure);

        private async Task<RenewalRecord?> RefundAsync(RenewalRecord record, CancellationToken cancellationToken)
        {
            if (record.RefundAttempts >= MaxRefundAttempts)
            {
                return await SaveAsync(RefundFailed(record, $"{MaxRefundAttempts} tries did not get an answer")).ConfigureAwait(false);
            }

            record = await SaveAsync(record with { RefundAttempts = record.RefundAttempts + 1 }).ConfigureAwait(false);
            RefundResult refund;
            try
            {
                refund = await Gateway.RefundAsync(
                    new RefundRequest(record.PaymentId!, record.Price, record.RefundIdempotencyKey, record.Failure?.Message ?? "The carrier did not apply the plan."),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (DataRenewException refused) when (RenewalErrors.IsDefiniteRefusal(refused))
            {
                return await SaveAsync(RefundFailed(record, refused.Message, refused.CarrierErrorCode)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ProvesNothingWasSent(ex))
            {
                await ReleaseLeaseAsync(record).ConfigureAwait(false);
                throw;
            }

            DataRenewDiagnostics.Refunds.Add(1, new KeyValuePair<string, object?>("carrier", record.Carrier.Value));
            return await SaveAsync(record with { State = RenewalState.Failed, RefundId = refund.RefundId }).ConfigureAwait(false);
        }

        // Money moved, the plan was not applied and the gateway will not give it back: a person must.
        private RenewalRecord RefundFailed(RenewalRecord record, string why, string? code = null) => NeedsAttention(record, new RenewalFailure(RenewalFailureKind.RefundFailed,
            $"{record.Failure?.Message} The refund of payment {record.PaymentId} failed ({why}); contact {SupportContact}.", code));

        private static RenewalRecord Fail(RenewalRecord record, RenewalFailure failure) =>
            record with { State = RenewalState.Failed, Failure = failure, PayerAction = null, WaitDeadline = null };

        private static RenewalRecord NeedsAttention(RenewalRecord record, RenewalFailure failure) =>
            record with { State = RenewalState.NeedsAttention, Failure = failure };

        private string SupportContact => context.Provider.Descriptor.SupportContactOrName;

        private bool CarrierCollectsPayment => context.Provider.Descriptor.CollectsPayment;

        private IPaymentGateway Gateway => context.Gateway ?? throw new InvalidOperationException("A renewal whose carrier collects the payment has no gateway step.");

        private bool DeadlinePassed(RenewalRecord record) => record.WaitDeadline is { } deadline && Time.GetUtcNow() >= deadline;

        private async Task<RenewalRecord> SaveAsync(RenewalRecord next)
        {
            var now = Time.GetUtcNow();
            next = next with
            {
                Version = next.Version + 1,
                UpdatedAt = now,
                LeaseOwner = next.IsFinal ? null : engine.Owner,
                LeaseUntil = next.IsFinal ? null : now + Options.LeaseDuration,
            };

            // A journal write is not cancelled half way: the side effect it guards may already have happened.
            await engine.Journal.AppendAsync(next, CancellationToken.None).ConfigureAwait(false);
            Log.StateChanged(engine.Logger, next.Id, next.State, next.Version);
            if (next.IsFinal)
            {
                DataRenewDiagnostics.RenewalsFinished.Add(1,
                    new KeyValuePair<string, object?>("carrier", next.Carrier.Value),
                    new KeyValuePair<string, object?>("state", next.State.ToString()));
            }

            progress?.Report(next);
            return next;
        }

        // The failure proves the request was not acted on (see ProvesNothingWasSent): nobody need wait out the lease.
        // Best effort: if the journal cannot take it, the lease simply runs out.
        private async Task ReleaseLeaseAsync(RenewalRecord record)
        {
            try
            {
                var released = record with { Version = record.Version + 1, UpdatedAt = Time.GetUtcNow(), LeaseOwner = null, LeaseUntil = null };
                await engine.Journal.AppendAsync(released, CancellationToken.None).ConfigureAwait(false);
                progress?.Report(released);
            }
            catch (Exception ex) when (ex is DataRenewException or IOException)
            {
                Log.StepFailedTransiently(engine.Logger, record.Id, record.State, ex.GetType().Name);
            }
        }

        private TimeSpan DelayBefore(RenewalRecord record)
        {
            var delay = Backoff(_polls);
            _polls++;
            // Do not sleep past a deadline still ahead; once it has passed (a cancel not settled yet) keep pausing.
            if (record.WaitDeadline is { } deadline && deadline - Time.GetUtcNow() is var left && left > TimeSpan.Zero && left < delay)
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
}
