using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;

namespace DataRenew.Sdk.Callbacks;

/// <summary>
/// The carrier callback listener (see <see cref="ICarrierCallbackHandler"/>). It finds the renewal by the carrier and the
/// order id among the journal's unfinished renewals and hands the status to the renewal engine of the app's
/// <see cref="DataRenewClient"/>, which applies it under the same rules as a poll: one writer per journal version,
/// final states never change, a failure after payment goes to the refund (sent by the next drive of the renewal).
/// </summary>
public sealed class CarrierCallbacks : ICarrierCallbackHandler
{
    /// <summary>The largest body read: 64 KiB (a status event is well under 4 KiB).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private readonly DataRenewClient _client;
    private readonly Dictionary<CarrierId, ICarrierCallbackVerifier> _verifiers = [];
    private readonly TimeProvider _time;

    internal CarrierCallbacks(DataRenewClient client, IEnumerable<ICarrierCallbackVerifier> verifiers, TimeProvider? time)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        foreach (var verifier in verifiers)
        {
            _verifiers.TryAdd(verifier.Carrier, verifier);
        }

        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<CallbackResult> HandleAsync(CarrierId carrier, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (!_verifiers.TryGetValue(carrier, out var verifier) || _client.FindCarrier(carrier) is not { } provider)
        {
            return new CallbackResult(CallbackOutcome.NotConfigured, $"No callback listener is configured for '{carrier}'.");
        }

        if (body.Length > MaxBodyBytes)
        {
            return new CallbackResult(CallbackOutcome.TooLarge, $"The body is {body.Length} bytes; at most {MaxBodyBytes} are read.");
        }

        var parsed = verifier.Read(body.Span, headers, _time.GetUtcNow());
        if (parsed.Order is not { } order)
        {
            return new CallbackResult(parsed.Outcome, parsed.Message);
        }

        var engine = _client.CallbackEngine;
        RenewalRecord? waiting = null;
        await foreach (var record in engine.Journal.ListUnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (record.Carrier == carrier && record.Order is { } known && string.Equals(known.OrderId, order.OrderId, StringComparison.Ordinal))
            {
                waiting = record;
                break;
            }
        }

        if (waiting is null)
        {
            var finished = engine.FinishedRenewalOf(carrier, order.OrderId) is { } finishedId
                ? await engine.Journal.GetAsync(finishedId, cancellationToken).ConfigureAwait(false)
                : null;
            if (finished is { State: RenewalState.NeedsAttention } && order.Status == CarrierOrderStatus.Completed)
            {
                // A late success for a renewal a person was told to check: recorded, so nobody pays again.
                waiting = finished;
            }
            else if (finished is { IsFinal: true })
            {
                // Ended already (a poll got there first, or an earlier delivery): nothing to change, and nothing for the carrier to resend.
                return new CallbackResult(CallbackOutcome.Unchanged, $"Order '{order.OrderId}' reported {order.Status}: renewal {finished.Id} already ended {finished.State}.")
                {
                    RenewalId = finished.Id,
                    State = finished.State,
                };
            }
            else
            {
                return new CallbackResult(CallbackOutcome.UnknownOrder, $"No unfinished renewal waits on {carrier} order '{order.OrderId}'.");
            }
        }

        var (after, changed) = await engine.ApplyOrderStatusAsync(waiting.Id, order, provider.Descriptor.SupportContactOrName, cancellationToken).ConfigureAwait(false);
        return new CallbackResult(
            changed ? CallbackOutcome.Applied : CallbackOutcome.Unchanged,
            changed ? $"Order '{order.OrderId}' is {order.Status}: renewal {after.Id} is now {after.State}." : $"Order '{order.OrderId}' reported {order.Status}: renewal {after.Id} stays {after.State}.")
        {
            RenewalId = after.Id,
            State = after.State,
        };
    }
}
