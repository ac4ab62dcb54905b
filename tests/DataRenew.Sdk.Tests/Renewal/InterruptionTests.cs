using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>Where a renewal is interrupted: the call, and whether its effect happened before the interruption.</summary>
public enum InterruptionPoint
{
    ChargeBeforeEffect,
    ChargeAfterEffect,
    SubmitOrderBeforeEffect,
    SubmitOrderAfterEffect,
    GetOrderBeforeEffect,
    GetOrderAfterEffect,
    RefundBeforeEffect,
    RefundAfterEffect,
}

/// <summary>
/// A renewal interrupted at any step (a non-transient error: the process died) is finished by waiting
/// again or by resuming it by id, from this or a new process, and never charges, orders or refunds
/// twice. Every scenario also runs with fakes that do not honour idempotency keys, so what prevents the
/// repeat is the engine reading outcomes back, not the fakes' deduplication.
/// </summary>
public sealed class InterruptionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<InterruptionPoint, bool, bool> EveryPointDuringStart()
    {
        // A start stops before the first status poll, so order polls are interrupted while waiting (below).
        var data = new TheoryData<InterruptionPoint, bool, bool>();
        foreach (var point in Enum.GetValues<InterruptionPoint>().Where(p => p is not (InterruptionPoint.GetOrderBeforeEffect or InterruptionPoint.GetOrderAfterEffect)))
        {
            foreach (var honourKeys in new[] { true, false })
            {
                foreach (var newProcess in new[] { true, false })
                {
                    data.Add(point, honourKeys, newProcess);
                }
            }
        }

        return data;
    }

    public static TheoryData<InterruptionPoint, bool> EveryPointAfterPayment()
    {
        var data = new TheoryData<InterruptionPoint, bool>();
        foreach (var point in Enum.GetValues<InterruptionPoint>().Where(p => p is not (InterruptionPoint.ChargeBeforeEffect or InterruptionPoint.ChargeAfterEffect)))
        {
            data.Add(point, true);
            data.Add(point, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPointDuringStart))]
    public async Task Renewal_interrupted_during_start_and_resumed_by_id_charges_once_and_orders_once(InterruptionPoint point, bool honourKeys, bool newProcess)
    {
        var h = NewWorld(honourKeys);
        Arm(h, point);
        var (session, quote) = await h.QuoteAsync();

        var died = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));
        Assert.Equal("process died", died.Message);

        var id = await h.SingleUnfinishedAsync();
        var interrupted = (await h.Journal.GetAsync(id, Ct))!;
        Assert.Equal(StateWhenInterrupted(point), interrupted.State);

        var client = newProcess ? h.NewClient() : h.Client;
        var resumeSession = newProcess ? await h.SignInAsync(client) : session;
        var request = new ResumeRenewalRequest(id) { PaymentMethod = point == InterruptionPoint.ChargeBeforeEffect ? Harness.Visa : null };
        var operation = await client.ResumeRenewalAsync(resumeSession, request, Ct);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        await AssertSettledOnceAsync(h, point, final);
    }

    [Theory]
    [MemberData(nameof(EveryPointAfterPayment))]
    public async Task Renewal_interrupted_while_waiting_finishes_when_waited_again_on_the_same_operation(InterruptionPoint point, bool honourKeys)
    {
        var h = NewWorld(honourKeys);

        // A payment that settles on the next read: the start stops there, and the rest happens while waiting.
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(1));
        var operation = await h.StartAsync();
        Assert.Equal(RenewalState.PaymentProcessing, operation.State);
        Arm(h, point);

        var died = await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync(operation.WaitForCompletionAsync(Ct)));
        Assert.Equal("process died", died.Message);
        Assert.Equal(StateWhenInterrupted(point), operation.State);
        Assert.False(operation.HasCompleted);
        Assert.Equal((await h.Journal.GetAsync(operation.Id, Ct))!.Version, operation.Current.Version);

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Same(final, operation.Current);
        await AssertSettledOnceAsync(h, point, final);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Charge_that_never_reached_the_gateway_needs_the_same_payment_method_to_resume(bool honourKeys)
    {
        var h = NewWorld(honourKeys);
        Arm(h, InterruptionPoint.ChargeBeforeEffect);
        var (session, quote) = await h.QuoteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));
        var id = await h.SingleUnfinishedAsync();
        var client = h.NewClient();
        var resumeSession = await h.SignInAsync(client);
        await h.OutwaitLeaseAsync(client, resumeSession, id); // the dead process's charge may still be on the wire

        var missing = await Assert.ThrowsAsync<DataRenewValidationException>(() => client.ResumeRenewalAsync(resumeSession, id, Ct));
        Assert.Contains("payment method", missing.Message, StringComparison.Ordinal);
        Assert.Contains("Visa credit •••• 4242", missing.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Harness.VisaNumber, missing.Message, StringComparison.Ordinal);

        var otherCard = PaymentMethod.CreditCard("5555 5555 5555 4444", 12, 2030, "123");
        var different = await Assert.ThrowsAsync<DataRenewValidationException>(() =>
            client.ResumeRenewalAsync(resumeSession, new ResumeRenewalRequest(id) { PaymentMethod = otherCard }, Ct));
        Assert.Equal("request.PaymentMethod", different.ParameterName);
        Assert.DoesNotContain("5555555555554444", different.Message, StringComparison.Ordinal);

        var paypal = await Assert.ThrowsAsync<DataRenewValidationException>(() =>
            client.ResumeRenewalAsync(resumeSession, new ResumeRenewalRequest(id) { PaymentMethod = PaymentMethod.PayPal() }, Ct));
        Assert.Equal("request.PaymentMethod", paypal.ParameterName);

        // Nothing was charged by the refused resumes, and the renewal is still waiting for its charge.
        Assert.Empty(h.Payments.Charges);
        Assert.Equal(1, h.GatewayCalls(FakePaymentOperation.Charge));
        var stillCharging = (await h.Journal.GetAsync(id, Ct))!;
        Assert.Equal(RenewalState.Charging, stillCharging.State);
        Assert.Equal(1, stillCharging.ChargeAttempts);

        var operation = await client.ResumeRenewalAsync(resumeSession, new ResumeRenewalRequest(id) { PaymentMethod = Harness.Visa }, Ct);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        await AssertSettledOnceAsync(h, InterruptionPoint.ChargeBeforeEffect, final);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Charge_whose_answer_was_lost_resumes_without_the_payment_method_and_is_read_back_not_repeated(bool honourKeys)
    {
        var h = NewWorld(honourKeys);
        Arm(h, InterruptionPoint.ChargeAfterEffect);
        var (session, quote) = await h.QuoteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));
        var id = await h.SingleUnfinishedAsync();
        Assert.Equal(1, h.Payments.SucceededCharges());

        var client = h.NewClient();
        var operation = await client.ResumeRenewalAsync(await h.SignInAsync(client), id, Ct);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(1, h.GatewayCalls(FakePaymentOperation.FindByIdempotencyKey));
        Assert.Equal(Assert.Single(h.Payments.Charges).PaymentId, final.PaymentId);
        await AssertSettledOnceAsync(h, InterruptionPoint.ChargeAfterEffect, final);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Renewal_interrupted_twice_is_finished_by_a_third_process_charging_once_and_ordering_once(bool honourKeys)
    {
        var h = NewWorld(honourKeys);
        Arm(h, InterruptionPoint.ChargeAfterEffect);
        Arm(h, InterruptionPoint.SubmitOrderAfterEffect);
        var (session, quote) = await h.QuoteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));
        var id = await h.SingleUnfinishedAsync();
        var second = h.NewClient();
        var secondSession = await h.SignInAsync(second);
        await h.OutwaitLeaseAsync(second, secondSession, id);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.ResumeRenewalAsync(secondSession, id, Ct));
        Assert.Equal(RenewalState.Ordering, (await h.Journal.GetAsync(id, Ct))!.State);

        var third = h.NewClient();
        var thirdSession = await h.SignInAsync(third);
        await h.OutwaitLeaseAsync(third, thirdSession, id);
        var operation = await third.ResumeRenewalAsync(thirdSession, id, Ct);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Payments.Charges);
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        await h.AssertJournalIsSoundAsync(id);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Carrier_billing_interrupted_after_the_charge_resumes_on_the_carrier_bill_and_charges_once(bool honourKeys)
    {
        var h = NewWorld(honourKeys);
        h.Carrier.BillingGateway.HonourIdempotencyKeys = honourKeys;
        h.Carrier.BillingGateway.FailNext(FakePaymentOperation.Charge, FaultTiming.AfterEffect, ProcessDied);
        var (session, quote) = await h.QuoteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct));
        var id = await h.SingleUnfinishedAsync();

        var client = h.NewClient();
        var operation = await client.ResumeRenewalAsync(await h.SignInAsync(client), id, Ct);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal("Carrier bill", final.Receipt!.Payment.ToString());
        Assert.Equal(1, h.Carrier.BillingGateway.SucceededCharges());
        Assert.Single(h.Carrier.BillingGateway.Charges);
        Assert.Empty(h.Payments.Calls);
        Assert.Single(h.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task Completed_renewal_resumed_from_a_new_process_does_nothing_more()
    {
        var h = new Harness();
        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));
        var gatewayCalls = h.Payments.Calls.Count;

        var client = h.NewClient();
        var session = await h.SignInAsync(client);
        var carrierCalls = h.Carrier.Calls.Count;
        var resumed = await client.ResumeRenewalAsync(session, new ResumeRenewalRequest(final.Id) { PaymentMethod = Harness.Visa }, Ct);
        var again = await resumed.WaitForCompletionAsync(Ct);

        Assert.Equal(RenewalState.Completed, again.State);
        Assert.Equal(final.Receipt, resumed.Receipt);
        Assert.Equal(carrierCalls, h.Carrier.Calls.Count);
        Assert.Equal(gatewayCalls, h.Payments.Calls.Count);
        Assert.Equal(final.Version, again.Version);
    }

    [Fact]
    public async Task Unknown_renewal_id_is_not_found()
    {
        var h = new Harness();
        var session = await h.SignInAsync();
        var id = RenewalId.New();

        var error = await Assert.ThrowsAsync<RenewalNotFoundException>(() => h.Client.ResumeRenewalAsync(session, id, Ct));

        Assert.Equal(id, error.RenewalId);
        Assert.Null(await h.Client.GetRenewalAsync(id, Ct));
    }

    [Fact]
    public async Task Renewal_cannot_be_resumed_from_another_account()
    {
        var h = new Harness();
        h.Carrier.AddAccount("neighbour", "neighbour-password", "ACC-2024-009999", "Next Door")
            .AddLine(Iccid.Parse("8914800000000000030"), PhoneNumber.Parse("(202) 555-0100"), SimKind.Physical, FakeCarrierSeed.Plan5Gb);
        Arm(h, InterruptionPoint.SubmitOrderBeforeEffect);
        var (session, quote) = await h.QuoteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));
        var id = await h.SingleUnfinishedAsync();
        var client = h.NewClient();
        var neighbour = await client.SignInAsync(CarrierId.Fake, new PasswordCredentials("neighbour", "neighbour-password"), Ct);

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() => client.ResumeRenewalAsync(neighbour, id, Ct));

        Assert.Equal("session", error.ParameterName);
        Assert.Equal(RenewalState.Ordering, (await h.Journal.GetAsync(id, Ct))!.State);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
    }

    private static Exception ProcessDied() => new InvalidOperationException("process died");

    private static Harness NewWorld(bool honourKeys)
    {
        var h = new Harness();
        h.Payments.HonourIdempotencyKeys = honourKeys;
        h.Carrier.HonourIdempotencyKeys = honourKeys;
        return h;
    }

    private static void Arm(Harness h, InterruptionPoint point)
    {
        switch (point)
        {
            case InterruptionPoint.ChargeBeforeEffect:
                h.Payments.FailNext(FakePaymentOperation.Charge, FaultTiming.BeforeEffect, ProcessDied);
                break;
            case InterruptionPoint.ChargeAfterEffect:
                h.Payments.FailNext(FakePaymentOperation.Charge, FaultTiming.AfterEffect, ProcessDied);
                break;
            case InterruptionPoint.SubmitOrderBeforeEffect:
                h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.BeforeEffect, ProcessDied);
                break;
            case InterruptionPoint.SubmitOrderAfterEffect:
                h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect, ProcessDied);
                break;
            case InterruptionPoint.GetOrderBeforeEffect:
                h.Carrier.FailNext(FakeCarrierOperation.GetOrder, FaultTiming.BeforeEffect, ProcessDied);
                break;
            case InterruptionPoint.GetOrderAfterEffect:
                h.Carrier.FailNext(FakeCarrierOperation.GetOrder, FaultTiming.AfterEffect, ProcessDied);
                break;
            case InterruptionPoint.RefundBeforeEffect:
                h.Carrier.EnqueueOrder(FakeOrderScript.Refuse());
                h.Payments.FailNext(FakePaymentOperation.Refund, FaultTiming.BeforeEffect, ProcessDied);
                break;
            case InterruptionPoint.RefundAfterEffect:
                h.Carrier.EnqueueOrder(FakeOrderScript.Refuse());
                h.Payments.FailNext(FakePaymentOperation.Refund, FaultTiming.AfterEffect, ProcessDied);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(point));
        }
    }

    private static RenewalState StateWhenInterrupted(InterruptionPoint point) => point switch
    {
        InterruptionPoint.ChargeBeforeEffect or InterruptionPoint.ChargeAfterEffect => RenewalState.Charging,
        InterruptionPoint.SubmitOrderBeforeEffect or InterruptionPoint.SubmitOrderAfterEffect => RenewalState.Ordering,
        InterruptionPoint.GetOrderBeforeEffect or InterruptionPoint.GetOrderAfterEffect => RenewalState.Confirming,
        _ => RenewalState.Refunding,
    };

    private static bool IsRefund(InterruptionPoint point) => point is InterruptionPoint.RefundBeforeEffect or InterruptionPoint.RefundAfterEffect;

    private static async Task AssertSettledOnceAsync(Harness h, InterruptionPoint point, RenewalRecord final)
    {
        // Money moved exactly once.
        var charge = Assert.Single(h.Payments.Charges);
        Assert.Equal(PaymentStatus.Succeeded, charge.Status);
        Assert.Equal(final.PaymentIdempotencyKey, charge.IdempotencyKey);
        Assert.Equal(charge.PaymentId, final.PaymentId);
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Equal(point == InterruptionPoint.ChargeBeforeEffect ? 2 : 1, h.GatewayCalls(FakePaymentOperation.Charge));
        Assert.Equal(point == InterruptionPoint.ChargeBeforeEffect ? 2 : 1, final.ChargeAttempts);
        Assert.Equal(point == InterruptionPoint.SubmitOrderBeforeEffect ? 2 : 1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Equal(point == InterruptionPoint.SubmitOrderBeforeEffect ? 2 : 1, final.OrderAttempts);

        if (IsRefund(point))
        {
            // The carrier refused, so there is no order; the refund was sent twice with one key and made once.
            Assert.Equal(RenewalState.Failed, final.State);
            Assert.Equal(RenewalFailureKind.CarrierRefused, final.Failure!.Kind);
            Assert.Empty(h.Carrier.SubmittedOrders);
            var refund = Assert.Single(h.Payments.Refunds);
            Assert.Equal(refund.RefundId, final.RefundId);
            Assert.Equal(final.Price, refund.Amount);
            Assert.Equal(2, final.RefundAttempts);
            Assert.Equal(2, h.GatewayCalls(FakePaymentOperation.Refund));
            Assert.Equal(FakeCarrierSeed.Plan5Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        }
        else
        {
            Assert.Equal(RenewalState.Completed, final.State);
            var order = Assert.Single(h.Carrier.SubmittedOrders);
            Assert.Equal(final.Id, order.RenewalId);
            Assert.Equal(order.OrderId, final.Receipt!.CarrierOrderId);
            Assert.Empty(h.Payments.Refunds);
            Assert.Equal(0, h.GatewayCalls(FakePaymentOperation.Refund));
            Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        }

        var history = await h.AssertJournalIsSoundAsync(final.Id);
        Assert.Equal(final, history[^1]);
    }
}
