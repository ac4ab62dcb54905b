using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>A gateway that answers "no" ends the renewal; it is never left to be retried for ever.</summary>
public sealed class GatewayRefusalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_charge_the_gateway_refuses_outright_ends_Failed_with_no_order()
    {
        var h = new Harness();
        h.Payments.FailNext(FakePaymentOperation.Charge, FaultTiming.BeforeEffect,
            () => new DataRenewException("The merchant account cannot take this payment.", new DataRenewErrorDetails(StatusCode: 400, CarrierErrorCode: "account_invalid")));

        var final = await StartAsync(h);

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.PaymentFailed, final.Failure?.Kind);
        Assert.Equal("account_invalid", final.Failure?.Code);
        Assert.Empty(h.Carrier.SubmittedOrders);
        Assert.Equal(0, h.Payments.SucceededCharges());
    }

    [Fact]
    public async Task A_refund_the_gateway_refuses_ends_NeedsAttention_naming_the_payment()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.Refuse());
        h.Payments.FailNext(FakePaymentOperation.Refund, FaultTiming.BeforeEffect,
            () => new DataRenewException("The charge was disputed.", new DataRenewErrorDetails(StatusCode: 400, CarrierErrorCode: "charge_disputed")));

        var final = await StartAsync(h);

        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(RenewalFailureKind.RefundFailed, final.Failure?.Kind);
        Assert.Contains(final.PaymentId!, final.Failure!.Message, StringComparison.Ordinal);
        Assert.Null(final.RefundId);
        Assert.Equal(1, h.Payments.SucceededCharges());
    }

    private static async Task<RenewalRecord> StartAsync(Harness h)
    {
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);
        var quote = await h.Client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan20Gb.Code, Ct);
        var operation = await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        return await h.RunAsync(operation.WaitForCompletionAsync(Ct));
    }
}
