using System.Diagnostics;
using System.Globalization;
using System.Text;
using DataRenew.Sdk.Callbacks;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Reliability;

/// <summary>
/// The fault campaign: over a thousand renewals, deterministic from a seed, on the fake carrier (fake clock) and on each
/// adapter against its WireMock.Net stub (real time, millisecond polls), with faults at every step and processes dying
/// between and inside steps. Every renewal is checked against the carrier's and the gateway's own records; the figures
/// are written to docs/reliability.md.
/// </summary>
public sealed class FaultCampaignTests
{
    /// <summary>The campaign's seed; DATARENEW_CAMPAIGN_SEED picks another.</summary>
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("DATARENEW_CAMPAIGN_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : 20261127;

    private static readonly (string Provider, int Count, int Parallel)[] Plan = [("fake", 700, 2), ("verizon", 100, 16), ("att", 100, 16), ("tmobile", 100, 16)];

    private const int MaxAppAttempts = 8;

    private const string CardDigits = "4242424242424242";

    [Fact]
    public async Task A_thousand_renewals_under_faults_never_charge_or_order_twice_and_all_end_definitely()
    {
        var ct = TestContext.Current.CancellationToken;
        var figures = new CampaignFigures();
        var clock = Stopwatch.StartNew();
        var master = new Random(Seed);
        foreach (var (provider, count, parallel) in Plan)
        {
            var started = Stopwatch.GetTimestamp();
            // Each renewal's world is drawn from the master seed in order, so the plan is the same whatever runs first.
            var seeds = Enumerable.Range(0, count).Select(_ => master.Next()).ToArray();
            await Parallel.ForEachAsync(seeds, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (s, token) =>
            {
                await using var world = Create(provider, new Random(s), figures);
                await RenewAsync(world, token);
            });
            figures.Elapsed[provider] = Stopwatch.GetElapsedTime(started);
        }

        clock.Stop();
        var report = Report(figures, clock.Elapsed);
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "reliability.md"), report, ct);

