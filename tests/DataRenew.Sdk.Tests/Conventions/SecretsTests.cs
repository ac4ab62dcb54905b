using System.Diagnostics;
using System.Text.RegularExpressions;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Conventions;

/// <summary>Card data, passwords, tokens, one-time codes and full phone numbers never reach logs, traces, messages or ToString().</summary>
public sealed partial class SecretsTests
{
    private const string CardNumber = "4242424242424242";
    private const string Cvv = "987";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Renewals_with_both_sign_in_methods_log_and_trace_no_secret()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var carrier = FakeCarrier.CreateDemo(time);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        services.AddDataRenew(o => o.PollJitter = false).AddCarrier(carrier).UsePaymentGateway(new FakePaymentGateway(time));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DataRenewClient>();

        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "DataRenew.Sdk",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);

        var seen = new List<string>();
        var card = PaymentMethod.CreditCard(CardNumber, 12, 2030, Cvv);

        // Password sign-in, renewal of the physical line.
        var session = await client.SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), Ct);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.SimKind == SimKind.Physical, Ct);
        seen.Add((await RenewAsync(client, session, line, card, time)).ToString());

        // One-time-code sign-in, renewal of the eSIM, with a wrong code first.
        var challenge = await client.RequestOneTimeCodeAsync(CarrierId.Fake, FakeCarrierSeed.ESimNumber, Ct);
        var code = carrier.LastOneTimeCode(FakeCarrierSeed.ESimNumber)!;
        var wrong = code == "000000" ? "111111" : "000000";
        seen.Add((await Assert.ThrowsAsync<AuthenticationFailedException>(() => client.SignInWithOneTimeCodeAsync(challenge, wrong, Ct))).ToString());
        var esimSession = await client.SignInWithOneTimeCodeAsync(challenge, code, Ct);
        var esim = await client.GetLinesAsync(esimSession, Ct).SingleAsync(Ct);
        seen.Add((await RenewAsync(client, esimSession, esim, card, time)).ToString());

        seen.AddRange(provider.GetFakeLogCollector().GetSnapshot().Select(r => r.Message + " " + string.Join(" ", r.StructuredState?.Select(kv => kv.Value) ?? [])));
        lock (activities)
        {
            seen.AddRange(activities.SelectMany(a => a.Tags.Select(t => t.Value ?? string.Empty).Append(a.DisplayName)));
        }
        seen.AddRange([session.ToString(), session.CarrierSession.ToString(), esimSession.ToString(), card.ToString(), card.Summary.ToString(),
            new PasswordCredentials("u", FakeCarrierSeed.Password).ToString(), new OneTimeCode(code).ToString(), FakeCarrierSeed.ESimNumber.ToString()]);

        Assert.NotEmpty(provider.GetFakeLogCollector().GetSnapshot());
        Assert.NotEmpty(activities);
        var secrets = new[]
        {
            CardNumber, "4242 4242 4242 4242", Cvv, FakeCarrierSeed.Password, code, session.CarrierSession.RevealToken(), esimSession.CarrierSession.RevealToken(),
            FakeCarrierSeed.ESimNumber.E164, FakeCarrierSeed.PhysicalNumber.E164, "2025550143", "2025550188",
        };
        foreach (var text in seen.Select(t => Ids().Replace(t, "<id>")))
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Secret_holding_types_show_no_secret_in_ToString()
    {
        var token = "tok_" + new string('x', 40);
        var apple = PaymentMethod.ApplePay(token);
        var session = new CarrierSession(CarrierId.Fake, "ACC-123456789", token, FakeCarrierSeed.ESimNumber);
        var request = new ChargeRequest("key-1", Money.Usd(30), PaymentMethod.CreditCard(CardNumber, 1, 2031, Cvv), "plan");

        Assert.DoesNotContain(token, apple.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, session.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("123456789", session.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(CardNumber, request.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Cvv, request.ToString(), StringComparison.Ordinal);
        Assert.Equal("Visa credit •••• 4242", request.Method.Summary.ToString());
    }

    // Generated ids (rnw_…, pay_000987, ord_…) may contain a three-digit CVV by chance; they are not secrets.
    [GeneratedRegex("\\b(rnw|pay|bill|ord|re_pay|re_bill|req|otp|CNF)[_-][0-9A-Za-z_]+")]
    private static partial Regex Ids();

    private static async Task<RenewalRecord> RenewAsync(DataRenewClient client, DataRenewSession session, Line line, PaymentMethod card, FakeTimeProvider time)
    {
        await client.GetLineOverviewAsync(session, line, Ct);
        var quote = await client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan20Gb.Code, Ct);
        var operation = await client.StartRenewalAsync(session, new RenewalRequest(quote, card), Ct);
        var wait = operation.WaitForCompletionAsync(Ct);
        while (!wait.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
        }

        var record = await wait;
        Assert.Equal(RenewalState.Completed, record.State);
        return record;
    }
}
