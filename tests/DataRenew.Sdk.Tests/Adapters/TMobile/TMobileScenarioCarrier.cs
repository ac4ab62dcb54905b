using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Tests.Adapters.Scenario;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.TMobile;

/// <summary>The T-Mobile-style adapter on its WireMock stub, as one of the scenario's providers: OTP sign-in, a card token.</summary>
public sealed class TMobileScenarioCarrier : IScenarioCarrier
{
    private readonly TMobileStub _stub = new();

    public CarrierId Carrier => CarrierId.TMobile;

    public LineId Line => TMobileWorld.Line;

    public PlanCode Plan => new("tm-10gb-30d");

    public PaymentMethod Payment => PaymentMethod.CardToken("tok_visa_4242", CardBrand.Visa, "4242");

    public int OrdersReceived => _stub.OrdersReceived;

    public void Register(DataRenewBuilder builder) => builder.AddTMobile(o => TMobileWorld.Configure(o, _stub));

    public async Task<DataRenewSession> SignInAsync(DataRenewClient client, CancellationToken cancellationToken)
    {
        var challenge = await client.RequestOneTimeCodeAsync(CarrierId.TMobile, PhoneNumber.Parse(TMobileStub.Msisdn), cancellationToken);
        return await client.SignInWithOneTimeCodeAsync(challenge, TMobileStub.OtpCode, cancellationToken);
    }

    public void FailNextOrder() => _stub.EnqueueTopup(TopupScript.Fail());

    public ValueTask DisposeAsync()
    {
        _stub.Dispose();
        return ValueTask.CompletedTask;
    }
}
