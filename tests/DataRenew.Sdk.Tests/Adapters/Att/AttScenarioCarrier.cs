using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Tests.Adapters.Scenario;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>The AT&amp;T-style adapter on its WireMock.Net stub, as one of the scenario's providers.</summary>
public sealed class AttScenarioCarrier : IScenarioCarrier
{
    private readonly AttStub _stub = new();

    public CarrierId Carrier => CarrierId.Att;

    public LineId Line => AttStub.Line5Gb;

    public PlanCode Plan => new("ATT 10GB");

    public PaymentMethod Payment => PaymentMethod.CarrierBilling();

    public int OrdersReceived => _stub.OrdersReceived;

    public void Register(DataRenewBuilder builder) => builder.AddAtt(o =>
    {
        o.BaseAddress = _stub.BaseAddress;
        o.AllowPlainHttpOnLoopback = true;
        o.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
    });

    public Task<DataRenewSession> SignInAsync(DataRenewClient client, CancellationToken cancellationToken) =>
        client.SignInAsync(CarrierId.Att, new PasswordCredentials(AttStub.Username, AttStub.ApiKey), cancellationToken);

    public void FailNextOrder() => _stub.FailNextOrder();

    public ValueTask DisposeAsync() => _stub.DisposeAsync();
}
