using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Adapters.Att;
using DataRenew.Sdk.Tests.Adapters.Scenario;
using DataRenew.Sdk.Tests.Adapters.TMobile;
using DataRenew.Sdk.Tests.Adapters.Verizon;
using DataRenew.Sdk.Tests.Hostile;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace DataRenew.Sdk.Tests.Secrets;

/// <summary>
/// The shared renewal scenario on every provider (the fake and the three adapters on their stubs) plus refused
/// sign-ins, a carrier that fails the order and a declined card, with every log record (Trace, every category,
/// including the HttpClient factory's), every activity of every source (tags, events, links' tags) and every exception
/// captured: no card number, CVV, password, API key, app secret, token or one-time code, nor any full phone number,
/// appears in any of them. Tokens are harvested from the wire (authorization headers, token fields of the answers).
/// </summary>
public sealed partial class SecretLeakTests
{
    private const string CardNumber = "4242424242424242";
    private const string Cvv = "739";

    private static readonly ActivitySource Root = new("DataRenew.Sdk.Tests.Secrets");

    public static TheoryData<string> Providers => new(ScenarioCarriers.Names);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task No_secret_reaches_logs_activities_or_exceptions(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);

        var seen = new List<string>();
        var secrets = new HashSet<string>(StringComparer.Ordinal) { CardNumber, "4242 4242 4242 4242", "4242-4242-4242-4242" };
        var taps = new List<WireTap>();
        var collectors = new List<FakeLogCollector>();
        ActivityTraceId trace;
        using (var root = Root.StartActivity("secrets-" + provider))
        {
            Assert.NotNull(root);
            trace = root.TraceId;

            // 1. A refused sign-in.
            await RunAsync(provider, taps, collectors, secrets, seen, async (client, carrier) =>
            {
                var refused = await Assert.ThrowsAnyAsync<DataRenewException>(() => WrongSignInAsync(client, provider, ct));
                seen.Add(refused.ToString());
                seen.Add(refused.Message);
            });

            // 2. The scenario to Completed, every model's ToString captured.
            await RunAsync(provider, taps, collectors, secrets, seen, async (client, carrier) =>
                seen.Add((await ScenarioAsync(client, carrier, Payment(provider, carrier), secrets, seen, ct)).ToString()));

            // 3. The carrier fails the order after payment.
            await RunAsync(provider, taps, collectors, secrets, seen, async (client, carrier) =>
            {
                carrier.FailNextOrder();
                seen.Add((await ScenarioAsync(client, carrier, Payment(provider, carrier), secrets, seen, ct)).ToString());
            });

            // 4. A declined card (providers paid through the gateway).
            if (provider == "fake")
            {
                await RunAsync(provider, taps, collectors, secrets, seen, async (client, carrier) =>
                {
                    secrets.Add("4000000000000002");
                    secrets.Add(FakePaymentGateway.DeclinedCard);
                    var declined = PaymentMethod.CreditCard(FakePaymentGateway.DeclinedCard, 12, 2030, Cvv);
                    var record = await ScenarioAsync(client, carrier, declined, secrets, seen, ct);
                    Assert.Equal(RenewalState.Failed, record.State);
                    seen.Add(record.ToString());
                });
            }
        }

        foreach (var collector in collectors)
        {
            foreach (var r in collector.GetSnapshot())
            {
                seen.Add($"{r.Category} {r.Message} {r.Exception} {string.Join(" ", r.StructuredState?.Select(kv => kv.Key + "=" + kv.Value) ?? [])} {string.Join(" ", r.Scopes.Select(s => s?.ToString()))}");
            }
        }

        List<Activity> ours;
        lock (activities)
        {
            ours = activities.Where(a => a.TraceId == trace).ToList();
        }

        foreach (var a in ours)
        {
            seen.Add($"{a.Source.Name} {a.OperationName} {a.DisplayName} {a.StatusDescription} {a.TraceStateString}");
            seen.AddRange(a.TagObjects.Select(t => t.Key + "=" + t.Value));
            seen.AddRange(a.Baggage.Select(t => t.Key + "=" + t.Value));
            seen.AddRange(a.Events.SelectMany(e => e.Tags.Select(t => t.Key + "=" + t.Value).Append(e.Name)));
        }

