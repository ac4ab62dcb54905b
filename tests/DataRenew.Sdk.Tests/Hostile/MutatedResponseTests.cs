using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Adapters.Scenario;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Hostile;

/// <summary>
/// Each adapter runs the renewal scenario against its WireMock stub while one of the stub's real JSON answers is
/// mutated on the wire (a field removed, a wrong type, a null, a huge number, 10,000 levels of nesting, truncation,
/// non-JSON, HTML, an empty body; and the largest answer cut at every Nth byte). Only DataRenewException subtypes may come
/// out, and nothing may hang. A 20 MB answer
/// fails fast with InvalidCarrierResponseException after reading no more than the kit's body limit.
/// Deterministic: the mutations are drawn from a fixed seed.
/// </summary>
public sealed class MutatedResponseTests
{
    private const int Seed = 20261127;
    private const int CasesPerAdapter = 36;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Adapters => new(ScenarioCarriers.Names.Where(n => n != "fake"));

    private enum Mutation
    {
        RemoveField, WrongType, Null, HugeNumber, NegativeNumber, DeepNesting, Truncate, NotJson, Html, Empty, EmptyObject, TopLevelArray,
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task Mutated_answers_give_only_typed_exceptions_and_never_hang(string adapter)
    {
        var ct = TestContext.Current.CancellationToken;

        // A clean run counts the JSON answers of the scenario.
        var clean = await RunAsync(adapter + " clean", adapter, mutate: null, ct);
        Assert.Null(clean.Error);
        Assert.InRange(clean.Responses, 5, 200);

        var rng = new Random(Seed + adapter.Sum(c => c));
        var kinds = Enum.GetValues<Mutation>();
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < CasesPerAdapter; i++)
        {
            var target = rng.Next(clean.Responses);
            var kind = kinds[i % kinds.Length];
            var caseRng = new Random(rng.Next());
            var description = $"{adapter} case {i}: {kind} on answer {target}";
            var run = await RunAsync(description, adapter, (index, body) => index == target ? Apply(kind, body, caseRng) : null, ct);
            if (run.Error is { } error)
            {
                Assert.True(error is DataRenewException, $"{description} threw {error.GetType().Name}: {error}");
                outcomes[error.GetType().Name] = outcomes.GetValueOrDefault(error.GetType().Name) + 1;
            }
            else
            {
                outcomes[run.State.ToString()!] = outcomes.GetValueOrDefault(run.State.ToString()!) + 1;
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{adapter}: {clean.Responses} answers; outcomes {string.Join(", ", outcomes.Select(kv => kv.Key + "=" + kv.Value))}");
        Assert.Contains(outcomes.Keys, k => k.EndsWith("Exception", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task The_largest_answer_truncated_at_every_Nth_byte_gives_only_typed_exceptions(string adapter)
    {
        var ct = TestContext.Current.CancellationToken;
        var clean = await RunAsync(adapter + " clean", adapter, mutate: null, ct);
        var largest = clean.Sizes.IndexOf(clean.Sizes.Max());
        var size = clean.Sizes[largest];
        const int Cuts = 10;
        for (var cut = 0; cut < size; cut += Math.Max(1, size / Cuts))
        {
            var at = cut;
            var run = await RunAsync($"{adapter}: answer {largest} ({size} bytes) cut at {at}", adapter, (index, body) => index == largest ? Json(body[..at]) : null, ct);
            Assert.True(run.Error is DataRenewException, $"{adapter}: answer {largest} cut at {at} gave {run.Error?.GetType().Name ?? run.State.ToString()}");
        }
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task A_20_MB_answer_fails_fast_as_an_invalid_response_having_read_at_most_the_body_limit(string adapter)
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var statedLength in new[] { true, false })
        {
            var body = new CountingBodyStream(20 * 1024 * 1024, (byte)' ');
            var watch = Stopwatch.StartNew();
            var run = await RunAsync($"{adapter} 20 MB", adapter, (index, _) => index == 0 ? CountingBodyStream.Content(body, statedLength) : null, ct, shorten: false);

            Assert.True(run.Error is InvalidCarrierResponseException, $"stated length {statedLength}: {run.Error}");
            Assert.True(body.BytesRead <= 4 * 1024 * 1024 + 64 * 1024, $"read {body.BytesRead} bytes of a 20 MB body (stated length: {statedLength})");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        }
    }

    private static ByteArrayContent? Apply(Mutation kind, byte[] original, Random rng)
    {
        var text = Encoding.UTF8.GetString(original);
        switch (kind)
        {
            case Mutation.Truncate:
                return Json(original[..rng.Next(original.Length)]);
            case Mutation.NotJson:
                return Json("this is not JSON \u0000\uFFFD"u8.ToArray());
            case Mutation.Html:
                var html = new ByteArrayContent("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"u8.ToArray());
                html.Headers.ContentType = new MediaTypeHeaderValue("text/html");
                return html;
            case Mutation.Empty:
                return Json([]);
            case Mutation.EmptyObject:
                return Json("{}"u8.ToArray());
            case Mutation.TopLevelArray:
                return Json(Encoding.UTF8.GetBytes("[" + text + "]"));
        }

        var root = JsonNode.Parse(text)!;
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(root, slots);
        if (slots.Count == 0)
        {
            return Json("null"u8.ToArray());
        }

        var (parent, key) = slots[rng.Next(slots.Count)];
        var current = key is string name ? parent[name] : parent[(int)key];
        JsonNode? replacement = kind switch
        {
            Mutation.Null => null,
            Mutation.HugeNumber => JsonNode.Parse(rng.Next(3) switch { 0 => "1e400", 1 => "99999999999999999999999999999999999999", _ => "1.7976931348623157e308" }),
            Mutation.NegativeNumber => JsonValue.Create(-1),
            Mutation.DeepNesting => JsonNode.Parse("0"),
            Mutation.WrongType => current switch
            {
                JsonObject => new JsonArray(1, "x"),
                JsonArray => new JsonObject { ["x"] = 1 },
                JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => JsonValue.Create(12345),
                JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => JsonValue.Create("not a number"),
                _ => new JsonObject(),
            },
            _ => null,
        };

        if (kind == Mutation.RemoveField && key is string field)
        {
            ((JsonObject)parent).Remove(field);
        }
        else if (key is string n)
        {
            parent[n] = replacement;
        }
        else
        {
            parent[(int)key] = replacement;
        }

        var json = root.ToJsonString();
        if (kind == Mutation.DeepNesting)
        {
            // 10,000 levels where the value was: beyond the reader's depth limit.
            var at = json.LastIndexOf('0');
            json = string.Concat(json.AsSpan(0, at), new string('[', 10_000), new string(']', 10_000), json.AsSpan(at + 1));
        }

        return Json(Encoding.UTF8.GetBytes(json));
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> slots)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o.ToArray())
                {
                    slots.Add((o, k));
                    if (v is not null)
                    {
                        Collect(v, slots);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    slots.Add((a, i));
                    if (a[i] is { } v)
                    {
                        Collect(v, slots);
                    }
                }

                break;
        }
    }

    private static ByteArrayContent Json(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private sealed record Run(int Responses, Exception? Error, RenewalState? State, List<int> Sizes);

    /// <summary>The whole scenario — sign in, lines, overview, options, quote, start, wait — on one adapter and its stub.</summary>
    private static async Task<Run> RunAsync(string description, string adapter, Func<int, byte[], HttpContent?>? mutate, CancellationToken ct, bool shorten = true)
    {
        await using var carrier = ScenarioCarriers.Create(adapter);
        var tap = new WireTap { Mutate = mutate is null ? null : (i, _, body) => mutate(i, body) };
        var services = new ServiceCollection();
        var builder = services.AddDataRenew(o =>
        {
            o.PollInitialDelay = TimeSpan.FromMilliseconds(1);
            o.PollMaxDelay = TimeSpan.FromMilliseconds(5);
        }).UsePaymentGateway(new FakePaymentGateway());
        carrier.Register(builder);

        if (shorten)
        {
            // A change whose answer was lost is read back only after the lease (5 minutes by default): shorten it, and the
            // adapters' timeouts with it (they must fit twice in a lease), so such a renewal settles within the guard.
            // Likewise an order in doubt waits ConfirmationTimeout (30 minutes) for the line to show it before NeedsAttention.
            services.PostConfigure<DataRenewOptions>(o =>
            {
                o.LeaseDuration = TimeSpan.FromSeconds(4);
                o.ConfirmationTimeout = TimeSpan.FromSeconds(5);
            });
            services.PostConfigure<DataRenew.Sdk.Carriers.Verizon.VerizonOptions>(o => Shorten(o.Resilience));
            services.PostConfigure<DataRenew.Sdk.Carriers.Att.AttOptions>(o => Shorten(o.Resilience));
            services.PostConfigure<DataRenew.Sdk.Carriers.TMobile.TMobileOptions>(o => Shorten(o.Resilience));
        }

        tap.Install(services);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DataRenewClient>();
        try
        {
            var final = await ScenarioAsync(client, carrier, ct).WaitAsync(Guard, ct);
            return new Run(tap.Responses, null, final, tap.AnswerSizes);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{description}: the scenario did not end within {Guard} (a hang); answers: {string.Join("; ", tap.Answers)}");
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new Run(tap.Responses, e, null, tap.AnswerSizes);
        }
    }

    private static void Shorten(DataRenew.Sdk.AdapterKit.CarrierResilienceOptions o)
    {
        o.AttemptTimeout = TimeSpan.FromSeconds(2);
        o.TotalTimeout = TimeSpan.FromSeconds(2);
        o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
    }

    private static async Task<RenewalState> ScenarioAsync(DataRenewClient client, IScenarioCarrier carrier, CancellationToken ct)
    {
        var session = await carrier.SignInAsync(client, ct);
        var line = await client.GetLinesAsync(session, ct).FirstAsync(l => l.Id == carrier.Line, ct);
        await client.GetLineOverviewAsync(session, line, ct);
        await client.GetRenewalOptionsAsync(session, line, ct);
        var quote = await client.CreateQuoteAsync(session, line, carrier.Plan, ct);
        var renewal = await client.StartRenewalAsync(session, new RenewalRequest(quote, carrier.Payment), ct);
        var final = await renewal.WaitForCompletionAsync(ct);
        return final.State;
    }
}
