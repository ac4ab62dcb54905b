using DataRenew.Sdk.Renewal;

namespace DataRenew.Sdk.Tests.Renewal.Journal;

/// <summary>
/// Compaction of the file journal: finished renewals older than the cut go, everything else stays whole; other
/// instances (processes) notice and read afresh; a crash half way is finished by the next operation.
/// </summary>
public sealed class FileJournalCompactionTests : IDisposable
{
    private static readonly DateTimeOffset Cut = new(2026, 11, 26, 12, 0, 30, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FilePath => Path.Combine(_directory.Path, FileRenewalJournal.FileName);

    private string CopyPath => FilePath + ".compacting";

    public void Dispose() => _directory.Dispose();

    /// <summary>An old finished renewal (versions 1–3, last at +3 s), an unfinished one and a finished one after the cut.</summary>
    private static async Task<(RenewalId Old, RenewalId Open, RenewalId Recent)> SeedAsync(FileRenewalJournal journal)
    {
        var (old, open, recent) = (RenewalId.New(), RenewalId.New(), RenewalId.New());
        await journal.AppendAsync(JournalRecords.Minimal(old, 1), Ct);
        await journal.AppendAsync(JournalRecords.Minimal(open, 1), Ct);
        await journal.AppendAsync(JournalRecords.Minimal(old, 2, RenewalState.Charging), Ct);
        await journal.AppendAsync(JournalRecords.Minimal(old, 3, RenewalState.Completed), Ct);
        await journal.AppendAsync(JournalRecords.Minimal(open, 2, RenewalState.Charging), Ct);
        await journal.AppendAsync(JournalRecords.Minimal(recent, 1), Ct);
        await journal.AppendAsync(JournalRecords.Minimal(recent, 2, RenewalState.Failed) with { UpdatedAt = Cut.AddMinutes(1) }, Ct);
        return (old, open, recent);
    }

    private static async Task AssertCompactedAsync(FileRenewalJournal journal, RenewalId old, RenewalId open, RenewalId recent)
    {
        Assert.Null(await journal.GetAsync(old, Ct));
        Assert.Empty(await journal.GetHistoryAsync(old, Ct).ToArrayAsync(Ct));
        Assert.Equal(2, await VersionsAsync(journal, open));
        Assert.Equal(2, await VersionsAsync(journal, recent));
        Assert.Equal(open, Assert.Single(await journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct)).Id);
    }

    /// <summary>How many versions the history holds, after checking they run 1, 2, 3… (a whole history).</summary>
    private static async Task<int> VersionsAsync(FileRenewalJournal journal, RenewalId id)
    {
        var versions = await journal.GetHistoryAsync(id, Ct).Select(r => r.Version).ToArrayAsync(Ct);
        Assert.Equal(Enumerable.Range(1, versions.Length), versions);
        return versions.Length;
    }

    public static TheoryData<string> EveryStep() => new(Enum.GetNames<CompactionStep>());

    [Theory]
    [MemberData(nameof(EveryStep))]
    public async Task A_crash_at_any_step_of_compaction_leaves_a_journal_that_opens_with_every_record(string step)
    {
        var crashAt = Enum.Parse<CompactionStep>(step);
        RenewalId old, open, recent;
        using (var dying = new FileRenewalJournal(_directory.Path))
        {
            (old, open, recent) = await SeedAsync(dying);
            dying.OnCompactionStep = reached =>
            {
                if (reached == crashAt)
                {
                    throw new DyingProcessException();
                }
            };
            await Assert.ThrowsAsync<DyingProcessException>(() => dying.CompactAsync(Cut, Ct));
        }

        using var next = new FileRenewalJournal(_directory.Path);

        // Before the copy has its final name the compaction never happened; from then on the copy is the journal.
        var compacted = crashAt >= CompactionStep.CopyRenamed;
        Assert.Equal(compacted ? 0 : 3, await VersionsAsync(next, old));
        Assert.Equal(2, await VersionsAsync(next, open));
        Assert.Equal(2, await VersionsAsync(next, recent));
        await next.AppendAsync(JournalRecords.Minimal(open, 3, RenewalState.Completed), Ct);
        using var afterwards = new FileRenewalJournal(_directory.Path);
        Assert.Equal(3, await VersionsAsync(afterwards, open));
        Assert.False(File.Exists(CopyPath));
    }

