using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.Scenario;

/// <summary>
/// One provider-neutral renewal scenario, run against every provider: the fake and each adapter on its stub.
/// It uses only DataRenewClient, exactly as an app does. Real time with millisecond polls: the stubs answer at once.
/// </summary>
public sealed class RenewalScenarioTests
{
    public static TheoryData<string> Providers => new(ScenarioCarriers.Names);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_renewal_runs_from_sign_in_to_Completed(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var carrier = ScenarioCarriers.Create(provider);
        await using var services = Build(carrier, out var gateway);
        var client = services.GetRequiredService<DataRenewClient>();

        var session = await client.SignInAsync(carrier, ct);
        var line = await client.GetLinesAsync(session, ct).FirstAsync(l => l.Id == carrier.Line, ct);
        var overview = await client.GetLineOverviewAsync(session, line, ct);
        Assert.Equal(line.Id, overview.Line.Id);
        var options = await client.GetRenewalOptionsAsync(session, line, ct);
        Assert.Contains(options, o => o.Plan.Code == carrier.Plan);
        var quote = await client.CreateQuoteAsync(session, line, carrier.Plan, ct);

        var renewal = await client.StartRenewalAsync(session, new RenewalRequest(quote, carrier.Payment), ct);
        var final = await renewal.WaitForCompletionAsync(ct);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.NotNull(final.Receipt);
        Assert.Equal(quote.Price, final.Receipt.Amount);
        Assert.Equal(1, carrier.OrdersReceived);
        Assert.True(gateway.Charges.Count(c => c.Status == Payments.PaymentStatus.Succeeded) <= 1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_renewal_the_carrier_fails_ends_Failed_with_nothing_kept(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var carrier = ScenarioCarriers.Create(provider);
        await using var services = Build(carrier, out var gateway);
        var client = services.GetRequiredService<DataRenewClient>();
        var session = await client.SignInAsync(carrier, ct);
        var line = await client.GetLinesAsync(session, ct).FirstAsync(l => l.Id == carrier.Line, ct);
        var quote = await client.CreateQuoteAsync(session, line, carrier.Plan, ct);
        carrier.FailNextOrder();

        var renewal = await client.StartRenewalAsync(session, new RenewalRequest(quote, carrier.Payment), ct);
        var final = await renewal.WaitForCompletionAsync(ct);

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.NotNull(final.Failure);
        Assert.Equal(1, carrier.OrdersReceived);

        // Money that moved through the gateway came back; a carrier that collects payment keeps none for a failed order.
        var charged = gateway.Charges.Where(c => c.Status == Payments.PaymentStatus.Succeeded).Sum(c => c.Amount.Amount);
        Assert.Equal(charged, gateway.Refunds.Sum(r => r.Amount.Amount));
    }

    private static ServiceProvider Build(IScenarioCarrier carrier, out FakePaymentGateway gateway)
    {
        gateway = new FakePaymentGateway();
        var services = new ServiceCollection();
        var builder = services.AddDataRenew(o =>
        {
            o.PollInitialDelay = TimeSpan.FromMilliseconds(1);
            o.PollMaxDelay = TimeSpan.FromMilliseconds(5);
        }).UsePaymentGateway(gateway);
        carrier.Register(builder);
        return services.BuildServiceProvider();
    }
}

/// <summary>The scenario's providers, by name.</summary>
public static class ScenarioCarriers
{
    // Adapters add themselves here as they land.
    private static readonly Dictionary<string, Func<IScenarioCarrier>> Factories = new()
    {
        ["fake"] = () => new FakeScenarioCarrier(),
        ["verizon"] = () => new Verizon.VerizonScenarioCarrier(),
        ["att"] = () => new Att.AttScenarioCarrier(),
        ["tmobile"] = () => new TMobile.TMobileScenarioCarrier(),
    };

    public static IEnumerable<string> Names => Factories.Keys;

    public static IScenarioCarrier Create(string name) => Factories[name]();
}

internal static class ScenarioCarrierExtensions
{
    public static Task<DataRenewSession> SignInAsync(this DataRenewClient client, IScenarioCarrier carrier, CancellationToken ct) => carrier.SignInAsync(client, ct);
}
