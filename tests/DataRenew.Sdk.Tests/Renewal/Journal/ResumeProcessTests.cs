using System.Diagnostics;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.ResumeHost;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Adapters.TMobile;
using DataRenew.Sdk.Tests.Adapters.Verizon;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Renewal.Journal;

/// <summary>
/// The durable journal across a real process boundary: renewals interrupted in this process at each step of the engine
/// are settled by tests/DataRenew.Sdk.ResumeHost, started as a second process on the same journal directory and the
/// same stubs: a Verizon-style carrier (taking cards through the app's gateway), a T-Mobile-style one (taking the card
/// with the top-up), and a card processor over HTTP, so that both processes see the same payments. The stubs' own
/// records prove that nothing was charged, ordered or refunded twice.
/// </summary>
/// <remarks>One host run settles them all, side by side: each waits out the short lease of <see cref="ResumeTiming"/> once.</remarks>
public sealed class ResumeProcessTests
{
    // A processor's token: the journal keeps only "Visa credit •••• 4242", so the host is given it again; it never prints it.
    private const string CardToken = "tok_resume_s3cr3t_8c41d";
    private const string NewPlan = "M2M10GB";
    private static readonly TokenizedCardPaymentMethod Card = PaymentMethod.CardToken(CardToken, CardBrand.Visa, "4242");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Renewals_interrupted_at_each_step_are_settled_by_a_second_process_with_one_charge_order_and_refund_each()
    {
        using var directory = new TempDirectory();
        using var verizon = new VerizonStub { PendingPolls = 0 };
        using var tmobile = new TMobileStub();
        using var payments = new PaymentProcessorStub();
        var world = new World(directory.Path, verizon, tmobile, payments);

        // One line per renewal, so that each one's plan changes are told apart at the carrier.
        var startedLine = verizon.AddLine("8914800000000000071", "2025550171");
        var chargeLostLine = verizon.AddLine("8914800000000000089", "2025550172");
        var chargeUnsentLine = verizon.AddLine("8914800000000000097", "2025550173");
        var paidLine = verizon.AddLine("8914800000000000105", "2025550174");
        var refundUnsentLine = verizon.AddLine("8914800000000000113", "2025550175");
        var refundLostLine = verizon.AddLine("8914800000000000121", "2025550176");
        var processingLine = verizon.AddLine("8914800000000000139", "2025550177");
        var payerActionLine = verizon.AddLine("8914800000000000147", "2025550178");
        var confirmingLine = VerizonStub.ActiveLine;
        var orderingLine = VerizonStub.SecondLine;

        await world.WarmUpAsync();

        // Orders taken now end at once (PendingPolls 0), so the two that fail are seen failing before the process dies.
        var refundUnsent = await InterruptedBeforeTheRefundAsync(world, refundUnsentLine);
        var refundLost = await InterruptedWhileRefundingAsync(world, refundLostLine);
        var chargeLost = await InterruptedWhileChargingAsync(world, chargeLostLine);
        var chargeUnsent = await InterruptedBeforeTheChargeAsync(world, chargeUnsentLine);
        var started = await InterruptedAfterAsync(world, startedLine, RenewalState.Started);
        var paid = await InterruptedAfterAsync(world, paidLine, RenewalState.Paid);
        var processing = await InterruptedWhileTheChargeSettlesAsync(world, processingLine, FakeChargeScript.Processing(pendingReads: 1), RenewalState.PaymentProcessing);
        var payerAction = await InterruptedWhileTheChargeSettlesAsync(world, payerActionLine, FakeChargeScript.RequiresAction(), RenewalState.AwaitingPayerAction);

        // From here plan changes stay pending: the one confirming is finished by the host's poll, not by this process.
        verizon.PendingPolls = int.MaxValue;
        var confirming = await InterruptedWhileConfirmingAsync(world, confirmingLine);
        var ordering = await InterruptedWhileOrderingAsync(world, orderingLine);
        var topUp = await InterruptedWhileToppingUpAsync(world);

        // Where each dead process left its renewal.
        var left = new Dictionary<RenewalId, RenewalRecord>();
        using (var journal = new FileRenewalJournal(directory.Path))
        {
            foreach (var id in new[] { started, chargeLost, chargeUnsent, paid, processing, payerAction, ordering, confirming, refundUnsent, refundLost, topUp })
            {
                left[id] = (await journal.GetAsync(id, Ct))!;
            }
        }

        Assert.Equal((RenewalState.Started, 0), (left[started].State, left[started].ChargeAttempts));
        Assert.Equal((RenewalState.Charging, 1), (left[chargeLost].State, left[chargeLost].ChargeAttempts));
        Assert.Equal((RenewalState.Charging, 1), (left[chargeUnsent].State, left[chargeUnsent].ChargeAttempts));
        Assert.Equal((RenewalState.Paid, 0), (left[paid].State, left[paid].OrderAttempts));
        Assert.Equal(RenewalState.PaymentProcessing, left[processing].State);
        Assert.Equal(RenewalState.AwaitingPayerAction, left[payerAction].State);
        Assert.Equal((RenewalState.Ordering, 1), (left[ordering].State, left[ordering].OrderAttempts));
        Assert.Equal(RenewalState.Confirming, left[confirming].State);
        Assert.Equal((RenewalState.Refunding, 0), (left[refundUnsent].State, left[refundUnsent].RefundAttempts));
        Assert.Equal((RenewalState.Refunding, 1), (left[refundLost].State, left[refundLost].RefundAttempts));
        Assert.Equal((RenewalState.Ordering, 1), (left[topUp].State, left[topUp].OrderAttempts));
        string KeyOf(RenewalId id) => left[id].PaymentIdempotencyKey;

        // What the dead processes left at the stubs: the lost charge and refund took effect, the unsent charge never arrived.
        Assert.Equal(0, payments.ChargeRequests(KeyOf(chargeUnsent)));
        Assert.Single(payments.Gateway.Charges, c => c.IdempotencyKey == KeyOf(chargeLost));
        Assert.Single(payments.Gateway.Refunds);
        Assert.Equal(1, tmobile.OrdersReceived);

        // The payer approves while no process runs; the processing charge settles on the host's polls.
        payments.Gateway.CompletePayerAction(left[payerAction].PaymentId!);

        verizon.PendingPolls = 0;
        var (exitCode, output, errors) = await world.RunResumeHostAsync();
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        Assert.True(exitCode == 0, $"The resume host exited with {exitCode}: {errors}\n{output}");
        Assert.Contains("unfinished 11", output, StringComparison.Ordinal);
        foreach (var secret in new[] { CardToken, VerizonStub.Password, VerizonStub.AppSecret, TMobileStub.ClientSecret })
        {
            Assert.DoesNotContain(secret, output + errors, StringComparison.Ordinal);
        }

        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string? Printed(RenewalId id) => lines.SingleOrDefault(l => l.StartsWith(id.Value + " ", StringComparison.Ordinal))?[(id.Value.Length + 1)..];
        using var after = new FileRenewalJournal(directory.Path);
        async Task<RenewalRecord> Final(RenewalId id) => (await after.GetAsync(id, Ct))!;
        Assert.Empty(await after.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));