    [Fact]
    public async Task A_journal_rewritten_from_the_copy_but_not_yet_cut_by_an_earlier_SDK_is_finished_from_the_copy()
    {
        // The state an SDK that wrote the copy over the journal before cutting it left when it died in between: the
        // whole copy, then the old journal's tail (old lines, cut mid-line). Read as appends, it broke every operation.
        RenewalId old, open, recent;
        byte[] before;
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            (old, open, recent) = await SeedAsync(journal);
            before = File.ReadAllBytes(FilePath);
            await journal.CompactAsync(Cut, Ct);
        }

        var copy = File.ReadAllBytes(FilePath);
        File.WriteAllBytes(CopyPath, copy);
        File.WriteAllBytes(FilePath, [.. copy, .. before.AsSpan(copy.Length)]);

        using var next = new FileRenewalJournal(_directory.Path);

        await AssertCompactedAsync(next, old, open, recent);
        Assert.Equal(copy, File.ReadAllBytes(FilePath));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_journal_and_its_directory_are_private_to_the_apps_user_on_Unix()
    {
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var directory = Path.Combine(_directory.Path, "private");
        var file = Path.Combine(directory, FileRenewalJournal.FileName);
        UnixFileMode? copyMode = null;
        using (var journal = new FileRenewalJournal(directory))
        {
            await SeedAsync(journal);
            journal.OnCompactionStep = step => copyMode = step == CompactionStep.CopyRenamed ? File.GetUnixFileMode(file + ".compacting") : copyMode;
            await journal.CompactAsync(Cut, Ct);
        }

        Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
        Assert.Equal(OwnerOnly, copyMode);
    }

    [Fact]
    public async Task Finished_renewals_before_the_cut_are_dropped_and_the_rest_survive_whole_and_a_reopen()
    {
        var before = 0L;
        RenewalId old, open, recent;
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            (old, open, recent) = await SeedAsync(journal);
            before = new FileInfo(FilePath).Length;

            Assert.Equal(1, await journal.CompactAsync(Cut, Ct));
            Assert.True(new FileInfo(FilePath).Length < before, "The compacted file did not shrink.");
            Assert.Equal(0, await journal.CompactAsync(Cut, Ct)); // nothing left to drop: the file is not rewritten
            await AssertCompactedAsync(journal, old, open, recent);

            // The compacting instance goes on appending after it.
            await journal.AppendAsync(JournalRecords.Minimal(open, 3, RenewalState.Paid), Ct);
        }

