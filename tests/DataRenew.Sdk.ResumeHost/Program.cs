// The process that comes after a crash: it opens the file journal, signs in to a Verizon-style carrier (the
// test's stub), resumes every unfinished renewal and prints one line per renewal: "<id> <state>".
// Usage: ResumeHost --journal <dir> --verizon <base url> --app-key k --app-secret s --account a --user u --password p
// Exit codes: 0 every renewal settled, 2 bad arguments, 3 a renewal could not be settled in time.
using DataRenew.Sdk;
using DataRenew.Sdk.ResumeHost;
using Microsoft.Extensions.DependencyInjection;

var settings = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    settings[args[i].TrimStart('-')] = args[i + 1];
}

string[] required = ["journal", "verizon", "app-key", "app-secret", "account", "user", "password"];
if (required.FirstOrDefault(k => !settings.ContainsKey(k)) is { } missing)
{
    await Console.Error.WriteLineAsync($"missing --{missing}");
    return 2;
}

var credentials = new PasswordCredentials(settings["user"], settings["password"]);

// A cold process compiles the SDK on its first calls: warm up with default timeouts and no journal, so the short
// timeouts below (which keep the lease, and so this test, short) measure the stub, not the JIT.
await using (var warm = Build(@short: false))
{
    await warm.GetRequiredService<DataRenewClient>().SignInAsync(CarrierId.Verizon, credentials);
}

await using var provider = Build(@short: true);
var client = provider.GetRequiredService<DataRenewClient>();

var clock = System.Diagnostics.Stopwatch.StartNew();
using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
var ct = deadline.Token;
try
{
    var session = await client.SignInAsync(CarrierId.Verizon, credentials, ct);
    var unfinished = await client.GetUnfinishedRenewalsAsync(ct).ToArrayAsync(ct);
    Console.WriteLine($"unfinished {unfinished.Length} (signed in after {clock.ElapsedMilliseconds} ms)");
    // Side by side: each one first outwaits the lease the crashed process left on it.
    var finals = await Task.WhenAll(unfinished.Select(async record =>
    {
        var operation = await client.ResumeRenewalAsync(session, record.Id, ct);
        var final = await operation.WaitForCompletionAsync(ct);
        Console.WriteLine($"settled {final.Id} after {clock.ElapsedMilliseconds} ms");
        return final;
    }));
    foreach (var final in finals)
    {
        Console.WriteLine($"{final.Id} {final.State} {final.Failure?.Kind}".TrimEnd());
    }

    return 0;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("timed out settling the renewals");
    return 3;
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
    return services.BuildServiceProvider();
}
