using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>
/// The journal: one version per step, written before each side effect, never holding card data; the
/// record every resume starts from.
/// </summary>
public sealed class JournalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Completed_renewal_history_has_one_version_per_step_in_order()
    {
        var h = new Harness();

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        var history = await h.AssertJournalIsSoundAsync(final.Id);
        Assert.Equal(
            [RenewalState.Started, RenewalState.Charging, RenewalState.Paid, RenewalState.Ordering, RenewalState.Confirming, RenewalState.Completed],
            history.Select(r => r.State));
        Assert.Equal([1, 2, 3, 4, 5, 6], history.Select(r => r.Version));
        Assert.All(history, r => Assert.Equal(Money.Usd(30m), r.Price));
        Assert.All(history, r => Assert.Equal(FakeCarrierSeed.AccountId, r.AccountId));
        Assert.All(history, r => Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, r.Plan.Code));
        Assert.Equal(final, history[^1]);
        Assert.Equal(final, await h.Client.GetRenewalAsync(final.Id, Ct));
        Assert.Empty(await h.Journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task Charge_attempt_is_journaled_before_the_charge_and_the_order_attempt_before_the_order()
    {
        var h = new Harness();

        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        var appends = h.Appends.Where(a => a.Record.Id == final.Id).ToArray();
        var charging = Array.FindIndex(appends, a => a.Record.State == RenewalState.Charging);
        Assert.Equal(1, appends[charging].Record.ChargeAttempts);
        Assert.Null(appends[charging].Record.PaymentId);
        Assert.Empty(appends[charging].Charges);
        Assert.Equal(RenewalState.Paid, appends[charging + 1].Record.State);
        Assert.Single(appends[charging + 1].Charges);
        Assert.Equal(appends[charging + 1].Charges[0].PaymentId, appends[charging + 1].Record.PaymentId);

        var ordering = Array.FindIndex(appends, a => a.Record.State == RenewalState.Ordering);
        Assert.True(ordering > charging + 1);
        Assert.Equal(1, appends[ordering].Record.OrderAttempts);
        Assert.Empty(appends[ordering].Orders);
        Assert.Null(appends[ordering].Record.Order);
        Assert.Single(appends[ordering + 1].Orders);
        Assert.Equal(appends[ordering + 1].Orders[0].OrderId, appends[ordering + 1].Record.Order!.OrderId);

        // Nothing was charged before the first journal write either.
        Assert.Empty(appends[0].Charges);
        Assert.Equal(RenewalState.Started, appends[0].Record.State);
    }

    [Fact]
    public async Task Journal_writes_before_each_effect_hold_when_faults_force_retries()
    {
        var h = new Harness();
        h.Payments.HonourIdempotencyKeys = false;
        h.Carrier.HonourIdempotencyKeys = false;
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(1));
        var operation = await h.StartAsync();
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.BeforeEffect);
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect);

        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        // Writes that take the lease before an order goes out (a failed send then releases it in a write of its own).
        var orderingWrites = h.Appends.Where(a => a.Record.State == RenewalState.Ordering && a.Record.LeaseOwner is not null).ToArray();
        Assert.Equal([1, 2], orderingWrites.Select(a => a.Record.OrderAttempts));
        Assert.All(orderingWrites, a => Assert.Empty(a.Orders));
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(2, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        await h.AssertJournalIsSoundAsync(final.Id);
    }

    [Fact]
    public async Task No_journal_record_or_summary_ever_holds_the_card_number_or_security_code()
    {
        var h = new Harness();
        h.Carrier.EnqueueOrder(FakeOrderScript.Refuse());
        var card = PaymentMethod.CreditCard("4242 4242 4242 4242", 12, 2030, "987");

        var operation = await h.StartAsync(card);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Failed, final.State);
        var history = await h.AssertJournalIsSoundAsync(final.Id);
        Assert.All(history, r =>
        {
            Assert.Equal(new PaymentMethodSummary(PaymentMethodKind.CreditCard, CardBrand.Visa, "4242"), r.Payment);
            Assert.Equal("Visa credit •••• 4242", r.Payment.ToString());
            Assert.DoesNotContain("4242 4242 4242 4242", r.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("CVV", r.ToString(), StringComparison.OrdinalIgnoreCase);
        });
        Assert.DoesNotContain(Harness.VisaNumber, card.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("987", card.ToString(), StringComparison.Ordinal);
        Assert.All(h.Payments.Charges, c => Assert.DoesNotContain(Harness.VisaNumber, c.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(Harness.VisaNumber, operation.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_journal_write_is_reported_to_progress_in_order()
    {
        var h = new Harness();
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(2));
        var operation = await h.StartAsync();
        var versionAtStart = operation.Current.Version;
        var log = new RecordLog();

        var final = await h.RunAsync(operation.WaitForCompletionAsync(log, Ct));

        var history = await h.HistoryAsync(final.Id);
        Assert.Equal(history.Skip(versionAtStart), log.Records);
        Assert.Equal(RenewalState.Completed, log.States[^1]);
    }

    [Fact]
    public async Task Journal_refuses_a_version_that_does_not_follow_the_last()
    {
        var h = new Harness();
        var operation = await h.StartAsync();
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        var stale = final with { Version = final.Version };
        var skipped = final with { Version = final.Version + 2 };

        var conflict = await Assert.ThrowsAsync<RenewalConflictException>(() => h.Journal.AppendAsync(stale, Ct));
        Assert.Equal(final.Id, conflict.RenewalId);
        Assert.True(conflict.IsTransient);
        await Assert.ThrowsAsync<RenewalConflictException>(() => h.Journal.AppendAsync(skipped, Ct));
        Assert.Equal(final.Version, (await h.Journal.GetAsync(final.Id, Ct))!.Version);
    }

    [Fact]
    public async Task Every_renewal_has_its_own_history_and_unfinished_ones_are_listed()
    {
        var h = new Harness();
        var done = await h.StartAsync();
        var completed = await h.RunAsync(done.WaitForCompletionAsync(Ct));
        var waiting = await h.StartAsync(PaymentMethod.PayPal());

        var unfinished = await h.Journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct);

        Assert.NotEqual(completed.Id, waiting.Id);
        Assert.Equal(waiting.Id, Assert.Single(unfinished).Id);
        Assert.Equal(RenewalState.AwaitingPayerAction, unfinished[0].State);
        await h.AssertJournalIsSoundAsync(completed.Id);
        await h.AssertJournalIsSoundAsync(waiting.Id);
        Assert.NotEqual(completed.PaymentIdempotencyKey, waiting.Current.PaymentIdempotencyKey);
    }

    [Fact]
    public async Task Two_waits_on_one_renewal_in_one_process_take_turns_and_order_once()
    {
        var h = new Harness();
        h.Payments.HonourIdempotencyKeys = false;
        h.Carrier.HonourIdempotencyKeys = false;
        h.Payments.EnqueueCharge(FakeChargeScript.Processing(1));
        var (session, quote) = await h.QuoteAsync();
        var first = await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        Assert.Equal(RenewalState.PaymentProcessing, first.State);
        h.Carrier.Latency = TimeSpan.FromSeconds(1);

        var resuming = h.Client.ResumeRenewalAsync(session, first.Id, Ct);
        var waitingFirst = first.WaitForCompletionAsync(Ct);
        var second = await h.RunAsync(resuming);
        var waitingSecond = second.WaitForCompletionAsync(Ct);
        var finals = new[] { await h.RunAsync(waitingFirst), await h.RunAsync(waitingSecond) };

        Assert.All(finals, f => Assert.Equal(RenewalState.Completed, f.State));
        Assert.Equal(finals[0].Version, finals[1].Version);
        Assert.Single(h.Payments.Charges);
        Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        await h.AssertJournalIsSoundAsync(first.Id);
    }
}
