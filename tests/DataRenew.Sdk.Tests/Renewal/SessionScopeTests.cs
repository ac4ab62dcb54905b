using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>A one-time-code session is scoped to its number's line: it must not pay for, or decide the fate of, another line's renewal.</summary>
public sealed class SessionScopeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ESIM_session_cannot_pay_for_the_physical_line_and_is_never_charged()
    {
        var h = new Harness();
        var physical = await h.PhysicalLineAsync(await h.SignInAsync());
        var esimSession = await h.SignInWithCodeAsync();

        var error = await Record.ExceptionAsync(async () =>
        {
            var quote = await h.Client.CreateQuoteAsync(esimSession, physical, FakeCarrierSeed.Plan10Gb.Code, Ct);
            await h.Client.StartRenewalAsync(esimSession, new RenewalRequest(quote, Harness.Visa), Ct);
        });

        Assert.Empty(h.Payments.Charges);
        Assert.Empty(h.Payments.Calls);
        Assert.Empty(h.Payments.Refunds);
        Assert.IsAssignableFrom<DataRenewException>(error);
    }

    [Fact]
    public async Task Resuming_with_a_session_that_cannot_see_the_line_is_refused_and_the_paid_renewal_is_kept()
    {
        var h = new Harness();
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.BeforeEffect, () => new InvalidOperationException("process died"));
        var (session, quote) = await h.QuoteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));
        var id = await h.SingleUnfinishedAsync();
        var client = h.NewClient();
        var esimSession = await h.SignInWithCodeAsync(client);

        var error = await Record.ExceptionAsync(() => client.ResumeRenewalAsync(esimSession, id, Ct));

        var stored = (await h.Journal.GetAsync(id, Ct))!;
        Assert.Empty(h.Payments.Refunds);
        Assert.Equal(RenewalState.Ordering, stored.State);
        Assert.IsType<DataRenewValidationException>(error);
    }

    [Fact]
    public async Task ESIM_session_resuming_its_own_lines_renewal_finishes_it()
    {
        var h = new Harness();
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.BeforeEffect, () => new InvalidOperationException("process died"));
        var session = await h.SignInWithCodeAsync();
        var line = Assert.Single(await h.Client.GetLinesAsync(session, Ct).ToArrayAsync(Ct));
        var quote = await h.Client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan20Gb.Code, Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));
        var id = await h.SingleUnfinishedAsync();

        var client = h.NewClient();
        var operation = await client.ResumeRenewalAsync(await h.SignInWithCodeAsync(client), id, Ct);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(FakeCarrierSeed.ESimLine, Assert.Single(h.Carrier.SubmittedOrders).Line);
        Assert.Single(h.Payments.Charges);
        Assert.Equal(FakeCarrierSeed.Plan20Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.ESimLine));
    }
}