        // 1-4. Interrupted before the order: settled Completed, with one successful charge (read back when it had
        //      arrived, sent once with the same key when it had not, polled when it was settling) and one plan change.
        foreach (var (id, line) in new[]
        {
            (started, startedLine), (chargeLost, chargeLostLine), (chargeUnsent, chargeUnsentLine), (paid, paidLine),
            (processing, processingLine), (payerAction, payerActionLine),
        })
        {
            Assert.Equal("Completed", Printed(id));
            var final = await Final(id);
            Assert.Equal(RenewalState.Completed, final.State);
            Assert.NotNull(final.Receipt);
            var charge = Assert.Single(payments.Gateway.Charges, c => c.IdempotencyKey == KeyOf(id));
            Assert.Equal((PaymentStatus.Succeeded, final.PaymentId), (charge.Status, (string?)charge.PaymentId));
            Assert.Equal(1, payments.ChargeRequests(KeyOf(id)));
            Assert.Single(OrdersFor(verizon, line));
            Assert.Equal(NewPlan, verizon.PlanOf(line));
        }

        // The charge whose answer was lost was looked up by its key, not sent again.
        Assert.True(payments.LookUps(KeyOf(chargeLost)) >= 1);

        // 5. The order whose answer was lost, at a carrier that cannot de-duplicate: never sent again; a person checks,
        //    quoting the payment (which is not refunded: the order may yet apply).
        Assert.Equal("NeedsAttention ConfirmationTimedOut", Printed(ordering));
        var inDoubt = await Final(ordering);
        Assert.Contains(inDoubt.PaymentId!, inDoubt.Failure!.Message, StringComparison.Ordinal);
        Assert.Single(OrdersFor(verizon, orderingLine));
        Assert.Equal(1, payments.ChargeRequests(KeyOf(ordering)));
        Assert.DoesNotContain(payments.Gateway.Refunds, r => r.PaymentId == inDoubt.PaymentId);

