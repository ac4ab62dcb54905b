// The process that comes after a crash: it opens the file journal, signs in to the carriers (the test's stubs), resumes
// every unfinished renewal and prints one line per renewal: "<id> <state> [<failure kind>]". Card data is never
// journaled, so the card the renewals were paid with is given again here, as a processor's token (never printed).
// Usage: ResumeHost --journal <dir> --payments <base url> --card-token t --card-brand Visa --card-last4 4242
//                   --verizon <base url> --app-key k --app-secret s --account a --user u --password p
//                   [--tmobile <base url> --tmobile-client-id i --tmobile-client-secret s --tmobile-key-file <pem> --tmobile-number n --tmobile-code c]
// Exit codes: 0 every renewal settled, 2 bad arguments, 3 a renewal could not be settled in time.
using DataRenew.Sdk;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.ResumeHost;
using Microsoft.Extensions.DependencyInjection;

var settings = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    settings[args[i].TrimStart('-')] = args[i + 1];
}

string[] required = ["journal", "payments", "card-token", "card-brand", "card-last4", "verizon", "app-key", "app-secret", "account", "user", "password"];
string[] tmobileRequired = ["tmobile-client-id", "tmobile-client-secret", "tmobile-key-file", "tmobile-number", "tmobile-code"];
var withTMobile = settings.ContainsKey("tmobile");
if (required.Concat(withTMobile ? tmobileRequired : []).FirstOrDefault(k => !settings.ContainsKey(k)) is { } missing)
{
    await Console.Error.WriteLineAsync($"missing --{missing}");
    return 2;
}

if (!Enum.TryParse<CardBrand>(settings["card-brand"], out var brand))
{
    await Console.Error.WriteLineAsync("--card-brand is not a card brand");
    return 2;
}

var card = PaymentMethod.CardToken(settings["card-token"], brand, settings["card-last4"]);
var credentials = new PasswordCredentials(settings["user"], settings["password"]);
using var payments = new HttpClient { BaseAddress = new Uri(settings["payments"].TrimEnd('/') + "/") };

// A cold process compiles the SDK on its first calls: warm up with default timeouts and no journal, so the short
// timeouts below (which keep the lease, and so this test, short) measure the stubs, not the JIT.
await using (var warm = Build(@short: false))
{
    await SignInAsync(warm.GetRequiredService<DataRenewClient>(), CancellationToken.None);
    await warm.GetRequiredService<IPaymentGateway>().FindByIdempotencyKeyAsync("warm-up");
}

await using var provider = Build(@short: true);
var client = provider.GetRequiredService<DataRenewClient>();

var clock = System.Diagnostics.Stopwatch.StartNew();
using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
var ct = deadline.Token;
try
{
    var sessions = await SignInAsync(client, ct);
    Console.WriteLine($"signed in after {clock.ElapsedMilliseconds} ms");

    // The SDK's own settle-on-start-up: each renewal first outwaits the lease the crashed process left on it, reads
    // back its payment and order, then goes on. The card goes back only to renewals that started with it.
    var settled = await client.SettleUnfinishedRenewalsAsync(new SettleRenewalsOptions
    {
        SessionFor = (record, _) => ValueTask.FromResult(sessions.GetValueOrDefault(record.Carrier)),
        PaymentMethodFor = _ => card,
        MaxConcurrency = 16,
    }, ct);
    Console.WriteLine($"unfinished {settled.Count}, settled after {clock.ElapsedMilliseconds} ms");
    foreach (var settlement in settled)
    {
        var final = settlement.Record;
        Console.WriteLine($"{final.Id} {final.State} {final.Failure?.Kind} {settlement.Error?.GetType().Name}".TrimEnd());
    }

    return settled.All(s => s.IsSettled) ? 0 : 3;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("timed out settling the renewals");
    return 3;
}

async Task<Dictionary<CarrierId, DataRenewSession>> SignInAsync(DataRenewClient client, CancellationToken ct)
{
    var sessions = new Dictionary<CarrierId, DataRenewSession> { [CarrierId.Verizon] = await client.SignInAsync(CarrierId.Verizon, credentials, ct) };
    if (withTMobile)
    {
        var challenge = await client.RequestOneTimeCodeAsync(CarrierId.TMobile, PhoneNumber.Parse(settings["tmobile-number"]), ct);
        sessions[CarrierId.TMobile] = await client.SignInWithOneTimeCodeAsync(challenge, settings["tmobile-code"], ct);
    }

    return sessions;
}

ServiceProvider Build(bool @short)
{
    var services = new ServiceCollection();
    var dataRenew = services.AddDataRenew(o =>
    {
        if (@short)
        {
            ResumeTiming.Apply(o);
        }
    });
    if (@short)
    {
        dataRenew.UseFileJournal(settings["journal"]);
    }

    dataRenew.UsePaymentGateway(new HttpPaymentGateway(payments));
    dataRenew.AddVerizon(o =>
    {
        o.BaseAddress = new Uri(settings["verizon"]);
        o.AllowPlainHttpOnLoopback = true;
        o.AppKey = settings["app-key"];
        o.AppSecret = settings["app-secret"];
        o.AccountName = settings["account"];
        if (@short)
        {
            ResumeTiming.Apply(o.Resilience);
        }
    });
    CardPayingCarrier.AcceptCardsOnLastCarrier(dataRenew);
    if (withTMobile)
    {
        dataRenew.AddTMobile(o =>
        {
            o.BaseAddress = new Uri(settings["tmobile"]);
            o.AllowPlainHttpOnLoopback = true;
            o.ClientId = settings["tmobile-client-id"];
            o.ClientSecret = settings["tmobile-client-secret"];
            o.PrivateKeyPem = File.ReadAllText(settings["tmobile-key-file"]);
            if (@short)
            {
                ResumeTiming.Apply(o.Resilience);
            }
        });
    }

    return services.BuildServiceProvider();
}
