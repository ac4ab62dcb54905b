using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;

namespace DataRenew.Sdk.Tests.Renewal.Journal;

/// <summary>
/// What every <see cref="IRenewalJournal"/> promises, run against each journal: versions 1, 2, 3… and nothing
/// else, the latest version, the history in order, the unfinished renewals, and records that come back equal.
/// </summary>
public abstract class JournalContractTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The journal under test.</summary>
    protected abstract IRenewalJournal Journal { get; }

    /// <summary>Another view of the same journal: the same instance in memory, a new instance on the same directory on disk.</summary>
    protected abstract IRenewalJournal OpenAnother();

    [Fact]
    public async Task Unknown_renewal_has_no_record_and_no_history()
    {
        var id = RenewalId.New();

        Assert.Null(await Journal.GetAsync(id, Ct));
        Assert.Empty(await Journal.GetHistoryAsync(id, Ct).ToArrayAsync(Ct));
        Assert.Empty(await Journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task A_record_with_every_field_set_comes_back_equal()
    {
        var record = JournalRecords.Full(RenewalId.New(), 1);

        await Journal.AppendAsync(record, Ct);

        var read = await Journal.GetAsync(record.Id, Ct);
        JournalRecords.AssertSame(record, read);
        JournalRecords.AssertSame(record, await OpenAnother().GetAsync(record.Id, Ct));
    }

    [Fact]
    public async Task Versions_must_follow_one_another()
    {
        var id = RenewalId.New();

        var skipped = await Assert.ThrowsAsync<RenewalConflictException>(() => Journal.AppendAsync(JournalRecords.Minimal(id, 2), Ct));
        Assert.Equal(id, skipped.RenewalId);
        Assert.Null(await Journal.GetAsync(id, Ct));

        await Journal.AppendAsync(JournalRecords.Minimal(id, 1), Ct);
        await Assert.ThrowsAsync<RenewalConflictException>(() => Journal.AppendAsync(JournalRecords.Minimal(id, 1), Ct));
        await Assert.ThrowsAsync<RenewalConflictException>(() => Journal.AppendAsync(JournalRecords.Minimal(id, 3), Ct));
        await Journal.AppendAsync(JournalRecords.Minimal(id, 2), Ct);

        Assert.Equal(2, (await Journal.GetAsync(id, Ct))!.Version);
    }

    [Fact]
    public async Task History_is_every_version_oldest_first_per_renewal()
    {
        var first = RenewalId.New();
        var second = RenewalId.New();
        await Journal.AppendAsync(JournalRecords.Minimal(first, 1), Ct);
        await Journal.AppendAsync(JournalRecords.Minimal(second, 1), Ct);
        await Journal.AppendAsync(JournalRecords.Minimal(first, 2, RenewalState.Charging), Ct);
        await Journal.AppendAsync(JournalRecords.Minimal(first, 3, RenewalState.Paid), Ct);

        var history = await Journal.GetHistoryAsync(first, Ct).ToArrayAsync(Ct);

        Assert.Equal([1, 2, 3], history.Select(r => r.Version));
        Assert.Equal([RenewalState.Started, RenewalState.Charging, RenewalState.Paid], history.Select(r => r.State));
        Assert.All(history, r => Assert.Equal(first, r.Id));
        var secondVersions = await Journal.GetHistoryAsync(second, Ct).Select(r => r.Version).ToArrayAsync(Ct);
        Assert.Equal([1], secondVersions);
        Assert.Equal(RenewalState.Paid, (await Journal.GetAsync(first, Ct))!.State);
    }

    [Fact]
    public async Task Unfinished_lists_the_latest_version_of_renewals_not_final()
    {
        var running = RenewalId.New();
        var completed = RenewalId.New();
        var failed = RenewalId.New();
        var attention = RenewalId.New();
        await Journal.AppendAsync(JournalRecords.Minimal(running, 1), Ct);
        await Journal.AppendAsync(JournalRecords.Minimal(running, 2, RenewalState.Ordering), Ct);
        foreach (var (id, state) in new[] { (completed, RenewalState.Completed), (failed, RenewalState.Failed), (attention, RenewalState.NeedsAttention) })
        {
            await Journal.AppendAsync(JournalRecords.Minimal(id, 1), Ct);
            await Journal.AppendAsync(JournalRecords.Minimal(id, 2, state), Ct);
        }

        var unfinished = await OpenAnother().ListUnfinishedAsync(Ct).ToArrayAsync(Ct);

        var only = Assert.Single(unfinished);
        Assert.Equal(running, only.Id);
        Assert.Equal(2, only.Version);
        Assert.Equal(RenewalState.Ordering, only.State);
    }

    [Fact]
    public async Task Two_writers_of_one_version_one_wins_and_the_other_gets_a_conflict()
    {
        var id = RenewalId.New();
        await Journal.AppendAsync(JournalRecords.Minimal(id, 1), Ct);
        var other = OpenAnother();

        for (var version = 2; version <= 21; version++)
        {
            var mine = JournalRecords.Minimal(id, version, RenewalState.Charging) with { LeaseOwner = "mine" };
            var theirs = JournalRecords.Minimal(id, version, RenewalState.Charging) with { LeaseOwner = "theirs" };
            var results = await Task.WhenAll(Attempt(Journal, mine), Attempt(other, theirs));

            Assert.Equal(1, results.Count(r => r is null));
            Assert.IsType<RenewalConflictException>(Assert.Single(results, r => r is not null));
        }

        var history = await OpenAnother().GetHistoryAsync(id, Ct).ToArrayAsync(Ct);
        Assert.Equal(Enumerable.Range(1, 21), history.Select(r => r.Version));
        Assert.Equal(history, await Journal.GetHistoryAsync(id, Ct).ToArrayAsync(Ct));

        static async Task<Exception?> Attempt(IRenewalJournal journal, RenewalRecord record)
        {
            await Task.Yield();
            try
            {
                await journal.AppendAsync(record, Ct);
                return null;
            }
            catch (RenewalConflictException ex)
            {
                return ex;
            }
        }
    }
}

public sealed class InMemoryJournalContractTests : JournalContractTests
{
    private readonly InMemoryRenewalJournal _journal = new();

    protected override IRenewalJournal Journal => _journal;

    protected override IRenewalJournal OpenAnother() => _journal;
}

public sealed class FileJournalContractTests : JournalContractTests, IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<FileRenewalJournal> _opened = [];

    public FileJournalContractTests() => Journal = OpenAnother();

    protected override IRenewalJournal Journal { get; }

    protected override IRenewalJournal OpenAnother()
    {
        var journal = new FileRenewalJournal(_directory.Path);
        _opened.Add(journal);
        return journal;
    }

    public void Dispose()
    {
        _opened.ForEach(j => j.Dispose());
        _directory.Dispose();
    }
}