        Assert.True(figures.Violations.IsEmpty, string.Join(Environment.NewLine, figures.Violations.Take(20)));
        Assert.Equal(0, figures.DoubleCharges);
        Assert.Equal(0, figures.DoubleOrders);
        Assert.Equal(0, figures.LostRenewals);
        Assert.True(figures.Renewals.Values.Sum() >= 1000);
        Assert.True(figures.Faults.Values.Sum() >= 1000, "The campaign injected fewer faults than renewals.");
        // Callbacks took part: some completed or failed a renewal before its poll did, and every duplicate was harmless.
        Assert.True(figures.Callbacks.GetValueOrDefault(nameof(CallbackOutcome.Applied)) > 0, "No callback ever moved a renewal.");
        Assert.True(figures.Faults.GetValueOrDefault(FaultKind.DuplicateCallback) > 0);
    }

    private static CampaignWorld Create(string provider, Random random, CampaignFigures figures) => provider switch
    {
        "fake" => new FakeCampaignWorld(random, figures),
        "verizon" => new VerizonCampaignWorld(random, figures),
        "att" => new AttCampaignWorld(random, figures),
        _ => new TMobileCampaignWorld(random, figures),
    };

    /// <summary>What an app does: start (or resume, after a crash, in a new process) and wait; on an error try again, up to a point.</summary>
    private static async Task RenewAsync(CampaignWorld world, CancellationToken test)
    {
        var figures = world.Figures;
        CampaignProcess? process = null;
        try
        {
            for (var attempt = 0; attempt < MaxAppAttempts; attempt++)
            {
                if (process is null || process.IsDead)
                {
                    if (process is not null)
                    {
                        await process.DisposeAsync();
                    }

                    process = world.StartProcess(test);
                }

                var client = process.Client;
                var ct = process.Token;
                try
                {
                    var session = await RunAsync(world, world.SignInAsync(client, ct));
                    var existing = await client.GetRenewalAsync(world.Id, ct);
                    if (existing is { IsFinal: true })
                    {
                        break;
                    }

                    RenewalOperation operation;
                    if (existing is null)
                    {
                        var line = await RunAsync(world, client.GetLinesAsync(session, ct).FirstAsync(l => l.Id == world.Line, ct).AsTask());
                        var quote = await RunAsync(world, client.CreateQuoteAsync(session, line, world.Plan, ct));
                        operation = await RunAsync(world, client.StartRenewalAsync(session, new RenewalRequest(quote, world.Payment) { RenewalId = world.Id }, ct));
                    }
                    else
                    {
                        operation = await RunAsync(world, client.ResumeRenewalAsync(session, new ResumeRenewalRequest(world.Id) { PaymentMethod = world.Payment }, ct));
                    }

                    var final = await RunAsync(world, operation.WaitForCompletionAsync(ct));
                    if (final.IsFinal)
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (process.IsDead && !test.IsCancellationRequested)
                {
                    CampaignFigures.Add(figures.AppRetries, "process died, new process resumes");
                }
                catch (Exception ex) when (ex is DataRenewException or HttpRequestException or TimeoutException or OperationCanceledException && !test.IsCancellationRequested)
                {
                    CampaignFigures.Add(figures.AppRetries, ex.GetType().Name);
                }
            }
        }
        finally
        {
            // Callbacks still on their way reach the last process, as they would reach a running listener.
            await world.DrainCallbacksAsync();
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        await CheckAsync(world, test);
    }

    /// <summary>Waits for a client call: on the fake clock by moving it, in real time with a bound.</summary>
    private static async Task<T> RunAsync<T>(CampaignWorld world, Task<T> task)
    {
        if (world.Time is not FakeTimeProvider time)
        {
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken));
            return task.IsCompleted ? await task : throw new TimeoutException("The app stopped waiting.");
        }

        for (var i = 0; i < 2_000 && !task.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Run(static () => { }, TestContext.Current.CancellationToken);
        }

        if (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        }

        return task.IsCompleted ? await task : throw new TimeoutException("The app stopped waiting.");
    }

    /// <summary>The journal against the carrier's and the gateway's own records.</summary>
    internal static async Task CheckAsync(CampaignWorld world, CancellationToken ct)
    {
        var figures = world.Figures;
        var provider = world.Provider;
        CampaignFigures.Add(figures.Renewals, provider);
        var record = await world.Journal.GetAsync(world.Id, ct);
        var external = world.Records();
        Interlocked.Add(ref figures.Charges, Math.Min(external.SucceededCharges, 1));
        Interlocked.Add(ref figures.Orders, Math.Min(external.Orders, 1));
        Interlocked.Add(ref figures.Refunds, external.Refunds);
        if (external.SucceededCharges > 1)
        {
            Interlocked.Increment(ref figures.DoubleCharges);
            figures.Violation(provider, world.Id, $"{external.SucceededCharges} successful charges");
        }

        if (external.Orders > 1)
        {
            Interlocked.Increment(ref figures.DoubleOrders);
            figures.Violation(provider, world.Id, $"{external.Orders} carrier orders");
        }

        if (record is null)
        {
            // The start never got as far as the journal: nothing may have happened outside.
            figures.Ended("never started (nothing recorded)", provider);
            if (external.SucceededCharges > 0 || external.Orders > 0)
            {
                Interlocked.Increment(ref figures.LostRenewals);
                figures.Violation(provider, world.Id, "money or an order without a journal record");
            }

            return;
        }

        // The journal itself: versions 1, 2, 3… without gaps, one renewal, only the last version final, no card number anywhere.
        var history = await world.Journal.GetHistoryAsync(world.Id, ct).ToArrayAsync(ct);
        for (var i = 0; i < history.Length; i++)
        {
            if (history[i].Version != i + 1 || history[i].Id != world.Id || (history[i].IsFinal && i != history.Length - 1))
            {
                figures.Violation(provider, world.Id, $"journal history broken at version {history[i].Version}");
            }

            if (history[i].ToString().Contains(CardDigits, StringComparison.Ordinal))
            {
                figures.Violation(provider, world.Id, "a card number in the journal");
            }
        }

        var state = record.State.ToString();
        var carrierSide = record.State != RenewalState.NeedsAttention ? string.Empty
            : external.PlanApplied ? "; the carrier applied the plan"
            : external.Orders > 0 ? "; the order reached the carrier, not applied"
            : "; no order reached the carrier";
        figures.Ended(record.Failure is { } f ? $"{state} ({f.Kind}{carrierSide})" : state, provider);
        if (!record.IsFinal)
        {
            Interlocked.Increment(ref figures.LostRenewals);
            figures.Violation(provider, world.Id, $"left in {record.State}");
            return;
        }

        if ((record.State == RenewalState.Completed) != external.PlanApplied && record.State != RenewalState.NeedsAttention)
        {
            figures.Violation(provider, world.Id, $"journal says {record.State} but the carrier {(external.PlanApplied ? "applied" : "did not apply")} the plan");
        }

        if (record.State == RenewalState.Completed && record.Receipt is null)
        {
            figures.Violation(provider, world.Id, "Completed without a receipt");
        }

        if (record.State == RenewalState.NeedsAttention && (record.Failure is null
            || !(record.Failure.Message.Contains(record.Id.Value, StringComparison.Ordinal)
                 || (record.Order is { } order && record.Failure.Message.Contains(order.OrderId, StringComparison.Ordinal))
                 || (record.PaymentId is { } payment && record.Failure.Message.Contains(payment, StringComparison.Ordinal)))))
        {
            figures.Violation(provider, world.Id, $"NeedsAttention without a reference: {record.Failure?.Message}");
        }

        if (external.MoneyVisibleToGateway)
        {
            var refunded = record.RefundId is not null;
            if (refunded != external.Refunds > 0)
            {
                figures.Violation(provider, world.Id, $"journal refund {record.RefundId ?? "none"} but the gateway made {external.Refunds} refunds");
            }

            var kept = external.Charged - external.Refunded;
            if (record.State == RenewalState.Failed && kept != 0)
            {
                figures.Violation(provider, world.Id, $"Failed but {kept} was kept");
            }

            if (record.State == RenewalState.Completed && (external.SucceededCharges != 1 || external.Refunds != 0))
            {
                figures.Violation(provider, world.Id, "Completed without exactly one kept charge");
            }
        }
        else if (external.Refunds > 0)
        {
            figures.Violation(provider, world.Id, "a gateway refund for a renewal the carrier charges");
        }
    }

    private static string Report(CampaignFigures figures, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine("# Reliability: the fault campaign");
        text.AppendLine();
        text.AppendLine("Written by `tests/DataRenew.Sdk.Tests/Reliability/FaultCampaignTests.cs` on every run (`dotnet test`); do not edit by hand.");
        text.AppendLine(inv, $"Seed {Seed} (`DATARENEW_CAMPAIGN_SEED` picks another); {elapsed.TotalSeconds:F1} s on this machine.");
        text.AppendLine();
        text.AppendLine("Each renewal runs in its own world: the fake carrier and gateway on a fake clock, or one adapter against a fresh");
        text.AppendLine("WireMock.Net stub in real time, faults injected by a handler inside the adapter kit's pipeline. The app starts the");
        text.AppendLine("renewal with a fixed id, waits, and on any error tries again (up to " + MaxAppAttempts.ToString(inv) + " times); a process that dies is");
        text.AppendLine("replaced by a new client that opens the renewal's durable file journal afresh (`FileRenewalJournal`, its own");
        text.AppendLine("directory per renewal) and resumes the renewal by id. The fault plan is fixed by the seed;");
        text.AppendLine("the adapters run in real time, so how a fault lands (and so the split of end states) can move a little between runs.");
        text.AppendLine("What must never move: double charges, double orders and lost renewals stay zero, or the test fails.");
        text.AppendLine();
        text.AppendLine("| figure | value |");
        text.AppendLine("|---|---|");
        text.AppendLine(inv, $"| renewals | {figures.Renewals.Values.Sum()} ({string.Join(", ", figures.Renewals.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}) |");
        text.AppendLine(inv, $"| faults injected | {figures.Faults.Values.Sum()} (adapters: {figures.FaultsOnWrites} on a plan change or top-up) |");
        text.AppendLine(inv, $"| **double charges** | **{figures.DoubleCharges}** |");
        text.AppendLine(inv, $"| **double orders** | **{figures.DoubleOrders}** |");
        text.AppendLine(inv, $"| **lost renewals** | **{figures.LostRenewals}** |");
        text.AppendLine(inv, $"| other disagreements between journal and records | {figures.Violations.Count - figures.DoubleCharges - figures.DoubleOrders - figures.LostRenewals} |");
        text.AppendLine(inv, $"| renewals charged (at most once each) | {figures.Charges} |");
        text.AppendLine(inv, $"| renewals with a carrier order (at most one each) | {figures.Orders} |");
        text.AppendLine(inv, $"| refunds | {figures.Refunds} |");
        text.AppendLine();
        text.AppendLine("## Faults injected, by kind");
        text.AppendLine();
        text.AppendLine("| kind | count |");
        text.AppendLine("|---|---|");
        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            text.AppendLine(inv, $"| {kind} | {figures.Faults.GetValueOrDefault(kind)} |");
        }

        text.AppendLine();
        text.AppendLine("## End states");
        text.AppendLine();
        var providers = Plan.Select(p => p.Provider).ToArray();
        text.AppendLine("| state | all | " + string.Join(" | ", providers) + " |");
        text.AppendLine("|---|---|" + string.Concat(providers.Select(_ => "---|")));
        foreach (var state in figures.EndStates.Keys.Select(k => k.State).Distinct().OrderByDescending(s => figures.EndStates.Where(e => e.Key.State == s).Sum(e => e.Value)).ThenBy(s => s, StringComparer.Ordinal))
        {
            var counts = providers.Select(p => figures.EndStates.GetValueOrDefault((state, p))).ToArray();
            text.AppendLine(inv, $"| {state} | {counts.Sum()} | {string.Join(" | ", counts)} |");
        }

        text.AppendLine();
        text.AppendLine(inv, $"Time per provider: {string.Join(", ", providers.Select(p => $"{p} {figures.Elapsed.GetValueOrDefault(p).TotalSeconds:F1} s"))}.");

        text.AppendLine();
        text.AppendLine("## What the app saw and retried");
        text.AppendLine();
        Counts(text, "| error | times |", figures.AppRetries);

        text.AppendLine();
        text.AppendLine("## Carrier callbacks");
        text.AppendLine();
        text.AppendLine("In 60 % of the Verizon and T-Mobile worlds the carrier finishes each order at once and tells the listener");
        text.AppendLine("(`CarrierCallbacks` of the current process): the final status twice, in half of them an earlier status after it;");
        text.AppendLine("an event the listener does not take (unknown order, a dying process) is sent again up to 6 times. A duplicate or");
        text.AppendLine("stale event that changed a renewal would be a violation.");
        text.AppendLine();
        Counts(text, "| listener's answer | deliveries |", figures.Callbacks);

        if (!figures.Violations.IsEmpty)
        {
            text.AppendLine();
            text.AppendLine("## Violations");
            text.AppendLine();
            foreach (var violation in figures.Violations.Take(50))
            {
                text.AppendLine("- " + violation);
            }
        }

        return text.ToString();
    }

    /// <summary>A two-column table of counters, most frequent first.</summary>
    private static void Counts(StringBuilder text, string header, IEnumerable<KeyValuePair<string, int>> counters)
    {
        text.AppendLine(header);
        text.AppendLine("|---|---|");
        foreach (var (name, count) in counters.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {count} |");
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataRenew.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found.");
    }
}
