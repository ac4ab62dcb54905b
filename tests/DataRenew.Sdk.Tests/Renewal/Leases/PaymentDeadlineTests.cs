using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal.Leases;

/// <summary>
/// At the payer-action deadline the payment is cancelled, so a late approval cannot take money for a
/// renewal that gave up. The cancel's answer is checked against the payment, a cancel that does not settle
/// is retried after pauses for a grace period (one more PayerActionTimeout) and then needs attention, and
/// it is tried even when the status read fails. (Regressions of the second review's findings 4 to 7.)
/// </summary>
public sealed class PaymentDeadlineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TimeSpan Deadline => World.PayerDeadline;

    private static TimeSpan Grace => World.PayerDeadline;

    [Fact]
    public async Task A_cancel_that_answers_still_awaiting_the_payer_is_retried_after_pauses_then_needs_attention_without_growing_the_journal()
    {
        var w = new World();
        var gateway = new CancelDoesNothingGateway(w.Payments, w.Time, realCancelAfter: 1_000);
        var app = w.Client(gateway: gateway);
        var (session, quote) = await World.QuoteAsync(app);
        var operation = await app.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.PayPal()), Ct);
        Assert.Equal(RenewalState.AwaitingPayerAction, operation.State);

        var final = await w.RunAsync(operation.WaitForCompletionAsync(Ct), TimeSpan.FromSeconds(10));

        // The wallet never cancels: after the grace period a person must check the payment ...
        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(RenewalFailureKind.PayerActionTimedOut, final.Failure?.Kind);
        Assert.Contains("has not cancelled", final.Failure!.Message, StringComparison.Ordinal);
        Assert.InRange(w.Elapsed, Deadline + Grace, Deadline + Grace + new DataRenewOptions().PollMaxDelay + TimeSpan.FromSeconds(10));
        Assert.Equal(PaymentStatus.RequiresAction, Assert.Single(w.Payments.Charges).Status);

        // ... the cancel was retried through the grace period, never twice at one instant ...
        var cancels = gateway.CancelTimes;
        Assert.InRange(cancels.Count, 2, (int)(Grace / new DataRenewOptions().PollInitialDelay) + 1);
        Assert.All(cancels.Zip(cancels.Skip(1)), pair => Assert.True(pair.Second - pair.First >= new DataRenewOptions().PollInitialDelay,
            $"Two cancels {pair.Second - pair.First} apart ({cancels.Count} cancels in all)."));
        Assert.True(cancels[0] >= Harness.Start + Deadline && cancels[^1] >= Harness.Start + Deadline + Grace - new DataRenewOptions().PollMaxDelay);

        // ... and the journal holds one version per step, not one per try.
        Assert.Equal(
            [RenewalState.Started, RenewalState.Charging, RenewalState.AwaitingPayerAction, RenewalState.NeedsAttention],
            (await w.HistoryAsync(operation.Id)).Select(r => r.State));
        Assert.Empty(w.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task A_cancel_answered_with_another_payment_needs_attention_instead_of_counting_this_payment_as_cancelled()
    {
        var w = new World();
        var gateway = new CancelsAnotherPaymentGateway(w.Payments);
        var app = w.Client(gateway: gateway);
        var (session, quote) = await World.QuoteAsync(app);
        var operation = await app.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.PayPal()), Ct);

        var final = await w.RunAsync(operation.WaitForCompletionAsync(Ct), TimeSpan.FromSeconds(10));

        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(RenewalFailureKind.PaymentMismatch, final.Failure?.Kind);
        Assert.Contains(final.PaymentId!, final.Failure!.Message, StringComparison.Ordinal);
        Assert.Contains(CancelsAnotherPaymentGateway.OtherPaymentId, final.Failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("no money moved", final.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, gateway.Cancels);
        Assert.InRange(w.Elapsed, Deadline, Deadline + TimeSpan.FromSeconds(10));
        Assert.Equal(PaymentStatus.RequiresAction, Assert.Single(w.Payments.Charges).Status); // still approvable: hence a person
        Assert.Empty(w.Carrier.SubmittedOrders);
        Assert.Empty(w.Payments.Refunds);
        Assert.Empty(await app.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task A_status_read_failing_at_the_deadline_still_cancels_the_payment_so_a_late_approval_cannot_take_money()
    {
        var w = new World();
        var gateway = new ReadFailsOnceFromGateway(w.Payments, w.Time, Harness.Start + Deadline);
        var app = w.Client(gateway: gateway);
        var (session, quote) = await World.QuoteAsync(app);
        var operation = await app.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.PayPal()), Ct);

        var final = await w.RunAsync(operation.WaitForCompletionAsync(Ct), TimeSpan.FromSeconds(10));

        Assert.True(gateway.HasFailed); // the read at the deadline did fail
        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.PayerActionTimedOut, final.Failure?.Kind);
        Assert.Contains("cancelled", final.Failure!.Message, StringComparison.Ordinal);
        Assert.InRange(w.Elapsed, Deadline, Deadline + TimeSpan.FromSeconds(10));
        Assert.Equal(1, w.Payments.CallCount(FakePaymentOperation.Cancel));
        Assert.Equal(PaymentStatus.Canceled, Assert.Single(w.Payments.Charges).Status);
        Assert.Throws<InvalidOperationException>(() => w.Payments.CompletePayerAction(final.PaymentId!)); // the payer comes back an hour later: too late
        Assert.Equal(0, w.Payments.SucceededCharges());
        Assert.Empty(w.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task A_cancel_that_keeps_failing_transiently_needs_attention_once_the_grace_period_is_over()
    {
        var w = new World();
        for (var i = 0; i < 1_000; i++)
        {
            w.Payments.FailNext(FakePaymentOperation.Cancel);
        }

        var app = w.Client();
        var (session, quote) = await World.QuoteAsync(app);
        var operation = await app.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.PayPal()), Ct);

        // The app waits again whenever a wait gives up on repeated connection failures.
        RenewalRecord? final = null;
        var waits = 0;
        while (final is null && waits++ < 200)
        {
            var wait = operation.WaitForCompletionAsync(Ct);
            Assert.True(await w.AdvanceUntilAsync(wait, TimeSpan.FromSeconds(10), maxSteps: 1_000), "A wait did not end.");
            try
            {
                final = await wait;
            }
            catch (FakeConnectionLostException)
            {
            }
        }

        Assert.NotNull(final);
        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(RenewalFailureKind.PayerActionTimedOut, final.Failure?.Kind);
        Assert.Contains("could not be cancelled", final.Failure!.Message, StringComparison.Ordinal);
        Assert.InRange(w.Elapsed, Deadline + Grace, Deadline + Grace + TimeSpan.FromMinutes(1));
        Assert.True(w.Payments.CallCount(FakePaymentOperation.Cancel) > 1); // it kept trying through the grace period
        Assert.Empty(await app.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
        Assert.Empty(w.Carrier.SubmittedOrders);
    }

    /// <summary>
    /// Cancel answers the payment as it stands (some wallets cannot cancel; an adapter passes the state
    /// through), until the <paramref name="realCancelAfter"/>th time: a cap so a spinning engine ends.
    /// </summary>
    private sealed class CancelDoesNothingGateway(FakePaymentGateway inner, TimeProvider time, int realCancelAfter) : DelegatingPaymentGateway(inner)
    {
        private readonly List<DateTimeOffset> _cancels = [];
        private readonly Lock _gate = new();

        public IReadOnlyList<DateTimeOffset> CancelTimes
        {
            get
            {
                lock (_gate)
                {
                    return _cancels.ToArray();
                }
            }
        }

        public override Task<PaymentResult> CancelAsync(string paymentId, CancellationToken cancellationToken = default)
        {
            int n;
            lock (_gate)
            {
                _cancels.Add(time.GetUtcNow());
                n = _cancels.Count;
            }

            return n > realCancelAfter ? base.CancelAsync(paymentId, cancellationToken) : Inner.GetPaymentAsync(paymentId, cancellationToken);
        }
    }

    /// <summary>Cancel answers "cancelled" for some other payment and leaves this one alone (an adapter bug).</summary>
    private sealed class CancelsAnotherPaymentGateway(FakePaymentGateway inner) : DelegatingPaymentGateway(inner)
    {
        public const string OtherPaymentId = "pay_999999";

        private int _cancels;

        public int Cancels => Volatile.Read(ref _cancels);

        public override async Task<PaymentResult> CancelAsync(string paymentId, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _cancels);
            var mine = await Inner.GetPaymentAsync(paymentId, cancellationToken).ConfigureAwait(false);
            return mine with { PaymentId = OtherPaymentId, IdempotencyKey = "someone-else:charge", Status = PaymentStatus.Canceled };
        }
    }

    /// <summary>One status read fails (a blip) at or after <paramref name="from"/>.</summary>
    private sealed class ReadFailsOnceFromGateway(FakePaymentGateway inner, TimeProvider time, DateTimeOffset from) : DelegatingPaymentGateway(inner)
    {
        private int _failed;

        public bool HasFailed => Volatile.Read(ref _failed) == 1;

        public override Task<PaymentResult> GetPaymentAsync(string paymentId, CancellationToken cancellationToken = default) =>
            time.GetUtcNow() >= from && Interlocked.Exchange(ref _failed, 1) == 0
                ? throw new HttpRequestException("blip")
                : base.GetPaymentAsync(paymentId, cancellationToken);
    }
}