        // 6. Confirming (billed to the account): the host's poll completes it; the plan changed once.
        Assert.Equal("Completed", Printed(confirming));
        Assert.NotNull((await Final(confirming)).Receipt);
        Assert.Single(OrdersFor(verizon, confirmingLine));
        Assert.Equal(NewPlan, verizon.PlanOf(confirmingLine));
        Assert.Equal(0, payments.ChargeRequests(KeyOf(confirming)));

        // 7. Refunding after the carrier failed the order: refunded exactly once at the processor, whether the dead
        //    process never sent the refund or sent it and lost the answer (then it was sent again with the same key).
        foreach (var (id, line, requests) in new[] { (refundUnsent, refundUnsentLine, 1), (refundLost, refundLostLine, 2) })
        {
            Assert.Equal("Failed CarrierFailed", Printed(id));
            var final = await Final(id);
            Assert.True(final.WasRefunded);
            var refund = Assert.Single(payments.Gateway.Refunds, r => r.PaymentId == final.PaymentId);
            Assert.Equal(final.RefundId, refund.RefundId);
            Assert.Equal(requests, payments.RefundRequests(final.RefundIdempotencyKey));
            Assert.Single(OrdersFor(verizon, line));
            Assert.Equal("M2M5GB", verizon.PlanOf(line));
        }

        // 8. The top-up whose answer was lost, at a carrier that de-duplicates by Idempotency-Key: sent again with the
        //    same key and bytes, replayed by the carrier, one top-up. The card went with it, not through the processor.
        Assert.Equal("Completed", Printed(topUp));
        Assert.Equal(2, tmobile.OrderRequests.Count);
        Assert.Equal(1, tmobile.OrdersReceived);
        Assert.Single(tmobile.OrderRequests.Select(e => e.RequestMessage!.Body).Distinct());
        Assert.Equal("tm-10gb-30d", tmobile.CurrentPlan);
        Assert.Empty(tmobile.PopRefusals);
        Assert.Equal(0, payments.ChargeRequests(KeyOf(topUp)));

