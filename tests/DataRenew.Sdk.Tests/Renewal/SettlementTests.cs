using System.Diagnostics;
using DataRenew.Sdk.Diagnostics;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>
/// Every renewal settles definitely and once, in the cases a code review found open: a second process
/// resuming mid-send, late payer approval, dead status endpoints, hostile statuses, a lost card.
/// </summary>
public sealed class SettlementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_second_process_resuming_while_the_first_is_submitting_waits_for_its_lease_and_orders_once()
    {
        var time = new FakeTimeProvider(Harness.Start);
        var fake = FakeCarrier.CreateDemo(time);
        fake.HonourIdempotencyKeys = false;
        var carrier = new SlowSubmitCarrier(fake, time, TimeSpan.FromSeconds(5));
        var payments = new FakePaymentGateway(time);
        var journal = new InMemoryRenewalJournal();
        var a = Client(time, carrier, payments, journal);
        var b = Client(time, carrier, payments, journal);
        var sessionA = await SignInAsync(a);
        var sessionB = await SignInAsync(b);
        var line = await a.GetLinesAsync(sessionA, Ct).FirstAsync(l => l.Id == FakeCarrierSeed.PhysicalLine, Ct);
        var quote = await a.CreateQuoteAsync(sessionA, line, FakeCarrierSeed.Plan10Gb.Code, Ct);
        var id = RenewalId.New();

        var startA = a.StartRenewalAsync(sessionA, new RenewalRequest(quote, Harness.Visa) { RenewalId = id }, Ct);
        Assert.Equal(RenewalState.Ordering, (await journal.GetAsync(id, Ct))!.State); // A's order is on the wire
        var resumedB = await b.ResumeRenewalAsync(sessionB, id, Ct);                      // B must not send another
        Assert.Equal(RenewalState.Ordering, resumedB.State);
        var waitB = resumedB.WaitForCompletionAsync(Ct);
        for (var i = 0; i < 600 && !(startA.IsCompleted && waitB.IsCompleted); i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Harness.LetThreadPoolCatchUpAsync();
        }

        await startA;
        Assert.Equal(RenewalState.Completed, (await waitB).State);
        Assert.Equal(1, payments.SucceededCharges());
        Assert.Single(fake.SubmittedOrders, o => o.RenewalId == id);
    }

    [Fact]
    public async Task A_crashed_clients_lease_runs_out_and_another_client_settles_the_renewal()
    {
        var h = new Harness();
        h.Carrier.HonourIdempotencyKeys = false;
        var crashed = await h.StartAsync();
        Assert.Equal(RenewalState.Confirming, crashed.State);

        // Simulate a crash right after the order was journaled: the lease says "in flight" for 5 minutes.
        var record = (await h.Journal.GetAsync(crashed.Id, Ct))!;
        var inFlight = record with { Version = record.Version + 1, State = RenewalState.Ordering, LeaseOwner = "crashed-process", LeaseUntil = h.Time.GetUtcNow().AddMinutes(5) };
        await h.Journal.AppendAsync(inFlight, Ct);

        var other = await h.NewClient().ResumeRenewalAsync(await h.SignInAsync(), crashed.Id, Ct);
        Assert.Equal(RenewalState.Ordering, other.State); // left alone while the lease holds
        var final = await h.RunAsync(other.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.True(final.UpdatedAt >= inFlight.LeaseUntil, "Took over before the lease ran out.");
        Assert.Single(h.Carrier.SubmittedOrders); // found by read-back, not sent again
    }

    [Fact]
    public async Task A_payer_who_approves_after_the_deadline_cannot_move_money()
    {
        var h = new Harness();
        var operation = await h.StartAsync(PaymentMethod.PayPal());
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct), TimeSpan.FromMinutes(1));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Throws<InvalidOperationException>(() => h.Payments.CompletePayerAction(final.PaymentId!));
        Assert.Equal(0, h.Payments.SucceededCharges());
        Assert.Empty(h.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task A_payer_who_approves_as_the_cancel_arrives_gets_the_plan()
    {
        var time = new FakeTimeProvider(Harness.Start);
        var carrier = FakeCarrier.CreateDemo(time);
        var payments = new ApprovesOnCancelGateway(new FakePaymentGateway(time));
        var client = Client(time, carrier, payments, new InMemoryRenewalJournal());
        var session = await SignInAsync(client);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(Ct);
        var quote = await client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan5Gb.Code, Ct);
        var operation = await client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.PayPal()), Ct);

        var wait = operation.WaitForCompletionAsync(Ct);
        for (var i = 0; i < 2_000 && !wait.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Harness.LetThreadPoolCatchUpAsync();
        }

        Assert.Equal(RenewalState.Completed, (await wait).State);
        Assert.Equal(1, payments.Inner.SucceededCharges());
        Assert.Single(carrier.SubmittedOrders);
    }

    [Fact]
    public async Task Order_status_that_cannot_be_read_past_the_deadline_needs_attention_naming_the_order()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(1_000));
        var operation = await h.StartAsync();
        for (var i = 0; i < 500; i++)
        {
            h.Carrier.FailNext(FakeCarrierOperation.GetOrder, fault: () => new DataRenewException("No order.", new DataRenewErrorDetails(StatusCode: 404, CarrierErrorCode: "OrderNotFound")));
        }

        RenewalRecord? final = null;
        for (var hour = 0; hour < 2 && final is null; hour++)
        {
            h.Time.Advance(TimeSpan.FromHours(1));
            try
            {
                final = await operation.WaitForCompletionAsync(Ct);
            }
            catch (DataRenewException)
            {
            }
        }

        Assert.Equal(RenewalState.NeedsAttention, final?.State);
        Assert.Equal(RenewalFailureKind.ConfirmationTimedOut, final!.Failure?.Kind);
        Assert.Contains(final.Order!.OrderId, final.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_order_status_the_SDK_does_not_know_counts_as_pending_and_the_wait_stays_bounded()
    {
        var h = new Harness();
        var weird = new WeirdStatusCarrier(h.Carrier);
        var journal = new InMemoryRenewalJournal();
        var client = Client(h.Time, weird, h.Payments, journal);
        var session = await SignInAsync(client);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(Ct);
        var quote = await client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan10Gb.Code, Ct);
        var operation = await client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct), TimeSpan.FromSeconds(30));

        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(RenewalFailureKind.ConfirmationTimedOut, final.Failure?.Kind);
        Assert.InRange(weird.Reads, 2, 200);
        Assert.True(final.Version < 20, $"The journal grew to {final.Version} versions.");
    }

    [Fact]
    public async Task A_renewal_stopped_with_its_charge_sent_unanswered_is_abandoned_as_needing_attention_never_as_no_money_moved()
    {
        var h = new Harness();
        h.Payments.FailNext(FakePaymentOperation.Charge, FaultTiming.BeforeEffect, () => new InvalidOperationException("process died"));
        var (session, quote) = await h.QuoteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));
        var id = await h.SingleUnfinishedAsync();
        var client = h.NewClient();
        var newSession = await h.SignInAsync(client);
        await Assert.ThrowsAsync<RenewalConflictException>(() => client.AbandonRenewalAsync(newSession, id, Ct)); // the charge may be on the wire
        h.Time.Advance(TimeSpan.FromMinutes(5));

        var abandoned = await client.AbandonRenewalAsync(newSession, id, Ct);

        // The journal cannot tell a dead sender from one held up that may still send: the charge's key is for a person to check.
        Assert.Equal(RenewalState.NeedsAttention, abandoned.State);
        Assert.Equal(RenewalFailureKind.Abandoned, abandoned.Failure?.Kind);
        Assert.Contains(abandoned.PaymentIdempotencyKey, abandoned.Failure!.Message, StringComparison.Ordinal);
        Assert.Empty(await client.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
        Assert.Empty(h.Payments.Charges);
    }

    [Fact]
    public async Task A_renewal_whose_charge_went_through_cannot_be_abandoned()
    {
        var h = new Harness();
        h.Payments.FailNext(FakePaymentOperation.Charge, FaultTiming.AfterEffect, () => new InvalidOperationException("process died"));
        var (session, quote) = await h.QuoteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));
        var id = await h.SingleUnfinishedAsync();
        await Assert.ThrowsAsync<RenewalConflictException>(() => h.Client.AbandonRenewalAsync(session, id, Ct)); // its own charge may be on the wire
        h.Time.Advance(TimeSpan.FromMinutes(5));

        await Assert.ThrowsAsync<DataRenewValidationException>(() => h.Client.AbandonRenewalAsync(session, id, Ct));

        var final = await h.RunAsync((await h.Client.ResumeRenewalAsync(session, id, Ct)).WaitForCompletionAsync(Ct));
        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Payments.Charges);
    }

    [Fact]
    public async Task An_empty_renewal_id_is_refused_before_any_call()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync();

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() =>
            h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa) { RenewalId = default(RenewalId) }, Ct));

        Assert.Equal("request.RenewalId", error.ParameterName);
        Assert.Empty(h.Payments.Calls);
        Assert.Throws<DataRenewValidationException>(() => new ResumeRenewalRequest(default));
    }

    [Fact]
    public async Task A_gateway_answer_for_another_charge_is_never_taken_as_this_renewals_payment()
    {
        var time = new FakeTimeProvider(Harness.Start);
        var carrier = FakeCarrier.CreateDemo(time);
        var client = Client(time, carrier, new WrongPaymentGateway(new FakePaymentGateway(time)), new InMemoryRenewalJournal());
        var session = await SignInAsync(client);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(Ct);
        var quote = await client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan20Gb.Code, Ct);

        var operation = await client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);

        Assert.Equal(RenewalState.NeedsAttention, operation.State);
        Assert.Equal(RenewalFailureKind.PaymentMismatch, operation.Current.Failure?.Kind);
        Assert.Empty(carrier.SubmittedOrders);
    }

    [Fact]
    public async Task A_reused_idempotency_key_for_another_charge_is_refused_by_the_fake_gateway()
    {
        var gateway = new FakePaymentGateway();
        await gateway.ChargeAsync(new ChargeRequest("k1", Money.Usd(30), Harness.Visa, "x"), Ct);

        var error = await Assert.ThrowsAsync<DataRenewException>(() => gateway.ChargeAsync(new ChargeRequest("k1", Money.Usd(55), Harness.Visa, "x"), Ct));

        Assert.Equal("idempotency_mismatch", error.CarrierErrorCode);
        Assert.Single(gateway.Charges);
    }

    [Fact]
    public async Task The_operation_never_goes_back_to_an_older_version_when_two_drives_finish_out_of_order()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(1));
        var operation = await h.StartAsync();
        var armed = 1;
        using var firstDriveDone = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == DataRenewDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a =>
            {
                // Hold the first drive between releasing the engine's gate and publishing its result.
                if (a.OperationName == "DataRenew.DriveRenewal" && (string?)a.GetTagItem("datarenew.renewal_id") == operation.Id.Value
                    && Interlocked.Exchange(ref armed, 0) == 1)
                {
                    firstDriveDone.Set();
                    releaseFirst.Wait(TimeSpan.FromSeconds(10), CancellationToken.None);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var poll = Task.Run(() => operation.UpdateStatusAsync(Ct), Ct);  // reads Pending
        Assert.True(firstDriveDone.Wait(TimeSpan.FromSeconds(10), Ct));
        var completed = await operation.WaitForCompletionAsync(Ct);        // reads Completed
        releaseFirst.Set();
        await poll;

        Assert.Equal(RenewalState.Completed, completed.State);
        Assert.Equal(RenewalState.Completed, operation.State);
        Assert.NotNull(operation.Receipt);
    }

    [Fact]
    public async Task Finished_renewals_leave_no_per_renewal_gate_behind()
    {
        var h = new Harness();
        for (var i = 0; i < 20; i++)
        {
            h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(0));
            var operation = await h.StartAsync();
            await operation.WaitForCompletionAsync(Ct);
        }

        Assert.Equal(0, h.Client.CallbackEngine.OpenGates);
    }

    [Fact]
    public async Task Null_arguments_are_ArgumentNullExceptions_not_NullReferenceExceptions()
    {
        var h = new Harness();
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);

        await Assert.ThrowsAsync<ArgumentNullException>(() => h.Client.GetLineOverviewAsync(null!, line, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => h.Client.StartRenewalAsync(null!, null!, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => h.Client.SignInWithOneTimeCodeAsync(null!, "123456", Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => h.Client.ResumeRenewalAsync(null!, RenewalId.New(), Ct));
    }

    [Fact]
    public async Task A_retried_start_hands_back_the_operation_on_a_transient_fault_like_the_first_start()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync();
        var request = new RenewalRequest(quote, Harness.Visa) { RenewalId = RenewalId.New() };
        h.Payments.FailNext(FakePaymentOperation.Charge);
        var first = await h.Client.StartRenewalAsync(session, request, Ct);
        Assert.Equal(RenewalState.Charging, first.State);

        h.Payments.FailNext(FakePaymentOperation.FindByIdempotencyKey);
        var retried = await h.Client.StartRenewalAsync(session, request, Ct);

        Assert.Equal(first.Id, retried.Id);
        Assert.Equal(RenewalState.Completed, (await h.RunAsync(retried.WaitForCompletionAsync(Ct))).State);
        Assert.Single(h.Payments.Charges);
    }

    [Fact]
    public async Task Records_receipts_lines_and_payer_actions_print_no_account_number_iccid_or_payment_link()
    {
        var h = new Harness();
        var awaiting = await h.StartAsync(PaymentMethod.PayPal());
        var completed = await h.RunAsync((await h.StartAsync()).WaitForCompletionAsync(Ct));
        var texts = new[] { awaiting.Current.ToString(), awaiting.Current.PayerAction!.ToString(), completed.ToString(), completed.Receipt!.ToString(), completed.Line.ToString() };

        foreach (var text in texts)
        {
            Assert.DoesNotContain(FakeCarrierSeed.AccountId, text, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeCarrierSeed.PhysicalIccid.Value, text, StringComparison.Ordinal);
            Assert.DoesNotContain("token=EC-FAKE", text, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeCarrierSeed.PhysicalNumber.E164, text, StringComparison.Ordinal);
        }
    }

    private static DataRenewClient Client(TimeProvider time, ICarrierProvider carrier, IPaymentGateway payments, IRenewalJournal journal)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddDataRenew(o => o.PollJitter = false).AddCarrier(carrier).UsePaymentGateway(payments).UseJournal(journal);
        return services.BuildServiceProvider().GetRequiredService<DataRenewClient>();
    }

    private static Task<DataRenewSession> SignInAsync(DataRenewClient client) =>
        client.SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), Ct);

    /// <summary>A carrier whose order submission takes a while on the wire.</summary>
    private sealed class SlowSubmitCarrier(FakeCarrier inner, TimeProvider time, TimeSpan delay) : DelegatingCarrier(inner)
    {
        public override async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
        {
            await Task.Delay(delay, time, cancellationToken);
            return await base.SubmitAsync(session, request, cancellationToken);
        }
    }

    /// <summary>A carrier that answers order status with a value outside the enum.</summary>
    private sealed class WeirdStatusCarrier(FakeCarrier inner) : DelegatingCarrier(inner)
    {
        private int _reads;

        public int Reads => _reads;

        public override Task<CarrierOrder> GetAsync(CarrierSession session, CarrierOrder order, CarrierOrderRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            return Task.FromResult(order with { Status = (CarrierOrderStatus)3 });
        }
    }

    /// <summary>A gateway whose payer approves at the very moment the SDK cancels.</summary>
    private sealed class ApprovesOnCancelGateway(FakePaymentGateway inner) : DelegatingPaymentGateway(inner)
    {
        public override Task<PaymentResult> CancelAsync(string paymentId, CancellationToken cancellationToken = default)
        {
            Inner.CompletePayerAction(paymentId);
            return base.CancelAsync(paymentId, cancellationToken);
        }
    }

    /// <summary>A gateway that answers every charge with a payment made under another key.</summary>
    private sealed class WrongPaymentGateway(FakePaymentGateway inner) : DelegatingPaymentGateway(inner)
    {
        public override Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default) =>
            base.ChargeAsync(request with { IdempotencyKey = "someone-else:charge" }, cancellationToken);
    }
}