        foreach (var tap in taps)
        {
            Harvest(tap, secrets);
        }

        Assert.True(collectors.Sum(c => c.Count) > 0, "no log record was captured");
        Assert.Contains(ours, a => a.Source.Name == "DataRenew.Sdk");
        if (provider != "fake")
        {
            Assert.Contains(ours, a => a.Source.Name.StartsWith("System.Net.Http", StringComparison.Ordinal));
            Assert.True(secrets.Count > 6, $"only {secrets.Count} secrets harvested from the wire");
        }

        var leaks = (from text in seen.Select(t => Ids().Replace(t ?? string.Empty, "<id>"))
                     from secret in secrets
                     where secret.Length >= 6 && text.Contains(secret, StringComparison.Ordinal)
                     select $"'{Mask(secret)}' in: {Excerpt(text, secret)}").Distinct().ToList();
        leaks.AddRange(seen.Where(t => ShortCvv().IsMatch(Ids().Replace(t ?? string.Empty, "<id>"))).Select(t => "CVV in: " + Excerpt(t, Cvv)));
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(20)));
        Assert.True(seen.Count > 50, $"only {seen.Count} texts captured");
    }

    /// <summary>Every public type of the SDK that holds a secret (a field or property named like one, or a Reveal method) has a sample here, and its ToString shows none of it.</summary>
    [Fact]
    public void Every_public_model_holding_a_secret_masks_it_in_ToString()
    {
        const string token = "tok_SECRET_0123456789abcdef";
        var phone = PhoneNumber.Parse("+1 202 555 0143");
        var card = PaymentMethod.CreditCard(CardNumber, 12, 2030, Cvv);
        var samples = new Dictionary<Type, (object Value, string[] Secrets)>
        {
            [typeof(PasswordCredentials)] = (new PasswordCredentials("user", "Pa55word-SECRET"), ["Pa55word-SECRET"]),
            [typeof(OneTimeCode)] = (new OneTimeCode("864213"), ["864213"]),
            [typeof(PhoneNumber)] = (phone, ["2025550143"]),
            [typeof(CardPaymentMethod)] = (card, [CardNumber, Cvv]),
            [typeof(TokenizedCardPaymentMethod)] = (PaymentMethod.CardToken(token, CardBrand.Visa, "4242"), [token]),
            [typeof(ApplePayPaymentMethod)] = (PaymentMethod.ApplePay(token), [token]),
            [typeof(Providers.CarrierSession)] = (new Providers.CarrierSession(CarrierId.Fake, "ACC-1", token, phone), [token, "2025550143"]),
            [typeof(ChargeRequest)] = (new ChargeRequest("key-1", Money.Usd(30), card, "plan"), [CardNumber, Cvv]),
            [typeof(OneTimeCodeChallenge)] = (new OneTimeCodeChallenge(CarrierId.Fake, phone, "chl-1", null), ["2025550143"]),
        };

        var holders = typeof(DataRenewClient).Assembly.GetExportedTypes()
            .Where(t => !t.IsEnum && !t.IsInterface && !typeof(Delegate).IsAssignableFrom(t) && !typeof(Exception).IsAssignableFrom(t) && !IsOptions(t))
            .Where(HoldsSecret)
            .ToList();
        var missing = holders.Where(t => !samples.ContainsKey(t)).Select(t => t.FullName).ToList();
        Assert.Contains(typeof(CardPaymentMethod), holders);
        Assert.Contains(typeof(PasswordCredentials), holders);
        Assert.Contains(typeof(Providers.CarrierSession), holders);
        Assert.True(missing.Count == 0, "public types holding a secret without a sample in this test: " + string.Join(", ", missing));

        foreach (var (type, (value, secrets)) in samples)
        {
            var text = value.ToString()!;
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{type.Name}.ToString() shows a secret: {text}");
            }
        }
    }

    /// <summary>No source file of the SDK turns certificate validation off.</summary>
    [Fact]
    public void No_source_file_turns_certificate_validation_off()
    {
        var src = Path.Combine(RepoRoot(), "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        var offenders = files.Where(f => CertificateBypass().IsMatch(File.ReadAllText(f))).Select(f => Path.GetRelativePath(src, f)).ToList();
        Assert.Empty(offenders);

        // The pattern itself catches each way of doing it.
        Assert.Matches(CertificateBypass(), "handler.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator;");
        Assert.Matches(CertificateBypass(), "o.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;");
        Assert.Matches(CertificateBypass(), "new RemoteCertificateValidationCallback(delegate { return true; })");
    }

    private static bool IsOptions(Type t) => t.Name.EndsWith("Options", StringComparison.Ordinal);

    private static bool HoldsSecret(Type type)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var names = type.GetFields(all).Where(f => f.FieldType == typeof(string)).Select(f => f.Name)
            .Concat(type.GetProperties(all).Where(p => p.PropertyType == typeof(string)).Select(p => p.Name));
        return names.Any(n => SecretName().IsMatch(n)) || type.GetMethods(all).Any(m => m.Name.StartsWith("Reveal", StringComparison.Ordinal));
    }

    private static PaymentMethod Payment(string provider, IScenarioCarrier carrier) =>
        provider == "fake" ? PaymentMethod.CreditCard(CardNumber, 12, 2030, Cvv) : carrier.Payment;

    private static Task WrongSignInAsync(DataRenewClient client, string provider, CancellationToken ct) => provider switch
    {
        "fake" => client.SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, "Wrong-" + FakeCarrierSeed.Password), ct),
        "verizon" => client.SignInAsync(CarrierId.Verizon, new PasswordCredentials(VerizonStub.Username, "Wrong-" + VerizonStub.Password), ct),
        "att" => client.SignInAsync(CarrierId.Att, new PasswordCredentials(AttStub.Username, "Wrong-" + AttStub.ApiKey), ct),
        _ => WrongCodeAsync(client, ct),
    };

    private static async Task WrongCodeAsync(DataRenewClient client, CancellationToken ct)
    {
        var challenge = await client.RequestOneTimeCodeAsync(CarrierId.TMobile, PhoneNumber.Parse(TMobileStub.Msisdn), ct);
        await client.SignInWithOneTimeCodeAsync(challenge, "654321", ct);
    }

    private static async Task RunAsync(string provider, List<WireTap> taps, List<FakeLogCollector> collectors, HashSet<string> secrets, List<string> seen,
        Func<DataRenewClient, IScenarioCarrier, Task> flow)
    {
        await using var carrier = ScenarioCarriers.Create(provider);
        var tap = new WireTap();
        var services = new ServiceCollection().AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        var builder = services.AddDataRenew(o =>
        {
            o.PollInitialDelay = TimeSpan.FromMilliseconds(1);
            o.PollMaxDelay = TimeSpan.FromMilliseconds(5);
        }).UsePaymentGateway(new FakePaymentGateway());
        carrier.Register(builder);
        tap.Install(services);
        await using var sp = services.BuildServiceProvider();
        taps.Add(tap);
        collectors.Add(sp.GetFakeLogCollector());
        secrets.UnionWith(KnownSecrets(provider));
        try
        {
            await flow(sp.GetRequiredService<DataRenewClient>(), carrier).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        }
        catch (DataRenewException e)
        {
            seen.Add(e.ToString());
            throw;
        }
    }

    private static async Task<RenewalRecord> ScenarioAsync(DataRenewClient client, IScenarioCarrier carrier, PaymentMethod payment, HashSet<string> secrets, List<string> seen, CancellationToken ct)
    {
        var session = await carrier.SignInAsync(client, ct);
        secrets.Add(session.CarrierSession.RevealToken());
        seen.AddRange([session.ToString(), session.CarrierSession.ToString(), payment.ToString(), payment.Summary.ToString()]);
        await foreach (var l in client.GetLinesAsync(session, ct))
        {
            seen.Add(l.ToString());
        }

        var line = await client.GetLinesAsync(session, ct).FirstAsync(l => l.Id == carrier.Line, ct);
        seen.Add((await client.GetLineOverviewAsync(session, line, ct)).ToString());
        seen.AddRange((await client.GetRenewalOptionsAsync(session, line, ct)).Select(o => o.ToString()));
        var quote = await client.CreateQuoteAsync(session, line, carrier.Plan, ct);
        var request = new RenewalRequest(quote, payment);
        seen.AddRange([quote.ToString(), request.ToString()]);
        var operation = await client.StartRenewalAsync(session, request, ct);
        seen.Add(operation.ToString()!);
        return await operation.WaitForCompletionAsync(ct);
    }

    private static IEnumerable<string> KnownSecrets(string provider) => provider switch
    {
        "fake" => [FakeCarrierSeed.Password, FakeCarrierSeed.ESimNumber.E164, FakeCarrierSeed.PhysicalNumber.E164, FakeCarrierSeed.ESimNumber.E164[2..], FakeCarrierSeed.PhysicalNumber.E164[2..]],
        "verizon" => [VerizonStub.Password, VerizonStub.AppSecret, Convert.ToBase64String(Encoding.UTF8.GetBytes(VerizonStub.AppKey + ":" + VerizonStub.AppSecret)), "2025550143", "+12025550143"],
        "att" => [AttStub.ApiKey, Convert.ToBase64String(Encoding.UTF8.GetBytes(AttStub.Username + ":" + AttStub.ApiKey))],
        _ => [TMobileStub.ClientSecret, TMobileStub.OtpCode, TMobileStub.Msisdn, TMobileStub.Msisdn[2..]],
    };

    /// <summary>Credentials the adapter sent (authorization and token headers) and tokens the stub answered with.</summary>
    private static void Harvest(WireTap tap, HashSet<string> secrets)
    {
        foreach (var text in tap.Traffic)
        {
            foreach (Match m in CredentialHeader().Matches(text))
            {
                secrets.Add(m.Groups["value"].Value.Trim());
                var parts = m.Groups["value"].Value.Trim().Split(' ', 2);
                if (parts.Length == 2)
                {
                    secrets.Add(parts[1]);
                }
            }

            try
            {
                if (text.StartsWith('{') || text.StartsWith('['))
                {
                    CollectTokens(JsonNode.Parse(text), secrets);
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON: nothing to harvest.
            }
        }
    }

    private static void CollectTokens(JsonNode? node, HashSet<string> secrets)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    if (AnswerSecretName().IsMatch(k) && v is JsonValue value && value.TryGetValue<string>(out var s) && s.Length >= 8)
                    {
                        secrets.Add(s);
                    }

                    CollectTokens(v, secrets);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    CollectTokens(v, secrets);
                }

                break;
        }
    }

    private static string Mask(string secret) => secret.Length <= 6 ? "***" : secret[..3] + "…" + secret[^2..];

    private static string Excerpt(string text, string secret)
    {
        var at = Math.Max(0, text.IndexOf(secret, StringComparison.Ordinal));
        var start = Math.Max(0, at - 80);
        return text.Substring(start, Math.Min(text.Length - start, 200)).Replace(secret, "<SECRET>", StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex("(?i)password|secret|token|cvv|cvc|apikey|api_key|otp|onetimecode|e164|accesstoken|signature")]
    private static partial Regex SecretName();

    [GeneratedRegex("(?i)token|secret|password|session|apikey|api_key")]
    private static partial Regex AnswerSecretName();

    [GeneratedRegex(@"(?im)^(authorization|proxy-authorization|x-api-key|api[-_]?key|dpop|vz-m2m-token|session[-_]?token|[a-z-]*token[a-z-]*|x-[a-z-]*(key|secret|session)[a-z-]*):\s*(?<value>[^\r\n]+)$")]
    private static partial Regex CredentialHeader();

    [GeneratedRegex(@"ServerCertificateCustomValidationCallback|DangerousAcceptAnyServerCertificateValidator|RemoteCertificateValidationCallback|CertificateValidationCallback\s*=|=>\s*true\s*;\s*//\s*cert")]
    private static partial Regex CertificateBypass();

    // Generated ids (rnw_…, pay_…, ord_…, GUIDs) may contain a short number by chance; they are not secrets.
    [GeneratedRegex(@"\b(rnw|pay|bill|ord|re_pay|re_bill|req|otp|CNF|chl|tok|key|tm|vz|att|TOP)[_-][0-9A-Za-z_-]+|[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}|[0-9a-f]{32}")]
    private static partial Regex Ids();

    // The CVV alone, not as part of a longer number, a time (12:34:56.739) or a decimal.
    [GeneratedRegex(@"(?<![0-9.:,])739(?![0-9])")]
    private static partial Regex ShortCvv();
}
