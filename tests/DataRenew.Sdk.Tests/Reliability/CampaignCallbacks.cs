using System.Collections.Concurrent;
using DataRenew.Sdk.Callbacks;

namespace DataRenew.Sdk.Tests.Reliability;

/// <summary>One event a carrier sends its callback listener: the raw body and headers, as they come off the wire.</summary>
internal sealed record CallbackDelivery(byte[] Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// The carrier's side of callbacks in one campaign world. When the stub accepts an order, the carrier finishes it at
/// once and tells the app's listener (the current process's <see cref="ICarrierCallbackHandler"/>): the final status
/// twice, and in some worlds an earlier status after it (out of order). Polls see the same end, so callbacks and polls
/// race. Like a real carrier it redelivers an event the listener did not take (404 before the renewal has journaled
/// the order id, 5xx, a process that died), a few times with a short back-off, then gives up.
/// </summary>
internal sealed class CampaignCallbacks(CarrierId carrier, CampaignFigures figures, Func<CampaignProcess> process, bool stale)
{
    private const int Deliveries = 6;
    private readonly ConcurrentBag<Task> _pending = [];

    /// <summary>The carrier finished an order: <paramref name="final"/> is its end, <paramref name="earlier"/> a status from before it.</summary>
    public void Send(Func<CallbackDelivery> final, Func<CallbackDelivery> earlier) => _pending.Add(Task.Run(async () =>
    {
        var first = await DeliverAsync(final());
        figures.Injected(FaultKind.DuplicateCallback);
        var second = await DeliverAsync(final());
        if (first == CallbackOutcome.Applied && second == CallbackOutcome.Applied)
        {
            figures.Violations.Add($"{carrier}: a duplicate callback changed the renewal a second time");
        }

        if (stale)
        {
            figures.Injected(FaultKind.StaleCallback);
            if (await DeliverAsync(earlier()) == CallbackOutcome.Applied)
            {
                figures.Violations.Add($"{carrier}: a stale callback, after the final one, changed the renewal");
            }
        }
    }));

    /// <summary>Waits for every delivery (and its redeliveries) to end, before the renewal is checked.</summary>
    public Task DrainAsync() => Task.WhenAll(_pending);

    private async Task<CallbackOutcome?> DeliverAsync(CallbackDelivery delivery)
    {
        for (var attempt = 0; attempt < Deliveries; attempt++)
        {
            CallbackResult result;
            try
            {
                var current = process();
                result = await current.Callbacks.HandleAsync(carrier, delivery.Body, delivery.Headers, current.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                // The listener's process died under the event: the carrier sees no answer and sends it again.
                CampaignFigures.Add(figures.Callbacks, "listener's process died (redelivered)");
                await Task.Delay(TimeSpan.FromMilliseconds(1 << attempt));
                continue;
            }

            switch (result.Outcome)
            {
                case CallbackOutcome.Applied or CallbackOutcome.Unchanged:
                    CampaignFigures.Add(figures.Callbacks, result.Outcome.ToString());
                    return result.Outcome;
                case CallbackOutcome.UnknownOrder:
                    // Not (yet) journaled with this order id, or already finished: the carrier tries again later.
                    // Real time on purpose: the carrier's own retry schedule in a world that runs in real time.
                    await Task.Delay(TimeSpan.FromMilliseconds(1 << attempt));
                    break;
                default:
                    // The campaign's events are well formed and correctly signed: anything else is the listener's fault.
                    figures.Violations.Add($"{carrier} callback refused: {result.Outcome} {result.Message}");
                    return result.Outcome;
            }
        }

        CampaignFigures.Add(figures.Callbacks, "no unfinished renewal took it (carrier gave up)");
        return null;
    }
}