        Assert.False(File.Exists(CopyPath));
        using var reopened = new FileRenewalJournal(_directory.Path);
        Assert.Null(await reopened.GetAsync(old, Ct));
        Assert.Equal(3, await VersionsAsync(reopened, open));
        Assert.Equal(RenewalState.Failed, (await reopened.GetAsync(recent, Ct))!.State);
    }

    [Fact]
    public async Task Another_instance_that_read_the_journal_before_compaction_reads_it_afresh_and_keeps_the_version_check()
    {
        using var compacting = new FileRenewalJournal(_directory.Path);
        using var other = new FileRenewalJournal(_directory.Path);
        var (old, open, recent) = await SeedAsync(compacting);
        Assert.NotNull(await other.GetAsync(old, Ct)); // the other process has read everything

        await compacting.CompactAsync(Cut, Ct);

        await AssertCompactedAsync(other, old, open, recent);
        await Assert.ThrowsAsync<RenewalConflictException>(() => other.AppendAsync(JournalRecords.Minimal(open, 2, RenewalState.Paid), Ct));
        await other.AppendAsync(JournalRecords.Minimal(open, 3, RenewalState.Paid), Ct);
        Assert.Equal(3, (await compacting.GetAsync(open, Ct))!.Version);
    }

    [Fact]
    public async Task A_compaction_that_crashed_while_rewriting_the_journal_is_finished_from_its_copy()
    {
        RenewalId old, open, recent;
        byte[] compacted;
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            (old, open, recent) = await SeedAsync(journal);
            var uncompacted = File.ReadAllBytes(FilePath);
            await journal.CompactAsync(Cut, Ct);
            compacted = File.ReadAllBytes(FilePath);

            // As if the process died half way through step 2: the copy is whole, the journal half rewritten.
            File.WriteAllBytes(CopyPath, compacted);
            File.WriteAllBytes(FilePath, [.. compacted.AsSpan(0, compacted.Length / 2), .. uncompacted.AsSpan(compacted.Length / 2)]);
        }

        using var next = new FileRenewalJournal(_directory.Path);
        await AssertCompactedAsync(next, old, open, recent);
        Assert.Equal(compacted, File.ReadAllBytes(FilePath));
        Assert.False(File.Exists(CopyPath));
    }

    [Fact]
    public async Task A_copy_that_outlived_its_finished_compaction_does_not_take_away_what_was_appended_after_it()
    {
        // As after a power cut that undid the deletion of the copy: the journal was rewritten and appended to since.
        RenewalId open;
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            (_, open, _) = await SeedAsync(journal);
            await journal.CompactAsync(Cut, Ct);
            var compacted = File.ReadAllBytes(FilePath);
            await journal.AppendAsync(JournalRecords.Minimal(open, 3, RenewalState.Paid), Ct);
            File.WriteAllBytes(CopyPath, compacted);
        }

        using var next = new FileRenewalJournal(_directory.Path);
        Assert.Equal(3, (await next.GetAsync(open, Ct))!.Version);
        Assert.False(File.Exists(CopyPath));
    }

    [Fact]
    public async Task A_compaction_that_crashed_while_writing_its_copy_leaves_the_journal_as_it_was()
    {
        RenewalId old;
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            (old, _, _) = await SeedAsync(journal);
        }

        var journalBytes = File.ReadAllBytes(FilePath);
        File.WriteAllBytes(CopyPath + ".partial", journalBytes.AsSpan(0, 50).ToArray());

        using var next = new FileRenewalJournal(_directory.Path);
        Assert.Equal(3, (await next.GetAsync(old, Ct))!.Version);
        Assert.Equal(journalBytes, File.ReadAllBytes(FilePath));
        Assert.False(File.Exists(CopyPath + ".partial"));
    }

    [Fact]
    public async Task Compaction_copies_the_records_it_keeps_byte_for_byte_with_fields_this_version_does_not_know()
    {
        using var journal = new FileRenewalJournal(_directory.Path);
        var (old, open, recent) = await SeedAsync(journal);

        // Version 3 of the open renewal as a newer SDK (another process) wrote it: a field this version skips on read.
        var json = JournalRecords.JsonOf(JournalRecords.Minimal(open, 3, RenewalState.Paid));
        var newer = JournalRecords.LineOf("{\"settlementRef\":\"stl_42\"," + json[1..]);
        File.AppendAllBytes(FilePath, newer);
        Assert.Equal(RenewalState.Paid, (await journal.GetAsync(open, Ct))!.State);

        Assert.Equal(1, await journal.CompactAsync(Cut, Ct));

        Assert.True(File.ReadAllBytes(FilePath).AsSpan().IndexOf(newer) > 0, "Compaction rewrote a record it kept and lost what this version cannot read.");
        using var reopened = new FileRenewalJournal(_directory.Path);
        Assert.Null(await reopened.GetAsync(old, Ct));
        Assert.Equal(3, await VersionsAsync(reopened, open));
        Assert.Equal(2, await VersionsAsync(reopened, recent));
    }

    [Fact]
    public void The_directory_flush_that_makes_the_copys_rename_durable_works_here_and_reports_failure()
    {
        DirectoryEntries.Flush(_directory.Path);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Throws<IOException>(() => DirectoryEntries.Flush(Path.Combine(_directory.Path, "missing")));
        }
    }

    [Fact]
    public async Task A_compacted_file_cut_below_its_generation_line_is_a_typed_error_not_an_empty_journal()
    {
        using var journal = new FileRenewalJournal(_directory.Path);
        await SeedAsync(journal);
        await journal.CompactAsync(Cut, Ct);

        File.WriteAllBytes(FilePath, []);

        await Assert.ThrowsAsync<RenewalJournalCorruptedException>(async () => await journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));
    }
}

/// <summary>Thrown by a compaction step hook: the process dies there.</summary>
internal sealed class DyingProcessException : Exception;