        // Nothing else moved: nine card charges (one each), two refunds, one plan change per line.
        Assert.Equal(9, payments.Gateway.Charges.Count);
        Assert.Equal(2, payments.Gateway.Refunds.Count);
        Assert.Equal(10, verizon.OrdersReceived);
    }

    // ---- the interruptions: each in a process of its own, which dies at the step ----

    /// <summary>Dies right after journaling <paramref name="state"/>, before the step's request is sent.</summary>
    private static async Task<RenewalId> InterruptedAfterAsync(World world, LineId line, RenewalState state)
    {
        await using var process = world.Start(r => r.State == state);
        var session = await process.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var request = await RequestAsync(process.Client, session, line, Card);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => process.Client.StartRenewalAsync(session, request, process.Lifetime));
        return request.RenewalId!.Value;
    }

    /// <summary>Charging journaled (the attempt counted), then the process dies before the charge leaves it.</summary>
    private static Task<RenewalId> InterruptedBeforeTheChargeAsync(World world, LineId line) => InterruptedAfterAsync(world, line, RenewalState.Charging);

    /// <summary>The charge reached the processor and was made; its answer died with the process.</summary>
    private static async Task<RenewalId> InterruptedWhileChargingAsync(World world, LineId line)
    {
        await using var process = world.Start();
        var session = await process.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var request = await RequestAsync(process.Client, session, line, Card);
        world.Payments.BlockNext(FakePaymentOperation.Charge, out var received, out var release, out var processed);
        await process.DieWhileHeldAsync(process.Client.StartRenewalAsync(session, request, process.Lifetime), received, release, processed);
        return request.RenewalId!.Value;
    }

    /// <summary>The charge was accepted but has not settled (processing, or waiting for the payer); this process stops meanwhile.</summary>
    private static async Task<RenewalId> InterruptedWhileTheChargeSettlesAsync(World world, LineId line, FakeChargeScript charge, RenewalState state)
    {
        await using var process = world.Start();
        var session = await process.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var request = await RequestAsync(process.Client, session, line, Card);
        world.Payments.Gateway.EnqueueCharge(charge);
        var operation = await process.Client.StartRenewalAsync(session, request, process.Lifetime);
        Assert.Equal(state, operation.State);
        Assert.Equal(state == RenewalState.AwaitingPayerAction, operation.PayerAction is not null);
        return operation.Id;
    }

    /// <summary>The plan change was accepted and is pending; this process stops before it completes.</summary>
    private static async Task<RenewalId> InterruptedWhileConfirmingAsync(World world, LineId line)
    {
        await using var process = world.Start();
        var session = await process.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var operation = await process.Client.StartRenewalAsync(session, await RequestAsync(process.Client, session, line, PaymentMethod.CarrierBilling()), process.Lifetime);
        Assert.Equal(RenewalState.Confirming, operation.State);
        return operation.Id;
    }

    /// <summary>The plan change reached the carrier; its answer died with the process.</summary>
    private static async Task<RenewalId> InterruptedWhileOrderingAsync(World world, LineId line)
    {
        await using var process = world.Start();
        var session = await process.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var request = await RequestAsync(process.Client, session, line, Card, "M2M5GB");
        world.Verizon.BlockNextOrder(out var received, out var release, out var processed);
        await process.DieWhileHeldAsync(process.Client.StartRenewalAsync(session, request, process.Lifetime), received, release, processed);
        return request.RenewalId!.Value;
    }

    /// <summary>The carrier failed the plan change after the charge; the process dies having journaled Refunding, before the refund leaves.</summary>
    private static async Task<RenewalId> InterruptedBeforeTheRefundAsync(World world, LineId line)
    {
        await using var process = world.Start(r => r.State == RenewalState.Refunding);
        var session = await process.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        world.Verizon.FailNextOrder();
        var operation = await process.Client.StartRenewalAsync(session, await RequestAsync(process.Client, session, line, Card), process.Lifetime);
        Assert.Equal(RenewalState.Confirming, operation.State);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => operation.WaitForCompletionAsync(process.Lifetime));
        return operation.Id;
    }

    /// <summary>The carrier failed the plan change after the charge; the refund reached the processor and was made, its answer died with the process.</summary>
    private static async Task<RenewalId> InterruptedWhileRefundingAsync(World world, LineId line)
    {
        await using var process = world.Start();
        var session = await process.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        world.Verizon.FailNextOrder();
        var operation = await process.Client.StartRenewalAsync(session, await RequestAsync(process.Client, session, line, Card), process.Lifetime);
        Assert.Equal(RenewalState.Confirming, operation.State);
        world.Payments.BlockNext(FakePaymentOperation.Refund, out var received, out var release, out var processed);
        await process.DieWhileHeldAsync(operation.WaitForCompletionAsync(process.Lifetime), received, release, processed);
        return operation.Id;
    }

    /// <summary>The top-up (with the card in it) reached the T-Mobile-style carrier and was created; its answer died with the process.</summary>
    private static async Task<RenewalId> InterruptedWhileToppingUpAsync(World world)
    {
        await using var process = world.Start();
        var challenge = await process.Client.RequestOneTimeCodeAsync(CarrierId.TMobile, TMobileWorld.Number, Ct);
        var session = await process.Client.SignInWithOneTimeCodeAsync(challenge, TMobileStub.OtpCode, Ct);
        var quote = await process.Client.CreateQuoteAsync(session, await process.Client.GetLinesAsync(session, Ct).SingleAsync(Ct), new PlanCode("tm-10gb-30d"), Ct);
        var request = new RenewalRequest(quote, Card) { RenewalId = RenewalId.New() };
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        world.TMobile.DuringOrder = () =>
        {
            received.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(30));
        };
        try
        {
            var start = process.Client.StartRenewalAsync(session, request, process.Lifetime);
            await received.Task.WaitAsync(Ct);
            process.Die();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
        }
        finally
        {
            world.TMobile.DuringOrder = null;
            release.Set();
        }

        return request.RenewalId!.Value;
    }

    // ---- helpers ----

    private static async Task<RenewalRequest> RequestAsync(DataRenewClient client, DataRenewSession session, LineId iccid, PaymentMethod method, string plan = NewPlan)
    {
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == iccid, Ct);
        var quote = await client.CreateQuoteAsync(session, line, new PlanCode(plan), Ct);

        // The id is made up front, so the test knows it even when the start dies with the process.
        return new RenewalRequest(quote, method) { RenewalId = RenewalId.New() };
    }

    private static string[] OrdersFor(VerizonStub stub, LineId iccid) =>
        stub.Requests("PUT", "/devices/actions/plan").Select(r => r.Body ?? string.Empty)
            .Where(body => body.Contains(iccid.Value, StringComparison.Ordinal)).ToArray();

    /// <summary>The stubs both processes talk to, and the journal they share.</summary>
    private sealed record World(string Journal, VerizonStub Verizon, TMobileStub TMobile, PaymentProcessorStub Payments)
    {
        /// <summary>A first process: the app as the host composes it, with the short timings, on the shared journal.</summary>
        public DyingProcess Start(Func<RenewalRecord, bool>? dieAfterWriting = null) => new(Journal, b => Compose(b, @short: true), dieAfterWriting);

        /// <summary>Warms the stubs and this process's adapter code with default timeouts: the short ones are for resuming.</summary>
        public async Task WarmUpAsync()
        {
            var services = new ServiceCollection();
            Compose(services.AddDataRenew(), @short: false);
            await using var provider = services.BuildServiceProvider();
            var client = provider.GetRequiredService<DataRenewClient>();
            await client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
            var challenge = await client.RequestOneTimeCodeAsync(CarrierId.TMobile, TMobileWorld.Number, Ct);
            await client.SignInWithOneTimeCodeAsync(challenge, TMobileStub.OtpCode, Ct);
            Assert.Null(await provider.GetRequiredService<IPaymentGateway>().FindByIdempotencyKeyAsync("warm-up", Ct));
        }

        public async Task<(int ExitCode, string Output, string Errors)> RunResumeHostAsync()
        {
            using var keys = new TempDirectory();
            var keyFile = Path.Combine(keys.Path, "tmobile-client.pem");
            await File.WriteAllTextAsync(keyFile, TMobileStub.PrivateKeyPem, Ct);
            return await RunResumeHostAsync(
                "--journal", Journal, "--payments", Payments.BaseAddress.ToString(),
                "--card-token", CardToken, "--card-brand", Card.Brand.ToString(), "--card-last4", Card.Last4,
                "--verizon", Verizon.BaseAddress.ToString(), "--app-key", VerizonStub.AppKey, "--app-secret", VerizonStub.AppSecret,
                "--account", VerizonStub.AccountName, "--user", VerizonStub.Username, "--password", VerizonStub.Password,
                "--tmobile", TMobile.BaseAddress.ToString(), "--tmobile-client-id", TMobileStub.ClientId, "--tmobile-client-secret", TMobileStub.ClientSecret,
                "--tmobile-key-file", keyFile, "--tmobile-number", TMobileStub.Msisdn, "--tmobile-code", TMobileStub.OtpCode);
        }

        /// <summary>The composition the resume host makes too: Verizon taking cards through the processor, and T-Mobile.</summary>
        private void Compose(DataRenewBuilder dataRenew, bool @short)
        {
            dataRenew.UsePaymentGateway(Payments.Connect());
            VerizonTestHost.AddStubbedVerizon(dataRenew, Verizon, o =>
            {
                if (@short)
                {
                    ResumeTiming.Apply(o.Resilience);
                }
            });
            CardPayingCarrier.AcceptCardsOnLastCarrier(dataRenew);
            dataRenew.AddTMobile(o =>
            {
                TMobileWorld.Configure(o, TMobile);
                if (@short)
                {
                    ResumeTiming.Apply(o.Resilience);
                }
            });
        }

        private static async Task<(int ExitCode, string Output, string Errors)> RunResumeHostAsync(params string[] arguments)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(ResumeHostDll());
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("The resume host did not start.");
            var output = process.StandardOutput.ReadToEndAsync(Ct);
            var errors = process.StandardError.ReadToEndAsync(Ct);
            using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            guard.CancelAfter(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await output, await errors);
        }

        /// <summary>The host's build output: tests/DataRenew.Sdk.ResumeHost/bin/&lt;configuration&gt;/&lt;framework&gt;/, beside this project's.</summary>
        private static string ResumeHostDll()
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = framework.Parent!;
            var tests = configuration.Parent!.Parent!.Parent!;
            var dll = Path.Combine(tests.FullName, "DataRenew.Sdk.ResumeHost", "bin", configuration.Name, framework.Name, "DataRenew.Sdk.ResumeHost.dll");
            Assert.True(File.Exists(dll), $"The resume host was not built at {dll}.");
            return dll;
        }
    }
}