/// <summary>A fresh directory under the temp folder, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("datarenew-journal-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process still holding a file: the temp folder is cleaned later.
        }
    }
}

/// <summary>Records for journal tests.</summary>
internal static class JournalRecords
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static RenewalRecord Minimal(RenewalId id, int version, RenewalState state = RenewalState.Started) => new()
    {
        Id = id,
        Version = version,
        State = state,
        Carrier = CarrierId.Fake,
        AccountId = FakeCarrierSeed.AccountId,
        Line = new Line(FakeCarrierSeed.PhysicalLine, SimKind.Physical, LineStatus.Active, FakeCarrierSeed.Plan5Gb.Code) { Iccid = FakeCarrierSeed.PhysicalIccid },
        Plan = FakeCarrierSeed.Plan10Gb,
        Price = Money.Usd(30.00m),
        Payment = new PaymentMethodSummary(PaymentMethodKind.CarrierBilling),
        CreatedAt = At,
        UpdatedAt = At.AddSeconds(version),
    };

    /// <summary>Every field set, with values that catch a lossy round trip (decimal scale, offsets, ticks, unlimited data).</summary>
    public static RenewalRecord Full(RenewalId id, int version)
    {
        // An opaque line id, and an ICCID as a carrier reported it: 19 digits whose check digit fails.
        Assert.True(Iccid.TryFromCarrier("8901260000000000001", out var reported));
        var line = new Line(new LineId("sub:+12025550143/ü"), SimKind.ESim, LineStatus.Suspended, new PlanCode("OLD PLAN/ü")) { Iccid = reported, PhoneNumber = FakeCarrierSeed.ESimNumber };
        var plan = new Plan(new PlanCode("FAKE-UNL"), "Unlimited · 30 days \"quoted\"\n", DataAmount.Unlimited, new Money(70.500m, "USD"), 30);
        var payment = new PaymentMethodSummary(PaymentMethodKind.CreditCard, CardBrand.AmericanExpress, "0005");
        var at = new DateTimeOffset(2026, 11, 26, 7, 30, 15, TimeSpan.FromHours(-5)).AddTicks(1234567);
        var payerAction = new PayerAction(PayerActionKind.Redirect, "https://pay.example/approve?id=abc&x=1");
        return new RenewalRecord
        {
            Id = id,
            Version = version,
            State = RenewalState.AwaitingPayerAction,
            Carrier = CarrierId.TMobile,
            AccountId = "0000123456-00001",
            Line = line,
            Plan = plan,
            Price = new Money(52.875m, "EUR"),
            Payment = payment,
            CreatedAt = at,
            UpdatedAt = at.AddMinutes(3),
            ChargeAttempts = 2,
            PaymentId = "pay_123",
            PayerAction = new PayerAction(PayerActionKind.QrCode, "weixin://wxpay/bizpayurl?pr=abc"),
            WaitDeadline = at.AddMinutes(15),
            OrderAttempts = 3,
            Order = new CarrierOrder("ord_9", CarrierOrderStatus.Pending, "CONF-1", at.AddHours(1), "carrier said no", "E42", payerAction),
            RefundAttempts = 1,
            RefundId = "re_7",
            Receipt = new RenewalReceipt(id, CarrierId.TMobile, "ord_9", "CONF-1", line, plan, new Money(52.875m, "EUR"), payment, at.AddHours(1), at.AddHours(2), "support@example"),
            LeaseOwner = "client-a",
            LeaseUntil = at.AddMinutes(8),
            Failure = new RenewalFailure(RenewalFailureKind.ConfirmationTimedOut, "No answer in time.", "TIMEOUT"),
        };
    }

    /// <summary>The JSON the file journal writes for <paramref name="record"/>.</summary>
    public static string JsonOf(RenewalRecord record)
    {
        var line = FileRenewalJournal.Encode(record);
        return System.Text.Encoding.UTF8.GetString(line, 26, line.Length - 27);
    }

    /// <summary>A whole journal line for <paramref name="json"/>, its length and checksum right: what a writer meant to write.</summary>
    public static byte[] LineOf(string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes).AsSpan(0, 8));
        return [.. System.Text.Encoding.ASCII.GetBytes($"{bytes.Length:D8} {hash} "), .. bytes, (byte)'\n'];
    }

    /// <summary>Equal as records, and equal where record equality is blind (decimal scale, UTC offsets).</summary>
    public static void AssertSame(RenewalRecord expected, RenewalRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Price.Amount.Scale, actual.Price.Amount.Scale);
        Assert.Equal(expected.Plan.Price.Amount.Scale, actual.Plan.Price.Amount.Scale);
        Assert.Equal(expected.CreatedAt.Offset, actual.CreatedAt.Offset);
        Assert.Equal(expected.UpdatedAt.Offset, actual.UpdatedAt.Offset);
        Assert.Equal(expected.Order?.EffectiveAt?.Offset, actual.Order?.EffectiveAt?.Offset);
        Assert.Equal(expected.Receipt?.Amount.Amount.Scale, actual.Receipt?.Amount.Amount.Scale);
        Assert.Equal(expected.ToString(), actual.ToString());
    }
}
