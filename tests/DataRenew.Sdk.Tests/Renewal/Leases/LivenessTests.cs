using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal.Leases;

/// <summary>
/// No money at stake, but calls must not wait or fail needlessly: a UI poll never queues behind a wait, a
/// failure that proves nothing was sent releases the lease at once, and a start retried with the same id
/// continues the renewal. (Regressions of the second review's findings 8 to 10.)
/// </summary>
public sealed class LivenessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_UI_status_update_returns_at_once_while_a_wait_on_the_same_operation_sleeps()
    {
        var w = new World();
        var app = w.Client();
        var (session, quote) = await World.QuoteAsync(app);
        var operation = await app.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.PayPal()), Ct);
        var waiting = operation.WaitForCompletionAsync(Ct);
        Assert.False(waiting.IsCompleted); // sleeping between polls, holding the renewal
        var reads = w.Payments.CallCount(FakePaymentOperation.GetPayment);

        var update = operation.UpdateStatusAsync(Ct);
        for (var i = 0; i < 10 && !update.IsCompleted; i++)
        {
            await Task.Yield(); // no clock advance: nothing the update could be waiting for may end
        }

        Assert.True(update.IsCompleted, "The status update queued behind the wait.");
        Assert.Equal(RenewalState.AwaitingPayerAction, (await update).State);
        Assert.Equal(reads, w.Payments.CallCount(FakePaymentOperation.GetPayment)); // it reported the journal, it did not poll again
        Assert.Equal(Harness.Start, w.Time.GetUtcNow());

        w.Payments.CompletePayerAction(operation.Current.PaymentId!);
        var final = await w.RunAsync(waiting, TimeSpan.FromSeconds(10));
        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(RenewalState.Completed, (await operation.UpdateStatusAsync(Ct)).State);
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Single(w.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task A_gateway_validation_error_on_the_charge_releases_the_lease_so_another_client_can_abandon_at_once()
    {
        var w = new World();
        var gateway = new RejectsChargeGateway(w.Payments);
        var app = w.Client(gateway: gateway);
        var (session, quote) = await World.QuoteAsync(app);
        var id = RenewalId.New();
        await Assert.ThrowsAsync<DataRenewValidationException>(() => app.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa) { RenewalId = id }, Ct));
        Assert.Equal(1, gateway.Rejected);
        Assert.Empty(w.Payments.Charges); // nothing was sent ...
        var released = (await w.Journal.GetAsync(id, Ct))!;
        Assert.Null(released.LeaseOwner); // ... so nothing holds the renewal, and the try that never left is no try
        Assert.Equal(RenewalState.Started, released.State);
        Assert.Equal(0, released.ChargeAttempts);

        var sweeper = w.Client();
        var abandoned = await sweeper.AbandonRenewalAsync(await World.SignInAsync(sweeper), id, Ct);

        Assert.Equal(Harness.Start, w.Time.GetUtcNow()); // at once: no lease waited out
        Assert.Equal(RenewalState.Failed, abandoned.State);
        Assert.Equal(RenewalFailureKind.Abandoned, abandoned.Failure?.Kind);
        Assert.Empty(w.Payments.Charges);
        Assert.Empty(w.Carrier.SubmittedOrders);
        Assert.Empty(await app.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task A_start_retried_with_the_same_id_while_the_first_is_in_flight_continues_the_same_renewal()
    {
        var w = new World();
        var app = w.Client();
        var (session, quote) = await World.QuoteAsync(app);
        w.Carrier.Latency = TimeSpan.FromSeconds(1);
        var id = RenewalId.New();
        var request = new RenewalRequest(quote, Harness.Visa) { RenewalId = id };

        var first = app.StartRenewalAsync(session, request, Ct);
        var retry = app.StartRenewalAsync(session, request, Ct); // the app's "retry" after a UI timeout
        var operations = await w.RunAsync(Task.WhenAll(first, retry));

        Assert.All(operations, o => Assert.Equal(id, o.Id));

        // One wait drives it home; the other operation then reads the same final renewal at once.
        // (Two waits at once in one client would hand the renewal's gate over on the thread pool, which a
        // step-bounded clock loop can outrun under load.)
        var final = await w.RunAsync(operations[0].WaitForCompletionAsync(Ct));
        var other = await w.AtOnceAsync(operations[1].WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(final, other);
        Assert.Single(await w.Journal.GetHistoryAsync(id, Ct).Where(r => r.Version == 1).ToArrayAsync(Ct));
        Assert.Single(w.Payments.Charges);
        Assert.Equal(1, w.Payments.SucceededCharges());
        Assert.Equal(1, w.OrdersOf(id));
        Assert.Empty(w.Payments.Refunds);
    }

    private sealed class RejectsChargeGateway(FakePaymentGateway inner) : DelegatingPaymentGateway(inner)
    {
        private int _rejected;

        public int Rejected => Volatile.Read(ref _rejected);

        public override Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _rejected);
            throw new DataRenewValidationException("request.PaymentMethod", "The processor does not take this card.");
        }
    }
}
