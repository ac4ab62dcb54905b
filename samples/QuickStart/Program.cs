// The quick start: all five steps of a renewal, on the in-memory fake carrier.
//   dotnet run --project samples/QuickStart                 (password sign-in, physical SIM)
//   dotnet run --project samples/QuickStart -- --esim       (one-time code sign-in, eSIM)
//   dotnet run --project samples/QuickStart -- --plan FAKE-20GB --card 4000000000000002
//   dotnet run --project samples/QuickStart -- --carrier verizon --set Verizon:BaseAddress=https://…   (see README)
using DataRenew.Sdk;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QuickStart;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(QuickStartSettings.Usage);
    return 0;
}

var settings = QuickStartSettings.Parse(args);
if (settings is null)
{
    return 2;
}

try
{
    return await RunAsync(settings);
}
catch (OptionsValidationException ex)
{
    // A setting the SDK refuses at start (checked before anything is sent): one line, not a stack trace.
    Console.Error.WriteLine($"Configuration error: {string.Join(" ", ex.Failures)}");
    return 2;
}
catch (DataRenewException ex)
{
    // Every SDK error is a DataRenewException with a message fit to show (never a secret in it).
    Screen.Error(ex);
    return 1;
}

static async Task<int> RunAsync(QuickStartSettings settings)
{
    Console.OutputEncoding = System.Text.Encoding.UTF8;
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
    var ct = cancel.Token;
    if (settings.Carrier is not null)
    {
        return await CarrierRun.RunAsync(settings, ct);
    }

    // The fake carrier stands in for a real one; it applies orders after one status poll.
    var carrier = FakeCarrier.CreateDemo();
    var payments = new FakePaymentGateway();

    // <readme>
    var services = new ServiceCollection()
        .AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(settings.LogLevel));
    services.AddDataRenew(options => options.PollInitialDelay = TimeSpan.FromMilliseconds(500))
        .AddCarrier(carrier)
        .UsePaymentGateway(payments);
    await using var provider = services.BuildServiceProvider();
    var client = provider.GetRequiredService<DataRenewClient>();

    // 1. Sign in: with a password, or with a one-time code sent to the eSIM's number.
    DataRenewSession session;
    if (settings.ESim)
    {
        var challenge = await client.RequestOneTimeCodeAsync(CarrierId.Fake, FakeCarrierSeed.ESimNumber, ct);
        var code = carrier.LastOneTimeCode(FakeCarrierSeed.ESimNumber)!; // the fake's "SMS"
        session = await client.SignInWithOneTimeCodeAsync(challenge, code, ct);
    }
    else
    {
        session = await client.SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), ct);
    }

    Screen.SignedIn(session);

    // 2. The line, its plan and its usage.
    var line = await client.GetLinesAsync(session, ct).FirstAsync(ct);
    var overview = await client.GetLineOverviewAsync(session, line, ct);
    Screen.Overview(overview);

    // 3. The renewal options (promotions applied) and a quote for the chosen plan.
    var options = await client.GetRenewalOptionsAsync(session, line, ct);
    var quote = await client.CreateQuoteAsync(session, line, new PlanCode(settings.Plan), ct);
    Screen.Options(options, quote);

    // 4. Pay: card details are checked here, before anything is sent. Keeping the renewal id made up
    //    front makes the start safe to retry: the same id continues the same renewal, never a second charge.
    var card = PaymentMethod.CreditCard(settings.CardNumber, 12, 2030, "123");
    Screen.Payment(card, quote);
    var request = new RenewalRequest(quote, card) { RenewalId = RenewalId.New() };
    var renewal = await client.StartRenewalAsync(session, request, ct);
    Screen.Status(renewal.Current);

    // 5. Confirm: wait until the carrier has applied the plan, or the renewal definitely failed.
    var final = await renewal.WaitForCompletionAsync(Screen.StatusUpdates, ct);
    Screen.Outcome(final);
    // </readme>
    return final.State == RenewalState.Completed ? 0 : 1;
}
