using System.Text;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Renewal.Journal;

/// <summary>
/// The file journal on disk: it survives a reopen, shrugs off a torn last record, refuses to skip a corrupt
/// one in the middle, holds no secret, and lets a new client on a new instance finish an interrupted renewal.
/// </summary>
public sealed class FileJournalTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FilePath => Path.Combine(_directory.Path, FileRenewalJournal.FileName);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Records_survive_a_reopen_exactly()
    {
        var id = RenewalId.New();
        var first = JournalRecords.Full(id, 1);
        var second = first with { Version = 2, State = RenewalState.Completed, LeaseOwner = null, LeaseUntil = null };
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            await journal.AppendAsync(first, Ct);
            await journal.AppendAsync(second, Ct);
        }

        using var reopened = new FileRenewalJournal(_directory.Path);
        var history = await reopened.GetHistoryAsync(id, Ct).ToArrayAsync(Ct);

        Assert.Equal(2, history.Length);
        JournalRecords.AssertSame(first, history[0]);
        JournalRecords.AssertSame(second, history[1]);
        Assert.Empty(await reopened.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(30)]
    [InlineData(200)]
    public async Task A_torn_last_record_is_ignored_and_the_next_append_cuts_it_away(int bytesLost)
    {
        var id = RenewalId.New();
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            for (var v = 1; v <= 3; v++)
            {
                await journal.AppendAsync(JournalRecords.Full(id, v), Ct);
            }
        }

        var lengthOfTwo = LineStarts()[2];
        // The crash: the third record was only partly written.
        using (var file = new FileStream(FilePath, FileMode.Open))
        {
            file.SetLength(file.Length - Math.Min(bytesLost, (int)(file.Length - lengthOfTwo - 1)));
        }

        using var reopened = new FileRenewalJournal(_directory.Path);
        Assert.Equal(2, (await reopened.GetAsync(id, Ct))!.Version);
        await AssertVersionsAsync(reopened, id, 1, 2);

        var third = JournalRecords.Full(id, 3) with { State = RenewalState.Paid };
        await reopened.AppendAsync(third, Ct);

        using var again = new FileRenewalJournal(_directory.Path);
        await AssertVersionsAsync(again, id, 1, 2, 3);
        JournalRecords.AssertSame(third, await again.GetAsync(id, Ct));
        Assert.Equal(3, LineStarts().Count);
        Assert.Equal((byte)'\n', File.ReadAllBytes(FilePath)[^1]);
    }

    [Fact]
    public async Task A_corrupt_last_record_is_ignored_like_a_torn_one()
    {
        var id = RenewalId.New();
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            await journal.AppendAsync(JournalRecords.Minimal(id, 1), Ct);
            await journal.AppendAsync(JournalRecords.Minimal(id, 2, RenewalState.Charging), Ct);
        }

        FlipByteInRecord(1);

        using var reopened = new FileRenewalJournal(_directory.Path);
        await AssertVersionsAsync(reopened, id, 1);
        await reopened.AppendAsync(JournalRecords.Minimal(id, 2, RenewalState.Paid), Ct);
        using var again = new FileRenewalJournal(_directory.Path);
        Assert.Equal(RenewalState.Paid, (await again.GetAsync(id, Ct))!.State);
    }

    [Fact]
    public async Task A_whole_last_record_this_version_cannot_read_is_a_typed_error_not_a_torn_write_to_cut_away()
    {
        var id = RenewalId.New();
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            await journal.AppendAsync(JournalRecords.Minimal(id, 1), Ct);
        }

        // Version 2 as a newer SDK (another process) wrote it: a state this version does not know, length and checksum
        // right. A crash cannot write that, so it is a real version: ignoring it would let this process redo its step.
        var json = JournalRecords.JsonOf(JournalRecords.Minimal(id, 2, RenewalState.Charging));
        Assert.Contains("\"Charging\"", json, StringComparison.Ordinal);
        File.AppendAllBytes(FilePath, JournalRecords.LineOf(json.Replace("\"Charging\"", "\"Settling\"", StringComparison.Ordinal)));
        var before = File.ReadAllBytes(FilePath);

        using var reopened = new FileRenewalJournal(_directory.Path);
        var error = await Assert.ThrowsAsync<RenewalJournalCorruptedException>(() => reopened.GetAsync(id, Ct));
        Assert.Equal(LineStarts()[1], error.Offset);
        await Assert.ThrowsAsync<RenewalJournalCorruptedException>(() => reopened.AppendAsync(JournalRecords.Minimal(id, 2, RenewalState.Charging), Ct));
        Assert.Equal(before, File.ReadAllBytes(FilePath));
    }

    [Fact]
    public async Task A_corrupt_record_in_the_middle_is_a_typed_error_not_a_skipped_version()
    {
        var id = RenewalId.New();
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            await journal.AppendAsync(JournalRecords.Minimal(id, 1), Ct);
            await journal.AppendAsync(JournalRecords.Minimal(id, 2, RenewalState.Charging), Ct);
            await journal.AppendAsync(JournalRecords.Minimal(id, 3, RenewalState.Paid), Ct);
        }

        FlipByteInRecord(1);
        var before = File.ReadAllBytes(FilePath);

        using var reopened = new FileRenewalJournal(_directory.Path);
        var error = await Assert.ThrowsAsync<RenewalJournalCorruptedException>(() => reopened.GetAsync(id, Ct));
        Assert.Equal(LineStarts()[1], error.Offset);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RenewalJournalCorruptedException>(() => reopened.AppendAsync(JournalRecords.Minimal(id, 4, RenewalState.Ordering), Ct));
        await Assert.ThrowsAsync<RenewalJournalCorruptedException>(async () => await reopened.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));
        Assert.Equal(before, File.ReadAllBytes(FilePath));
    }

    [Fact]
    public async Task An_instance_sees_what_another_instance_appended_before_checking_the_version()
    {
        var id = RenewalId.New();
        using var a = new FileRenewalJournal(_directory.Path);
        using var b = new FileRenewalJournal(_directory.Path);
        await a.AppendAsync(JournalRecords.Minimal(id, 1), Ct);
        Assert.Equal(1, (await b.GetAsync(id, Ct))!.Version);

        await b.AppendAsync(JournalRecords.Minimal(id, 2, RenewalState.Charging), Ct);

        await Assert.ThrowsAsync<RenewalConflictException>(() => a.AppendAsync(JournalRecords.Minimal(id, 2, RenewalState.Charging), Ct));
        await a.AppendAsync(JournalRecords.Minimal(id, 3, RenewalState.Paid), Ct);
        await AssertVersionsAsync(b, id, 1, 2, 3);
    }

    [Fact]
    public async Task The_journal_file_never_holds_a_card_number_a_cvv_a_token_or_a_password()
    {
        const string appleToken = "apple-pay-token-SECRET-7f3a9c";
        const string processorToken = "pm_processor_token_SECRET_91b2";
        var world = new DurableWorld(_directory.Path);
        var client = world.NewClient();
        var card = PaymentMethod.CreditCard(Support.Harness.VisaNumber, 12, 2030, "987");

        foreach (var method in new PaymentMethod[] { card, PaymentMethod.ApplePay(appleToken), PaymentMethod.CardToken(processorToken, CardBrand.Visa, "4242") })
        {
            var (session, quote) = await DurableWorld.QuoteAsync(client);
            var operation = await client.StartRenewalAsync(session, new RenewalRequest(quote, method), Ct);
            var final = await world.RunAsync(operation.WaitForCompletionAsync(Ct));
            Assert.Equal(RenewalState.Completed, final.State);
        }

        var text = Encoding.UTF8.GetString(File.ReadAllBytes(FilePath));
        Assert.Equal(3 * 6, LineStarts().Count);
        Assert.Contains("\"last4\":\"4242\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Support.Harness.VisaNumber, text, StringComparison.Ordinal);
        Assert.DoesNotContain("4242 4242", text, StringComparison.Ordinal);
        // The CVV as a value of its own: the same three digits occur by chance inside ids and checksums.
        Assert.DoesNotMatch(@"(?<![0-9A-Za-z])987(?![0-9A-Za-z])", text);
        Assert.DoesNotContain(appleToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(processorToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeCarrierSeed.Password, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_renewal_interrupted_in_one_client_is_finished_by_a_new_client_on_a_new_journal_instance(bool afterTheOrderReachedTheCarrier)
    {
        var world = new DurableWorld(_directory.Path);
        var first = world.NewClient();
        var (session, quote) = await DurableWorld.QuoteAsync(first);
        world.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, afterTheOrderReachedTheCarrier ? FaultTiming.AfterEffect : FaultTiming.BeforeEffect,
            static () => new InvalidOperationException("process died"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => first.StartRenewalAsync(session, new RenewalRequest(quote, Support.Harness.Visa), Ct));

        // A new process: a new client on a new journal instance over the same directory, nothing shared in memory.
        var second = world.NewClient();
        var unfinished = Assert.Single(await second.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
        Assert.Equal(RenewalState.Ordering, unfinished.State);
        var resumeSession = await DurableWorld.SignInAsync(second);
        var operation = await second.ResumeRenewalAsync(resumeSession, unfinished.Id, Ct);
        var final = await world.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.NotNull(final.Receipt);
        Assert.Single(world.Payments.Charges);
        Assert.Single(world.Carrier.SubmittedOrders);
        using var reader = new FileRenewalJournal(_directory.Path);
        Assert.Equal(final, await reader.GetAsync(final.Id, Ct));
        Assert.Empty(await reader.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public void UseFileJournal_registers_the_file_journal_on_the_directory()
    {
        var services = new ServiceCollection();
        services.AddDataRenew().UseFileJournal(_directory.Path);
        using var provider = services.BuildServiceProvider();

        var journal = Assert.IsType<FileRenewalJournal>(provider.GetRequiredService<IRenewalJournal>());
        Assert.Equal(Path.GetFullPath(_directory.Path), journal.Directory);
        Assert.Throws<DataRenewValidationException>(() => new ServiceCollection().AddDataRenew().UseFileJournal(" "));
    }

    private static async Task AssertVersionsAsync(FileRenewalJournal journal, RenewalId id, params int[] expected) =>
        Assert.Equal(expected, await journal.GetHistoryAsync(id, Ct).Select(r => r.Version).ToArrayAsync(Ct));

    private List<long> LineStarts()
    {
        var bytes = File.ReadAllBytes(FilePath);
        var starts = new List<long>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i == 0 || bytes[i - 1] == (byte)'\n')
            {
                starts.Add(i);
            }
        }

        return starts;
    }

    /// <summary>Changes one byte inside the JSON of a record: its checksum no longer matches.</summary>
    private void FlipByteInRecord(int index)
    {
        var bytes = File.ReadAllBytes(FilePath);
        var at = (int)LineStarts()[index] + 40;
        bytes[at] = bytes[at] == (byte)'x' ? (byte)'y' : (byte)'x';
        File.WriteAllBytes(FilePath, bytes);
    }
}

/// <summary>The fake carrier and gateway on a fake clock, with clients that each open their own file journal.</summary>
internal sealed class DurableWorld(string directory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public FakeTimeProvider Time { get; } = new(Support.Harness.Start);

    public FakeCarrier Carrier => _carrier ??= FakeCarrier.CreateDemo(Time);

    public FakePaymentGateway Payments => _payments ??= new FakePaymentGateway(Time);

    private FakeCarrier? _carrier;
    private FakePaymentGateway? _payments;

    /// <summary>A client as a new process would build it: its own container and its own journal instance.</summary>
    public DataRenewClient NewClient()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddDataRenew(o => o.PollJitter = false)
            .AddCarrier(Carrier)
            .UsePaymentGateway(Payments)
            .UseFileJournal(directory);
        return services.BuildServiceProvider().GetRequiredService<DataRenewClient>();
    }

    public static Task<DataRenewSession> SignInAsync(DataRenewClient client) =>
        client.SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), Ct);

    public static async Task<(DataRenewSession Session, RenewalQuote Quote)> QuoteAsync(DataRenewClient client)
    {
        var session = await SignInAsync(client);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == FakeCarrierSeed.PhysicalLine, Ct);
        return (session, await client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan10Gb.Code, Ct));
    }

    /// <summary>Advances the fake clock until the task ends (as <see cref="Support.Harness.RunAsync{T}"/>).</summary>
    public async Task<T> RunAsync<T>(Task<T> task)
    {
        for (var i = 0; i < 10_000 && !task.IsCompleted; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Run(static () => { }, Ct);
        }

        if (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30), Ct));
        }

        Assert.True(task.IsCompleted, "The operation did not finish within 10,000 clock steps.");
        return await task;
    }
}
