using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>
/// The SDK's "settle on start-up": every unfinished renewal in the journal driven to a definite state by a new
/// client, reading back before repeating anything; what cannot be driven now comes back unsettled, with the reason.
/// </summary>
public sealed class SettleUnfinishedRenewalsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two renewals left by a process that died: one whose charge went through, one whose charge never left.</summary>
    private static async Task<(RenewalId Charged, RenewalId Unpaid)> CrashedAsync(Harness h)
    {
        var session = await h.SignInAsync();
        h.Payments.FailNext(FakePaymentOperation.Charge, FaultTiming.AfterEffect, () => new InvalidOperationException("process died"));
        var physical = await h.Client.CreateQuoteAsync(session, await h.PhysicalLineAsync(session), FakeCarrierSeed.Plan10Gb.Code, Ct);
        var charged = RenewalId.New();
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(physical, Harness.Visa) { RenewalId = charged }, Ct));

        h.Payments.FailNext(FakePaymentOperation.Charge, FaultTiming.BeforeEffect, () => new InvalidOperationException("process died"));
        var esim = await h.Client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == FakeCarrierSeed.ESimLine, Ct);
        var unpaid = RenewalId.New();
        var quote = await h.Client.CreateQuoteAsync(session, esim, FakeCarrierSeed.Plan10Gb.Code, Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa) { RenewalId = unpaid }, Ct));
        return (charged, unpaid);
    }

    /// <summary>
    /// The new process, started once the dead one's leases have run out (it has looked at both renewals, and a lease
    /// is timed from first sight). Settling itself waits a lease out too; here the clock would have to move while the
    /// first settle of the run is still being compiled, which a test on a fake clock cannot tell apart from a hang.
    /// </summary>
    private static async Task<(DataRenewClient Client, DataRenewSession Session)> RestartedAsync(Harness h, params RenewalId[] ids)
    {
        var client = h.NewClient();
        var session = await h.SignInAsync(client);
        foreach (var id in ids)
        {
            await client.ResumeRenewalAsync(session, id, Ct);
        }

        h.Time.Advance(TimeSpan.FromMinutes(5));
        return (client, session);
    }

    /// <summary>
    /// Moves the fake clock until the settle ends, a few seconds per step, each step after the settle's work had a
    /// moment of real time to reach its next timer: the first settle in a test process compiles the whole resume path,
    /// and a clock run ahead of it leaves that path's timers behind (Harness.RunAsync runs out of steps first).
    /// </summary>
    private static async Task<T> SettleAsync<T>(Harness h, Task<T> settle)
    {
        for (var i = 0; i < 500 && !settle.IsCompleted; i++)
        {
            await Task.WhenAny(settle, Task.Delay(TimeSpan.FromMilliseconds(20), Ct));
            h.Time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.True(settle.IsCompleted, "The settle did not end within 500 clock steps.");
        return await settle;
    }

    [Fact]
    public async Task A_new_client_settles_every_unfinished_renewal_signing_in_once_per_account()
    {
        var h = new Harness();
        var (charged, unpaid) = await CrashedAsync(h);
        var (client, _) = await RestartedAsync(h, charged, unpaid);
        var signIns = 0;

        var settled = await SettleAsync(h, client.SettleUnfinishedRenewalsAsync(new SettleRenewalsOptions
        {
            SessionFor = async (_, _) =>
            {
                Interlocked.Increment(ref signIns);
                return await h.SignInAsync(client);
            },
            PaymentMethodFor = _ => Harness.Visa,
        }, Ct));

        Assert.Equal(1, signIns);
        Assert.All(settled, s => Assert.True(s.IsSettled && s.Error is null));
        Assert.Equal(RenewalState.Completed, settled.Single(s => s.Record.Id == charged).Record.State);
        Assert.Equal(RenewalState.Completed, settled.Single(s => s.Record.Id == unpaid).Record.State);
        Assert.Single(h.ChargesOf(charged));   // read back by its key, not charged again
        Assert.Single(h.ChargesOf(unpaid));    // charged once, with the card the app gave back
        Assert.Empty(await client.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task Without_the_card_a_renewal_whose_charge_was_sent_unanswered_is_abandoned_for_a_person_to_check_its_key()
    {
        var h = new Harness();
        var (charged, unpaid) = await CrashedAsync(h);
        var (client, session) = await RestartedAsync(h, charged, unpaid);

        var settled = await SettleAsync(h, client.SettleUnfinishedRenewalsAsync(new SettleRenewalsOptions { SessionFor = (_, _) => ValueTask.FromResult<DataRenewSession?>(session) }, Ct));

        var abandoned = settled.Single(s => s.Record.Id == unpaid).Record;
        Assert.Equal(RenewalState.NeedsAttention, abandoned.State); // never "no money moved" while the send could still land
        Assert.Equal(RenewalFailureKind.Abandoned, abandoned.Failure?.Kind);
        Assert.Empty(h.ChargesOf(unpaid));

        // The one whose charge went through needs no card: it is read back and completed.
        Assert.Equal(RenewalState.Completed, settled.Single(s => s.Record.Id == charged).Record.State);
    }

    [Fact]
    public async Task What_cannot_be_driven_now_comes_back_unsettled_with_the_reason_and_stays_in_the_journal()
    {
        var h = new Harness();
        var (charged, unpaid) = await CrashedAsync(h);
        var (client, session) = await RestartedAsync(h, charged, unpaid);

        // No card and no abandoning: the unpaid renewal waits for a run that has the card.
        var kept = await SettleAsync(h, client.SettleUnfinishedRenewalsAsync(new SettleRenewalsOptions { SessionFor = (_, _) => ValueTask.FromResult<DataRenewSession?>(session), AbandonUnpaid = false }, Ct));
        var waiting = kept.Single(s => s.Record.Id == unpaid);
        Assert.False(waiting.IsSettled);
        Assert.IsType<DataRenewValidationException>(waiting.Error);

        // No session for the carrier: nothing is touched.
        var unsigned = await SettleAsync(h, client.SettleUnfinishedRenewalsAsync(new SettleRenewalsOptions { SessionFor = (_, _) => ValueTask.FromResult<DataRenewSession?>(null) }, Ct));
        Assert.False(Assert.Single(unsigned).IsSettled);
        Assert.Contains("No session", Assert.Single(unsigned).Error!.Message, StringComparison.Ordinal);
        Assert.Equal(unpaid, Assert.Single(await client.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct)).Id);
        Assert.Empty(h.ChargesOf(unpaid));
    }

    [Fact]
    public async Task A_failure_that_is_not_the_sdks_comes_back_with_its_renewal_and_the_others_are_still_settled()
    {
        var h = new Harness();
        var (charged, unpaid) = await CrashedAsync(h);
        var (client, session) = await RestartedAsync(h, charged, unpaid);

        // The app's gateway throws its own exception for the first lookup: that renewal cannot be driven now, the other can.
        h.Payments.FailNext(FakePaymentOperation.FindByIdempotencyKey, FaultTiming.BeforeEffect, () => new InvalidOperationException("gateway client bug"));
        var settled = await SettleAsync(h, client.SettleUnfinishedRenewalsAsync(new SettleRenewalsOptions
        {
            SessionFor = (_, _) => ValueTask.FromResult<DataRenewSession?>(session),
            PaymentMethodFor = _ => Harness.Visa,
            MaxConcurrency = 1,
        }, Ct));

        Assert.Equal(2, settled.Count);
        var failed = Assert.Single(settled, s => !s.IsSettled);
        Assert.IsType<InvalidOperationException>(failed.Error);
        Assert.Equal(RenewalState.Completed, Assert.Single(settled, s => s.IsSettled).Record.State);
        Assert.Single(await client.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task A_sign_in_that_throws_leaves_its_renewals_unsettled_with_the_reason()
    {
        var h = new Harness();
        var (charged, unpaid) = await CrashedAsync(h);
        var (client, _) = await RestartedAsync(h, charged, unpaid);
        var signIns = 0;

        // Thrown before any task is made (as a lambda that validates first does), and not one of the SDK's exceptions.
        var settled = await SettleAsync(h, client.SettleUnfinishedRenewalsAsync(new SettleRenewalsOptions
        {
            SessionFor = (_, _) =>
            {
                Interlocked.Increment(ref signIns);
                throw new HttpRequestException("the identity provider is down");
            },
        }, Ct));

        Assert.Equal(1, signIns); // asked once per account, even when it fails
        Assert.Equal(2, settled.Count);
        Assert.All(settled, s => Assert.False(s.IsSettled));
        Assert.All(settled, s => Assert.IsType<HttpRequestException>(s.Error));
        Assert.Equal(2, (await client.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct)).Length);
        Assert.Empty(h.ChargesOf(unpaid));
    }
}
