using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Tests.Adapters.Scenario;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>The Verizon-style adapter on its WireMock stub, as one of the scenario's providers.</summary>
public sealed class VerizonScenarioCarrier : IScenarioCarrier
{
    private readonly VerizonStub _stub = new();

    public CarrierId Carrier => CarrierId.Verizon;

    public LineId Line => VerizonStub.ActiveLine;

    public PlanCode Plan => new("M2M10GB");

    public PaymentMethod Payment => PaymentMethod.CarrierBilling();

    public int OrdersReceived => _stub.OrdersReceived;

    public void Register(DataRenewBuilder builder) => VerizonTestHost.AddStubbedVerizon(builder, _stub);

    public Task<DataRenewSession> SignInAsync(DataRenewClient client, CancellationToken cancellationToken) =>
        client.SignInAsync(CarrierId.Verizon, new PasswordCredentials(VerizonStub.Username, VerizonStub.Password), cancellationToken);

    public void FailNextOrder() => _stub.FailNextOrder();

    public ValueTask DisposeAsync()
    {
        _stub.Dispose();
        return ValueTask.CompletedTask;
    }
}
