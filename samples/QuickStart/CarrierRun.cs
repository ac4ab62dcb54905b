using DataRenew.Sdk;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace QuickStart;

/// <summary>
/// The same five steps on a carrier API (Verizon, AT&amp;T or T-Mobile style), configured the way an app configures
/// it: a configuration section per carrier, bound by the SDK. Settings come from DATARENEW_* environment variables
/// and --set Key=Value. Payment is "bill to the carrier account", which all three styles take.
/// </summary>
internal static class CarrierRun
{
    public static async Task<int> RunAsync(QuickStartSettings settings, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables("DATARENEW_")
            .AddInMemoryCollection(settings.Overrides)
            .Build();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(settings.LogLevel));
        var dataRenew = services.AddDataRenew(options => configuration.GetSection("Renewal").Bind(options));
        var carrier = settings.Carrier switch
        {
            "verizon" => Added(dataRenew.AddVerizon(configuration.GetSection("Verizon")), CarrierId.Verizon),
            "att" => Added(dataRenew.AddAtt(configuration.GetSection("Att")), CarrierId.Att),
            _ => Added(dataRenew.AddTMobile(configuration.GetSection("TMobile")), CarrierId.TMobile),
        };
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DataRenewClient>();

        // 1. Sign in: a username and password (the API key for AT&T), or a one-time code to a phone number.
        var signIn = configuration.GetSection("SignIn");
        DataRenewSession session;
        if (signIn["PhoneNumber"] is { Length: > 0 } number)
        {
            var challenge = await client.RequestOneTimeCodeAsync(carrier, PhoneNumber.Parse(number), ct);
            var code = signIn["Code"];
            if (code is null)
            {
                Console.Write("  One-time code sent by SMS: ");
                code = Console.ReadLine() ?? string.Empty;
            }

            session = await client.SignInWithOneTimeCodeAsync(challenge, code, ct);
        }
        else
        {
            session = await client.SignInAsync(carrier, new PasswordCredentials(signIn["Username"] ?? string.Empty, signIn["Password"] ?? string.Empty), ct);
        }

        Screen.SignedIn(session);

        // 2. The line (SignIn:Line, its id or ICCID, or else the first one), its plan and usage.
        var wanted = signIn["Line"];
        var line = await client.GetLinesAsync(session, ct).FirstAsync(l => wanted is null || l.Id.Value == wanted || l.Iccid?.Value == wanted, ct);
        var overview = await client.GetLineOverviewAsync(session, line, ct);
        Screen.Overview(overview);

        // 3. The options, and a quote for --plan or else the line's own plan (a plain renewal).
        var options = await client.GetRenewalOptionsAsync(session, line, ct);
        var plan = settings.PlanGiven ? new PlanCode(settings.Plan) : options.FirstOrDefault(o => o.Plan.Code == line.CurrentPlan)?.Plan.Code ?? options[0].Plan.Code;
        var quote = await client.CreateQuoteAsync(session, line, plan, ct);
        Screen.Options(options, quote);

        // 4. Pay by the carrier bill, 5. confirm.
        var billing = PaymentMethod.CarrierBilling();
        Screen.Payment(billing, quote);
        var renewal = await client.StartRenewalAsync(session, new RenewalRequest(quote, billing) { RenewalId = RenewalId.New() }, ct);
        var final = await renewal.WaitForCompletionAsync(Screen.StatusUpdates, ct);
        Screen.Outcome(final);
        return final.State == RenewalState.Completed ? 0 : 1;
    }

    private static CarrierId Added(IHttpClientBuilder _, CarrierId carrier) => carrier;
}
