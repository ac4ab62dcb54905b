using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.Tests.AdapterKit;

public sealed class AccountBillingGatewayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_same_key_is_the_same_charge_and_is_found_by_its_key()
    {
        var billing = new AccountBillingGateway(new CarrierId("kit"), "kit");
        var request = new ChargeRequest("rnw_1-pay", Money.Usd(30m), PaymentMethod.CarrierBilling(), "plan");

        var first = await billing.ChargeAsync(request, Ct);
        var again = await billing.ChargeAsync(request, Ct);

        Assert.Equal(PaymentStatus.Succeeded, first.Status);
        Assert.Equal(first, again);
        Assert.Equal("kitbill_rnw_1-pay", first.PaymentId);
        Assert.Equal(first, await billing.FindByIdempotencyKeyAsync("rnw_1-pay", Ct));
        Assert.Equal(first, await billing.GetPaymentAsync(first.PaymentId, Ct));
        Assert.Null(await billing.FindByIdempotencyKeyAsync("other", Ct));
    }

    [Fact]
    public async Task A_refund_is_recorded_once_per_key_and_an_unknown_payment_is_a_typed_error()
    {
        var billing = new AccountBillingGateway(new CarrierId("kit"), "kit");
        var refund = new RefundRequest("kitbill_rnw_1-pay", Money.Usd(30m), "rnw_1-refund", "not applied");

        Assert.Equal(await billing.RefundAsync(refund, Ct), await billing.RefundAsync(refund, Ct));
        await Assert.ThrowsAsync<CarrierRejectedException>(() => billing.GetPaymentAsync("kitbill_unknown", Ct));
    }
}
