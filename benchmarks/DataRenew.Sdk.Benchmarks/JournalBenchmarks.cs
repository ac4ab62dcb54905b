using System.Text.Json;
using BenchmarkDotNet.Attributes;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;

namespace DataRenew.Sdk.Benchmarks;

/// <summary>Renewal records as the engine writes them: a confirming card renewal with an order.</summary>
internal static class JournalSample
{
    public static RenewalRecord Record(RenewalId id, int version) => new()
    {
        Id = id,
        Version = version,
        State = RenewalState.Confirming,
        Carrier = CarrierId.Fake,
        AccountId = FakeCarrierSeed.AccountId,
        Line = new Line(FakeCarrierSeed.PhysicalLine, SimKind.Physical, LineStatus.Active, FakeCarrierSeed.Plan5Gb.Code) { Iccid = FakeCarrierSeed.PhysicalIccid, PhoneNumber = FakeCarrierSeed.PhysicalNumber },
        Plan = FakeCarrierSeed.Plan10Gb,
        Price = Money.Usd(40.00m),
        Payment = new PaymentMethodSummary(PaymentMethodKind.CreditCard, CardBrand.Visa, "4242"),
        CreatedAt = new DateTimeOffset(2026, 11, 27, 6, 0, 0, TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(2026, 11, 27, 6, 0, 0, TimeSpan.Zero).AddSeconds(version),
        ChargeAttempts = 1,
        PaymentId = "pay_0001",
        OrderAttempts = 1,
        Order = new CarrierOrder("ord_0001", CarrierOrderStatus.Pending),
        LeaseOwner = "3f2a9c0d5b8e4f1a9c7d6e5f4a3b2c1d",
        LeaseUntil = new DateTimeOffset(2026, 11, 27, 6, 5, 0, TimeSpan.Zero),
    };

    /// <summary>The journal's own bytes for one record: what a durable append must write at the least.</summary>
    public static byte[] Line()
    {
        var directory = Directory.CreateTempSubdirectory("datarenew-bench-line-").FullName;
        try
        {
            using (var journal = new FileRenewalJournal(directory))
            {
                journal.AppendAsync(Record(RenewalId.New(), 1)).GetAwaiter().GetResult();
            }

            return File.ReadAllBytes(Path.Combine(directory, FileRenewalJournal.FileName));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>
/// One durable append: the I/O floor (open the file exclusively, write the same line, flush to disk) against the
/// file journal's <c>AppendAsync</c> (serialise, checksum, lock, catch up, version check, write, flush).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet needs unsealed classes and cleans up through [GlobalCleanup].")]
public class JournalAppend
{
    private string _directory = null!;
    private string _floorPath = null!;
    private byte[] _line = null!;
    private FileRenewalJournal _journal = null!;
    private RenewalId _id;
    private int _version;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("datarenew-bench-append-").FullName;
        _floorPath = Path.Combine(_directory, "floor.journal");
        _line = JournalSample.Line();
        _journal = new FileRenewalJournal(Path.Combine(_directory, "sdk"));
        _id = RenewalId.New();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _journal.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public void Open_write_and_flush_the_same_line()
    {
        using var file = new FileStream(_floorPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        file.Position = file.Length;
        file.Write(_line);
        file.Flush(flushToDisk: true);
    }

    [Benchmark]
    public Task File_journal_append() => _journal.AppendAsync(JournalSample.Record(_id, ++_version));
}

/// <summary>
/// Opening a journal of 1,000 renewals × 5 versions: the parsing floor (read the file, parse each line's JSON into a
/// document) against a new <see cref="FileRenewalJournal"/> listing its unfinished renewals (checksums, versions,
/// typed records).
/// </summary>
[MemoryDiagnoser]
public class JournalOpen
{
    private const int HeaderLength = 26;
    private string _directory = null!;
    private string _path = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("datarenew-bench-open-").FullName;
        _path = Path.Combine(_directory, FileRenewalJournal.FileName);
        using var journal = new FileRenewalJournal(_directory);
        for (var r = 0; r < 1_000; r++)
        {
            var id = RenewalId.New();
            for (var v = 1; v <= 5; v++)
            {
                journal.AppendAsync(JournalSample.Record(id, v)).GetAwaiter().GetResult();
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Baseline = true)]
    public int Read_and_parse_every_line()
    {
        var bytes = File.ReadAllBytes(_path).AsMemory();
        var lines = 0;
        while (bytes.Length > 0)
        {
            var end = bytes.Span.IndexOf((byte)'\n');
            using (var document = JsonDocument.Parse(bytes[HeaderLength..end]))
            {
                lines += document.RootElement.ValueKind == JsonValueKind.Object ? 1 : 0;
            }

            bytes = bytes[(end + 1)..];
        }

        return lines;
    }

    [Benchmark]
    public async Task<int> File_journal_open_and_list_unfinished()
    {
        using var journal = new FileRenewalJournal(_directory);
        var count = 0;
        await foreach (var _ in journal.ListUnfinishedAsync())
        {
            count++;
        }

        return count;
    }
}
