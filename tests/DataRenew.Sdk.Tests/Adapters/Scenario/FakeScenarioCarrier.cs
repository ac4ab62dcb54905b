using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.Scenario;

/// <summary>The in-memory fake carrier, as one of the scenario's four providers.</summary>
public sealed class FakeScenarioCarrier : IScenarioCarrier
{
    private readonly FakeCarrier _carrier = FakeCarrier.CreateDemo();

    public CarrierId Carrier => CarrierId.Fake;

    public LineId Line => FakeCarrierSeed.PhysicalLine;

    public PlanCode Plan => new("FAKE-10GB");

    public PaymentMethod Payment => PaymentMethod.CreditCard("4242424242424242", 12, 2030, "123");

    public int OrdersReceived => _carrier.SubmittedOrders.Count;

    public void Register(DataRenewBuilder builder) => builder.AddCarrier(_carrier);

    public Task<DataRenewSession> SignInAsync(DataRenewClient client, CancellationToken cancellationToken) =>
        client.SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), cancellationToken);

    public void FailNextOrder() => _carrier.EnqueueOrder(FakeOrderScript.FailAfter(1));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
