using System.Diagnostics;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.ResumeHost;
using DataRenew.Sdk.Tests.Adapters.Verizon;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Renewal.Journal;

/// <summary>
/// The durable journal across a real process boundary: renewals interrupted in this process are settled by
/// tests/DataRenew.Sdk.ResumeHost, started as a second process on the same journal directory and the same stub.
/// </summary>
public sealed class ResumeProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Renewals_interrupted_here_are_settled_by_a_second_process_with_one_plan_change_each()
    {
        using var directory = new TempDirectory();
        using var stub = new VerizonStub { PendingPolls = int.MaxValue };
        RenewalId confirming;
        RenewalId ordering;

        // Warm the stub and this process's adapter code with default timeouts: the short ones below are for resuming.
        await using (var warm = new VerizonTestHost(stub))
        {
            await warm.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        }

        var services = new ServiceCollection();
        var dataRenew = services.AddDataRenew(ResumeTiming.Apply).UseFileJournal(directory.Path);
        VerizonTestHost.AddStubbedVerizon(dataRenew, stub, o => ResumeTiming.Apply(o.Resilience));
        await using (var provider = services.BuildServiceProvider())
        {
            var client = provider.GetRequiredService<DataRenewClient>();
            var session = await client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);

            // 1. Interrupted while confirming: the plan change was accepted; this process dies before it completes.
            var first = await QuoteAsync(client, session, VerizonStub.ActiveLine, "M2M10GB");
            var operation = await client.StartRenewalAsync(session, new RenewalRequest(first, PaymentMethod.CarrierBilling()), Ct);
            Assert.Equal(RenewalState.Confirming, operation.State);
            confirming = operation.Current.Id;

            // 2. Interrupted on the wire: the plan change reached the carrier, its answer never came back.
            var second = await QuoteAsync(client, session, VerizonStub.SecondLine, "M2M5GB");
            stub.BlockNextOrder(out var received, out var release, out var processed);
            using var dying = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var request = new RenewalRequest(second, PaymentMethod.CarrierBilling()) { RenewalId = RenewalId.New() };
            ordering = request.RenewalId.Value;
            var start = client.StartRenewalAsync(session, request, dying.Token);
            await received.WaitAsync(Ct);
            await dying.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
            release();
            await processed.WaitAsync(Ct);
        }

        using (var journal = new FileRenewalJournal(directory.Path))
        {
            Assert.Equal(RenewalState.Confirming, (await journal.GetAsync(confirming, Ct))!.State);
            Assert.Equal(RenewalState.Ordering, (await journal.GetAsync(ordering, Ct))!.State);
        }

        stub.PendingPolls = 0;
        var (exitCode, output, errors) = await RunResumeHostAsync(directory.Path, stub);
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        Assert.True(exitCode == 0, $"The resume host exited with {exitCode}: {errors}\n{output}");
        Assert.Contains("unfinished 2", output, StringComparison.Ordinal);
        Assert.Contains($"{confirming} Completed", output, StringComparison.Ordinal);
        // A Verizon-style carrier neither de-duplicates nor finds a plan change by renewal: one whose answer was
        // lost with the process is never resent, it goes to a person once the confirmation deadline passes.
        Assert.Contains($"{ordering} NeedsAttention ConfirmationTimedOut", output, StringComparison.Ordinal);

        Assert.Single(OrdersFor(stub, VerizonStub.ActiveLine));
        Assert.Single(OrdersFor(stub, VerizonStub.SecondLine));
        Assert.Equal(2, stub.OrdersReceived);
        Assert.Equal("M2M10GB", stub.PlanOf(VerizonStub.ActiveLine));
        using var after = new FileRenewalJournal(directory.Path);
        Assert.Equal(RenewalState.Completed, (await after.GetAsync(confirming, Ct))!.State);
        Assert.NotNull((await after.GetAsync(confirming, Ct))!.Receipt);
        Assert.Equal(RenewalState.NeedsAttention, (await after.GetAsync(ordering, Ct))!.State);
        Assert.Empty(await after.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));
    }

    private static async Task<RenewalQuote> QuoteAsync(DataRenewClient client, DataRenewSession session, Iccid iccid, string plan)
    {
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Iccid == iccid, Ct);
        return await client.CreateQuoteAsync(session, line, new PlanCode(plan), Ct);
    }

    private static string[] OrdersFor(VerizonStub stub, Iccid iccid) =>
        stub.Requests("PUT", "/devices/actions/plan").Select(r => r.Body ?? string.Empty)
            .Where(body => body.Contains(iccid.Value, StringComparison.Ordinal)).ToArray();

    private static async Task<(int ExitCode, string Output, string Errors)> RunResumeHostAsync(string journal, VerizonStub stub)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            ResumeHostDll(), "--journal", journal, "--verizon", stub.BaseAddress.ToString(),
            "--app-key", VerizonStub.AppKey, "--app-secret", VerizonStub.AppSecret, "--account", VerizonStub.AccountName,
            "--user", VerizonStub.Username, "--password", VerizonStub.Password,
        })
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
