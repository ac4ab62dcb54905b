using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

public sealed class HappyPathTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Password_sign_in_renewal_completes_with_a_receipt_charging_and_ordering_once()
    {
        var h = new Harness();
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);
        var quote = await h.Client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan10Gb.Code, Ct);
        Assert.Equal(Money.Usd(30m), quote.Price); // 25 % off $40

        var operation = await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.NotNull(final.Receipt);
        Assert.Equal(Money.Usd(30m), final.Receipt.Amount);
        Assert.Equal("Visa credit •••• 4242", final.Receipt.Payment.ToString());
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, h.Carrier.CurrentPlanOf(line.Id));
    }
}
