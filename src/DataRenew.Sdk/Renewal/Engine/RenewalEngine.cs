using System.Collections.Concurrent;
using DataRenew.Sdk.Diagnostics;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using Microsoft.Extensions.Logging;

namespace DataRenew.Sdk.Renewal;

/// <summary>
/// The renewal state machine's entry points: create a renewal, drive it (<see cref="RenewalDriver"/>), abandon it, and
/// apply a status a carrier called back with. One drive per renewal at a time in this client (its gate); other clients
/// are kept off by leases (<see cref="RenewalLeases"/>) and by the journal's version check. The states and what moves
/// them are written down once, in <see cref="RenewalTransitions"/>.
/// </summary>
internal sealed class RenewalEngine(IRenewalJournal journal, TimeProvider time, DataRenewOptions options, ILogger logger)
{
    private readonly ConcurrentDictionary<RenewalId, SemaphoreSlim> _gates = new();
    private readonly ConcurrentDictionary<RenewalId, CallbackInbox> _inboxes = new();
    private readonly RecentEntries<(CarrierId Carrier, string OrderId), RenewalId> _finishedOrders = new(RecentEntries<(CarrierId, string), RenewalId>.DefaultCapacity);

    public IRenewalJournal Journal { get; } = journal;

    public RenewalLeases Leases { get; } = new(time, options);

    internal TimeProvider Time { get; } = time;

    internal DataRenewOptions Options { get; } = options;

    internal ILogger Logger { get; } = logger;

    public async Task<RenewalRecord> CreateAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        record = Leases.Take(record);
        await Journal.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        Log.RenewalStarted(Logger, record.Id, record.Carrier, record.Line.Id.ToMaskedString(), record.Plan.Code, record.Price);
        DataRenewDiagnostics.RenewalsStarted.Add(1, new KeyValuePair<string, object?>("carrier", record.Carrier.Value));
        return record;
    }

    /// <summary>Moves the renewal on, as far as <paramref name="mode"/> allows.</summary>
    public async Task<RenewalRecord> DriveAsync(RenewalId id, RenewalContext context, DriveMode mode, IProgress<RenewalRecord>? progress, CancellationToken cancellationToken)
    {
        var gate = Gate(id);
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
            record = await new RenewalDriver(this, context, progress, mode).RunAsync(record, cancellationToken).ConfigureAwait(false);
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
        var gate = Gate(id);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = await Journal.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new RenewalNotFoundException(id);
            if (record.IsFinal)
            {
                return record;
            }

            if (Leases.Left(record) is { } leaseLeft)
            {
                throw new RenewalConflictException(id, leaseLeft);
            }

            // Nothing sent: no money moved. A charge sent whose answer was never read, and that the gateway does not show, may
            // still land (its sender held up): a person checks it. One the gateway shows has moved money: resume instead.
            var neverCharged = record.State == RenewalState.Started || (record.State == RenewalState.Charging && record.ChargeAttempts == 0);
            var chargeUnknown = !neverCharged && record.State == RenewalState.Charging && gateway is not null
                && await gateway.FindByIdempotencyKeyAsync(record.PaymentIdempotencyKey, cancellationToken).ConfigureAwait(false) is null;
            if (!neverCharged && !chargeUnknown)
            {
                throw new DataRenewValidationException(nameof(id), $"Renewal '{id}' is {record.State}: money may have moved. Resume it to settle it instead.");
            }

            var ended = neverCharged ? RenewalTransitions.Abandoned(record) : RenewalTransitions.AbandonedAfterUnknownCharge(record);
            var abandoned = ended with { Version = record.Version + 1, UpdatedAt = Time.GetUtcNow() };
            await Journal.AppendAsync(abandoned, CancellationToken.None).ConfigureAwait(false);
            _gates.TryRemove(new KeyValuePair<RenewalId, SemaphoreSlim>(id, gate));
            Leases.Forget(id);
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
        var posted = new CallbackInbox.Posted(order, supportContact);
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

    /// <summary>Renewals with a gate in this client (for tests: a finished renewal leaves none behind).</summary>
    internal int OpenGates => _gates.Count;

    /// <summary>The renewal a recently finished order of this client belonged to (the last few thousand are kept), or null.</summary>
    public RenewalId? FinishedRenewalOf(CarrierId carrier, string orderId) => _finishedOrders.TryFind((carrier, orderId), out var renewal) ? renewal : null;

    /// <summary>Under the renewal's gate: applies every posted status to <paramref name="record"/>, the latest version.</summary>
    internal async Task<RenewalRecord> ApplyPostedAsync(RenewalRecord record, IProgress<RenewalRecord>? progress)
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
                    var next = RenewalTransitions.WithCallbackStatus(record, posted.Order, Time.GetUtcNow(), Options, posted.SupportContact);
                    if (next is null)
                    {
                        break;
                    }

                    next = RenewalTransitions.AsWritten(next) with
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
                    Journaled(next);
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

    /// <summary>A task that completes when a status is posted for the renewal (to cut a drive's pause short).</summary>
    internal Task PostedSignal(RenewalId id) => _inboxes.GetOrAdd(id, static _ => new CallbackInbox()).Signal;

    /// <summary>Logs and counts a version just written.</summary>
    internal void Journaled(RenewalRecord record)
    {
        Log.StateChanged(Logger, record.Id, record.State, record.Version);
        if (record.IsFinal)
        {
            DataRenewDiagnostics.RenewalsFinished.Add(1,
                new KeyValuePair<string, object?>("carrier", record.Carrier.Value),
                new KeyValuePair<string, object?>("state", record.State.ToString()));
        }
    }

    private SemaphoreSlim Gate(RenewalId id) => _gates.GetOrAdd(id, static _ => new SemaphoreSlim(1, 1));

    /// <summary>
    /// Applies posted statuses when no drive holds the renewal's gate. Each holder calls this after letting the gate go,
    /// and each poster after posting, so a status posted while the gate was held is never left behind.
    /// </summary>
    private async Task DrainIfFreeAsync(RenewalId id)
    {
        while (_inboxes.TryGetValue(id, out var inbox) && inbox.HasItems)
        {
            var gate = Gate(id);
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
        _gates.TryRemove(new KeyValuePair<RenewalId, SemaphoreSlim>(record.Id, gate));
        Leases.Forget(record.Id);
        if (_inboxes.TryGetValue(record.Id, out var inbox) && inbox.TryClose())
        {
            _inboxes.TryRemove(new KeyValuePair<RenewalId, CallbackInbox>(record.Id, inbox));
        }

        if (record.Order is { } order)
        {
            _finishedOrders.Remember((record.Carrier, order.OrderId), record.Id);
        }
    }
}
