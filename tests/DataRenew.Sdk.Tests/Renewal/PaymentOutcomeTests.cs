using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>Step 4, the payment: declines, payer action (PayPal, 3-D Secure), processing, timeouts.</summary>
public sealed class PaymentOutcomeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Insufficient_funds_card_ends_failed_as_payment_declined_with_a_human_message_and_no_carrier_order()
    {
        var h = new Harness();
        var card = PaymentMethod.CreditCard(FakePaymentGateway.InsufficientFundsCard, 12, 2030, "123");

        var operation = await h.StartAsync(card);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.True(operation.HasCompleted);
        Assert.Equal(RenewalFailureKind.PaymentDeclined, final.Failure!.Kind);
        Assert.Equal("insufficient_funds", final.Failure.Code);
        Assert.Equal("The card has insufficient funds. Try another card or payment method.", final.Failure.Message);
        Assert.Null(final.Receipt);
        Assert.Null(final.RefundId);
        Assert.Equal(0, h.Payments.SucceededCharges());
        Assert.Equal(PaymentStatus.Declined, Assert.Single(h.Payments.Charges).Status);
        Assert.Empty(h.Payments.Refunds);
        Assert.Empty(h.Carrier.SubmittedOrders);
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.FindOrder));
        Assert.Equal(FakeCarrierSeed.Plan5Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        var history = await h.AssertJournalIsSoundAsync(final.Id, "4000000000009995");
        Assert.Equal([RenewalState.Started, RenewalState.Charging, RenewalState.Failed], history.Select(r => r.State));
    }

    [Fact]
    public async Task Scripted_decline_ends_failed_and_never_orders()
    {
        var h = new Harness();
        h.Payments.EnqueueCharge(FakeChargeScript.Declined("insufficient_funds"));

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.PaymentDeclined, final.Failure!.Kind);
        Assert.Contains("insufficient funds", final.Failure.Message, StringComparison.Ordinal);
        Assert.Empty(h.Carrier.SubmittedOrders);
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
    }

    [Fact]
    public async Task Gateway_that_throws_a_decline_ends_failed_with_its_message_and_no_order()
    {
        var h = new Harness();
        h.Payments.FailNext(FakePaymentOperation.Charge, FaultTiming.BeforeEffect, () => new PaymentDeclinedException(PaymentDecline.FromCode("incorrect_cvc")));

        var operation = await h.StartAsync();

        Assert.Equal(RenewalState.Failed, operation.State);
        Assert.Equal(new RenewalFailure(RenewalFailureKind.PaymentDeclined, "The security code (CVV) is incorrect.", "incorrect_cvc"), operation.Current.Failure);
        Assert.Empty(h.Payments.Charges);
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
    }

    [Fact]
    public async Task PayPal_waits_for_the_payer_with_the_approval_url_then_completes_once_approved()
    {
        var h = new Harness();

        var operation = await h.StartAsync(PaymentMethod.PayPal());

        Assert.Equal(RenewalState.AwaitingPayerAction, operation.State);
        Assert.False(operation.HasCompleted);
        Assert.Equal(new PayerAction(PayerActionKind.Redirect, "https://paypal.example/checkoutnow?token=EC-FAKE"), operation.PayerAction);
        Assert.Equal(Harness.Start + TimeSpan.FromMinutes(15), operation.Current.WaitDeadline);
        Assert.Equal(0, h.Payments.SucceededCharges());
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));

        // Waiting while the payer has not acted yet changes nothing.
        var unchanged = await operation.UpdateStatusAsync(Ct);
        Assert.Equal(RenewalState.AwaitingPayerAction, unchanged.State);
        Assert.Equal(operation.Current.Version, unchanged.Version);

        h.Payments.CompletePayerAction(operation.Current.PaymentId!);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Null(operation.PayerAction);
        Assert.Null(final.PayerAction);
        Assert.Equal("PayPal", final.Receipt!.Payment.ToString());
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Single(h.Payments.Charges);
        var order = Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(CarrierOrderStatus.Completed, order.Status);
        await h.AssertJournalIsSoundAsync(final.Id);
    }

    [Fact]
    public async Task Three_D_Secure_card_waits_for_the_payer_then_completes()
    {
        var h = new Harness();
        var card = PaymentMethod.CreditCard(FakePaymentGateway.ThreeDSecureCard, 12, 2030, "123");

        var operation = await h.StartAsync(card);

        Assert.Equal(RenewalState.AwaitingPayerAction, operation.State);
        Assert.Equal("https://3ds.pay.example/challenge", operation.PayerAction!.Payload);
        h.Payments.CompletePayerAction(operation.Current.PaymentId!);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Single(h.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task Payer_approving_while_the_app_waits_completes_the_renewal()
    {
        var h = new Harness();
        var operation = await h.StartAsync(PaymentMethod.PayPal());
        var log = new RecordLog();

        var waiting = operation.WaitForCompletionAsync(log, Ct);
        h.Time.Advance(TimeSpan.FromMinutes(3));
        h.Payments.CompletePayerAction(operation.Current.PaymentId!);
        var final = await h.RunAsync(waiting);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(RenewalState.Paid, log.States[0]);
        Assert.Equal(RenewalState.Completed, log.States[^1]);
        Assert.Single(h.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task Payer_refusing_ends_failed_with_no_order()
    {
        var h = new Harness();
        var operation = await h.StartAsync(PaymentMethod.PayPal());

        h.Payments.CompletePayerAction(operation.Current.PaymentId!, approved: false);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.PaymentDeclined, final.Failure!.Kind);
        Assert.Equal("payer_declined", final.Failure.Code);
        Assert.Equal("The payer did not approve the payment.", final.Failure.Message);
        Assert.Null(operation.PayerAction);
        Assert.Equal(0, h.Payments.SucceededCharges());
        Assert.Empty(h.Payments.Refunds);
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
    }

    [Fact]
    public async Task Payer_who_never_acts_has_the_payment_cancelled_at_the_payer_action_timeout_and_the_renewal_fails()
    {
        var h = new Harness();
        var operation = await h.StartAsync(PaymentMethod.PayPal());
        var paymentId = operation.Current.PaymentId!;

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.PayerActionTimedOut, final.Failure!.Kind);
        Assert.Contains("cancelled and no money moved", final.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(PaymentStatus.Canceled, Assert.Single(h.Payments.Charges).Status);
        Assert.True(h.Time.GetUtcNow() >= Harness.Start + TimeSpan.FromMinutes(15), "Gave up before the payer action timeout.");
        Assert.True(final.UpdatedAt >= Harness.Start + TimeSpan.FromMinutes(15), "Gave up before the payer action timeout.");
        Assert.True(final.UpdatedAt < Harness.Start + TimeSpan.FromMinutes(16), "Waited much longer than the payer action timeout.");
        Assert.Null(operation.PayerAction);
        Assert.Equal(0, h.Payments.SucceededCharges());
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        var history = await h.AssertJournalIsSoundAsync(final.Id);
        Assert.Equal([RenewalState.Started, RenewalState.Charging, RenewalState.AwaitingPayerAction, RenewalState.Failed], history.Select(r => r.State));
    }

    [Fact]
    public async Task Shorter_payer_action_timeout_is_honoured()
    {
        var h = new Harness(o => o.PayerActionTimeout = TimeSpan.FromMinutes(2));
        var operation = await h.StartAsync(PaymentMethod.PayPal());

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.InRange(final.UpdatedAt, Harness.Start + TimeSpan.FromMinutes(2), Harness.Start + TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task PayPal_renewal_resumed_by_a_new_process_still_shows_the_approval_url_and_completes_once_approved()
    {
        var h = new Harness();
        var started = await h.StartAsync(PaymentMethod.PayPal());

        var client = h.NewClient();
        var resumed = await client.ResumeRenewalAsync(await h.SignInAsync(client), started.Id, Ct);

        Assert.Equal(RenewalState.AwaitingPayerAction, resumed.State);
        Assert.Equal("https://paypal.example/checkoutnow?token=EC-FAKE", resumed.PayerAction!.Payload);
        h.Payments.CompletePayerAction(resumed.Current.PaymentId!);
        var final = await h.RunAsync(resumed.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Payments.Charges);
        Assert.Equal(1, h.GatewayCalls(FakePaymentOperation.Charge));
        Assert.Single(h.Carrier.SubmittedOrders);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Processing_payment_completes_once_the_gateway_settles_it(int pendingReads)
    {
        var h = new Harness();
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(pendingReads));

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(pendingReads + 1, h.GatewayCalls(FakePaymentOperation.GetPayment));
        Assert.Equal(1, h.GatewayCalls(FakePaymentOperation.Charge));
        Assert.Equal(1, h.Payments.SucceededCharges());
        Assert.Single(h.Carrier.SubmittedOrders);
        var history = await h.AssertJournalIsSoundAsync(final.Id);
        Assert.Contains(history, r => r.State == RenewalState.PaymentProcessing);
    }

    [Fact]
    public async Task Processing_payment_is_reported_as_processing_by_start_which_does_not_poll()
    {
        var h = new Harness();
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(2));

        var operation = await h.StartAsync();

        Assert.Equal(RenewalState.PaymentProcessing, operation.State);
        Assert.Null(operation.PayerAction);
        Assert.Equal(0, h.GatewayCalls(FakePaymentOperation.GetPayment));
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
    }

    [Fact]
    public async Task Processing_payment_that_ends_declined_fails_without_an_order()
    {
        var h = new Harness();
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(2, thenSucceed: false));

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.PaymentDeclined, final.Failure!.Kind);
        Assert.Equal("do_not_honor", final.Failure.Code);
        Assert.Equal("The bank declined the card. Contact the bank or use another payment method.", final.Failure.Message);
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
    }
}
