using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>
/// Transient faults (lost connections, timeouts, throttling) while waiting are retried by the engine,
/// which reads the step's outcome back before repeating it: one charge, one order, one refund.
/// </summary>
public sealed class TransientFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> TransientKinds() => ["connection lost", "http", "timeout", "io", "outcome unknown", "rate limited", "journal conflict"];

    [Theory]
    [MemberData(nameof(TransientKinds))]
    public async Task Transient_fault_reading_the_payment_while_waiting_is_retried(string kind)
    {
        var h = NewWorld(honourKeys: false);
        var operation = await StartPaymentProcessingAsync(h);
        h.Payments.FailNext(FakePaymentOperation.GetPayment, FaultTiming.BeforeEffect, Transient(kind));

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        AssertCompletedOnce(h, final);
        Assert.Equal(3, h.GatewayCalls(FakePaymentOperation.GetPayment));
    }

    [Theory]
    [MemberData(nameof(TransientKinds))]
    public async Task Transient_fault_before_the_order_reaches_the_carrier_is_read_back_then_sent_once(string kind)
    {
        var h = NewWorld(honourKeys: false);
        var operation = await StartPaymentProcessingAsync(h);
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.BeforeEffect, Transient(kind));

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        AssertCompletedOnce(h, final);
        Assert.Equal(2, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.FindOrder));
        Assert.Equal(2, final.OrderAttempts);
        AssertReadBackBeforeResend(h.Carrier.Calls);
    }

    [Theory]
    [MemberData(nameof(TransientKinds))]
    public async Task Transient_fault_after_the_carrier_took_the_order_is_read_back_and_not_resent(string kind)
    {
        var h = NewWorld(honourKeys: false);
        var operation = await StartPaymentProcessingAsync(h);
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect, Transient(kind));

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        AssertCompletedOnce(h, final);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.FindOrder));
        Assert.Equal(1, final.OrderAttempts);
    }

    [Theory]
    [InlineData(FaultTiming.BeforeEffect)]
    [InlineData(FaultTiming.AfterEffect)]
    public async Task Transient_fault_reading_the_order_status_is_retried(FaultTiming timing)
    {
        var h = NewWorld(honourKeys: false);
        var operation = await StartPaymentProcessingAsync(h);
        h.Carrier.FailNext(FakeCarrierOperation.GetOrder, timing);

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        AssertCompletedOnce(h, final);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
    }

    [Theory]
    [InlineData(FaultTiming.BeforeEffect)]
    [InlineData(FaultTiming.AfterEffect)]
    public async Task Transient_fault_refunding_is_retried_with_the_same_key_and_refunds_once(FaultTiming timing)
    {
        var h = NewWorld(honourKeys: false);
        var operation = await StartPaymentProcessingAsync(h);
        h.Carrier.EnqueueOrder(FakeOrderScript.Refuse());
        h.Payments.FailNext(FakePaymentOperation.Refund, timing);

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.CarrierRefused, final.Failure!.Kind);
        var refund = Assert.Single(h.Payments.Refunds);
        Assert.Equal(refund.RefundId, final.RefundId);
        Assert.Equal(Money.Usd(30m), refund.Amount);
        Assert.Equal(2, final.RefundAttempts);
        Assert.Equal(1, h.Payments.SucceededCharges());
        await h.AssertJournalIsSoundAsync(final.Id);
    }

    [Fact]
    public async Task Several_transient_faults_in_a_row_are_retried_with_growing_waits()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(3));
        var operation = await h.StartAsync();
        Assert.Equal(RenewalState.Confirming, operation.State);
        for (var i = 0; i < 4; i++)
        {
            h.Carrier.FailNext(FakeCarrierOperation.GetOrder);
        }

        var waitsBefore = h.Clock.Waits.Count;
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        AssertCompletedOnce(h, final);
        Assert.Equal(
            [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16)],
            h.Clock.Waits.Skip(waitsBefore).Take(4));
    }

    [Fact]
    public async Task Fifth_transient_fault_in_a_row_is_given_up_on_and_a_later_wait_still_finishes_once()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(3));
        var operation = await h.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            h.Carrier.FailNext(FakeCarrierOperation.GetOrder);
        }

        await Assert.ThrowsAsync<FakeConnectionLostException>(() => h.RunAsync(operation.WaitForCompletionAsync(Ct)));
        Assert.Equal(RenewalState.Confirming, operation.State);
        Assert.Equal(RenewalState.Confirming, (await h.Journal.GetAsync(operation.Id, Ct))!.State);

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        AssertCompletedOnce(h, final);
    }

    [Fact]
    public async Task Transient_fault_during_start_hands_back_the_recorded_renewal_and_waiting_charges_once()
    {
        var h = NewWorld(honourKeys: false);
        h.Payments.FailNext(FakePaymentOperation.Charge, FaultTiming.AfterEffect);
        var (session, quote) = await h.QuoteAsync();

        // The answer to the charge was lost: start does not throw it away with the renewal's id, it returns the operation.
        var operation = await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        Assert.Equal(RenewalState.Charging, operation.State);
        Assert.Equal(operation.Id, await h.SingleUnfinishedAsync());

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        AssertCompletedOnce(h, final);
        Assert.Equal(1, h.GatewayCalls(FakePaymentOperation.Charge));
    }

    [Fact]
    public async Task Non_transient_error_is_not_retried()
    {
        var h = new Harness();
        var operation = await StartPaymentProcessingAsync(h);
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.BeforeEffect, () => new AuthenticationFailedException("The session expired.", new DataRenewErrorDetails(CarrierId.Fake, 401, "SessionToken.Expired")));

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() => h.RunAsync(operation.WaitForCompletionAsync(Ct)));

        Assert.Equal("SessionToken.Expired", error.CarrierErrorCode);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Equal(RenewalState.Ordering, operation.State);

        // An expired session is not a refusal: nothing is refunded, and waiting again finishes the renewal.
        Assert.Empty(h.Payments.Refunds);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));
        AssertCompletedOnce(h, final);
    }

    private static Harness NewWorld(bool honourKeys)
    {
        var h = new Harness();
        h.Payments.HonourIdempotencyKeys = honourKeys;
        h.Carrier.HonourIdempotencyKeys = honourKeys;
        return h;
    }

    /// <summary>Starts a renewal whose payment settles on the next read, so the order steps happen while waiting.</summary>
    private static async Task<RenewalOperation> StartPaymentProcessingAsync(Harness h)
    {
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(1));
        var operation = await h.StartAsync();
        Assert.Equal(RenewalState.PaymentProcessing, operation.State);
        return operation;
    }

    private static Func<Exception> Transient(string kind) => kind switch
    {
        "connection lost" => () => new FakeConnectionLostException("test"),
        "http" => () => new HttpRequestException("502 Bad Gateway"),
        "timeout" => () => new TimeoutException("The request timed out."),
        "io" => () => new IOException("The connection was reset."),
        "outcome unknown" => () => new OutcomeUnknownException("The answer was lost.", new DataRenewErrorDetails(CarrierId.Fake)),
        "rate limited" => () => new RateLimitedException("Slow down.", new DataRenewErrorDetails(CarrierId.Fake, 429, RetryAfter: TimeSpan.FromSeconds(1))),
        "journal conflict" => () => new RenewalConflictException(RenewalId.New(), 3, 3),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static void AssertReadBackBeforeResend(IReadOnlyList<FakeCarrierOperation> calls)
    {
        var submits = calls.Select((c, i) => (c, i)).Where(x => x.c == FakeCarrierOperation.SubmitOrder).Select(x => x.i).ToArray();
        var find = calls.ToList().IndexOf(FakeCarrierOperation.FindOrder);
        Assert.InRange(find, submits[0] + 1, submits[1] - 1);
    }

    private static void AssertCompletedOnce(Harness h, RenewalRecord final)
    {
        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Payments.Charges);
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Empty(h.Payments.Refunds);
        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
    }
}
