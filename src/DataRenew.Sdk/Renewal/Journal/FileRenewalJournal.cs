using System.Buffers.Text;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace DataRenew.Sdk.Renewal;

/// <summary>
/// A durable journal in one directory: an append-only file of checksummed records, flushed to disk before
/// <see cref="AppendAsync"/> returns, shared safely by several processes on one machine.
/// </summary>
/// <remarks>
/// <para>
/// Each record is one line: its length in bytes (8 digits), the first 8 bytes of the SHA-256 of its JSON (16 hex
/// digits) and the JSON itself. A torn or corrupt last line (a crash mid-write) is ignored on load and cut away by
/// the next append; a bad record followed by good ones, or a whole one (length and checksum right) that cannot be
/// read, is reported as <see cref="RenewalJournalCorruptedException"/> instead of being skipped.
/// </para>
/// <para>
/// Every operation holds an exclusive lock on the file (retried until <see cref="LockTimeout"/>) and first reads
/// what other processes appended since, so the version check of <see cref="AppendAsync"/> sees every writer.
/// The journal keeps each renewal's latest version in memory, and where every version's line starts (a history is
/// read back from the file); <see cref="CompactAsync"/> drops renewals that finished long ago, so a long-running app
/// keeps it (and the file) small.
/// </para>
/// <para>
/// A compacted file starts with a line naming its generation (<c>#DRJ</c> and 32 hex digits): a process that
/// read an older generation reads the file afresh. Compaction first writes the compacted journal whole to
/// <c>renewals.journal.compacting</c>, then rewrites the journal in place (its lock stays the same for every
/// process), then deletes that copy; a crash in between is finished from the copy by the next operation.
/// </para>
/// </remarks>
public sealed class FileRenewalJournal : IRenewalJournal, IDisposable
{
    /// <summary>The name of the journal file inside the directory.</summary>
    public const string FileName = "renewals.journal";

    private const int LengthDigits = 8;
    private const int HashDigits = 16;
    private const int HeaderLength = LengthDigits + 1 + HashDigits + 1;
    private const int MaxRecordLength = 99_999_999;
    private const string GenerationPrefix = "#DRJ ";
    private const int GenerationLength = 5 + 32 + 1;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<RenewalId, Renewal> _renewals = [];
    private long _validLength;
    private string? _generation;

    /// <summary>Opens (or creates) the journal in <paramref name="directory"/>.</summary>
    /// <param name="directory">The directory; created when missing. Give every process that shares renewals the same one.</param>
    /// <param name="lockTimeout">How long an operation waits for another process's lock (default 30 s).</param>
    public FileRenewalJournal(string directory, TimeSpan? lockTimeout = null)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new DataRenewValidationException(nameof(directory), "The journal needs a directory.");
        }

        if (lockTimeout is { } t && t <= TimeSpan.Zero)
        {
            throw new DataRenewValidationException(nameof(lockTimeout), "The lock timeout must be positive.");
        }

        // The journal holds line ids, numbers and account ids: on Unix a new directory is the app user's alone (0700).
        Directory = (OperatingSystem.IsWindows() || System.IO.Directory.Exists(directory)
            ? System.IO.Directory.CreateDirectory(directory)
            : System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)).FullName;
        FilePath = Path.Combine(Directory, FileName);
        _compactedCopy = FilePath + ".compacting";
        LockTimeout = lockTimeout ?? TimeSpan.FromSeconds(30);
    }

    private readonly string _compactedCopy;

    /// <summary>Files the journal creates are readable and writable by the app's user only (0600 on Unix).</summary>
    private static FileStreamOptions Private(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    /// <summary>For tests: called at each step of a compaction, to stop it there as a crash would.</summary>
    internal Action<CompactionStep>? OnCompactionStep { get; set; }

    /// <summary>The journal's directory.</summary>
    public string Directory { get; }

    /// <summary>The journal file.</summary>
    public string FilePath { get; }

    /// <summary>How long an operation waits for another process's lock before failing with a transient error.</summary>
    public TimeSpan LockTimeout { get; }

    /// <inheritdoc />
    public async Task AppendAsync(RenewalRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var line = Encode(record);
        await WithFileAsync(file =>
        {
            var current = _renewals.TryGetValue(record.Id, out var known) ? known.Last.Version : 0;
            if (record.Version != current + 1)
            {
                throw new RenewalConflictException(record.Id, record.Version, current);
            }

            if (file.Length != _validLength)
            {
                // A torn or corrupt last record left by a crash: cut it away before writing after the good ones.
                file.SetLength(_validLength);
            }

            file.Position = _validLength;
            file.Write(line);
            file.Flush(flushToDisk: true);
            Remember(record, _validLength);
            _validLength += line.Length;
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<RenewalRecord?> GetAsync(RenewalId id, CancellationToken cancellationToken = default) =>
        WithFileAsync(_ => _renewals.TryGetValue(id, out var known) ? known.Last : null, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<RenewalRecord> GetHistoryAsync(RenewalId id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Only the latest version is kept in memory; earlier ones are read back from their lines.
        var history = await WithFileAsync(file => _renewals.TryGetValue(id, out var known) ? known.Offsets.Select((offset, i) => ReadAt(file, offset, id, i + 1)).ToArray() : [], cancellationToken).ConfigureAwait(false);
        foreach (var record in history)
        {
            yield return record;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RenewalRecord> ListUnfinishedAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var unfinished = await WithFileAsync(_ => _renewals.Values.Select(r => r.Last).Where(r => !r.IsFinal).ToArray(), cancellationToken).ConfigureAwait(false);
        foreach (var record in unfinished)
        {
            yield return record;
        }
    }

    /// <summary>
    /// Drops the renewals that reached a final state before <paramref name="finishedBefore"/> (every version of
    /// them), keeping every unfinished renewal whole. Safe while other processes use the journal, and against a
    /// crash half way. A dropped renewal is unknown afterwards: keep finished ones for as long as an app may retry
    /// a start with the same <see cref="RenewalRequest.RenewalId"/> or look a renewal up (weeks, not minutes).
    /// </summary>
    /// <returns>How many renewals were dropped.</returns>
    public Task<int> CompactAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default) => WithFileAsync(file =>
    {
        var dropped = _renewals.Where(p => p.Value.Last is { IsFinal: true } last && last.UpdatedAt < finishedBefore).Select(p => p.Key).ToHashSet();
        if (dropped.Count == 0)
        {
            return 0;
        }

        var generation = Guid.NewGuid().ToString("N");
        using var compacted = new MemoryStream();
        compacted.Write(System.Text.Encoding.ASCII.GetBytes(GenerationPrefix + generation + "\n"));

        // The kept records are copied as they are in the file, not encoded again from memory: a record written by
        // another (newer) SDK may hold fields this one skips on read, and compaction must not change any history.
        var start = _generation is null ? 0 : GenerationLength;
        var records = new byte[checked((int)(_validLength - start))];
        file.Position = start;
        file.ReadExactly(records);
        for (var position = 0; position < records.Length;)
        {
            var length = records.AsSpan(position).IndexOf((byte)'\n') + 1;
            RenewalRecord? record = null;
            if (length == 0 || TryDecode(records.AsSpan(position, length - 1), out record, out _) is not null)
            {
                // Every line before _validLength was read and checked under this same lock.
                throw new RenewalJournalCorruptedException(FilePath, start + position, "a record changed under the journal");
            }

            if (!dropped.Contains(record!.Id))
            {
                compacted.Write(records, position, length);
            }

            position += length;
        }

        // 1. The compacted journal, whole and on disk, under its final name only once complete.
        var partial = _compactedCopy + ".partial";
        using (var copy = new FileStream(partial, Private(FileMode.Create, FileAccess.Write)))
        {
            var half = (int)compacted.Length / 2;
            copy.Write(compacted.GetBuffer(), 0, half);
            OnCompactionStep?.Invoke(CompactionStep.CopyHalfWritten);
            copy.Write(compacted.GetBuffer(), half, (int)compacted.Length - half);
            copy.Flush(flushToDisk: true);
        }

        OnCompactionStep?.Invoke(CompactionStep.CopyWritten);
        File.Move(partial, _compactedCopy, overwrite: true);
        OnCompactionStep?.Invoke(CompactionStep.CopyRenamed);
        try
        {
            // The rename must outlive a power cut before the journal is touched: the copy is then the whole truth.
            DirectoryEntries.Flush(Directory);
        }
        catch (IOException ex)
        {
            File.Delete(_compactedCopy);
            throw new DataRenewException("The journal was not compacted: its directory could not be flushed to disk.", new DataRenewErrorDetails(IsTransient: true), ex);
        }

        // 2. The journal rewritten in place, 3. the copy gone.
        OnCompactionStep?.Invoke(CompactionStep.CopyDurable);
        Rewrite(file, compacted.GetBuffer().AsSpan(0, (int)compacted.Length), OnCompactionStep);
        OnCompactionStep?.Invoke(CompactionStep.JournalRewritten);
        File.Delete(_compactedCopy);

        // Every line moved: read the compacted file afresh (its new generation makes CatchUp do so).
        CatchUp(file);
        return dropped.Count;
    }, cancellationToken);

    /// <summary>Releases the in-process gate. The file is open only during each operation.</summary>
    public void Dispose() => _gate.Dispose();

    /// <summary>The line for a record: length, checksum, JSON, newline. The JSON never holds a raw newline.</summary>
    internal static byte[] Encode(RenewalRecord record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(JournalRecordMapper.ToDto(record), JournalJsonContext.Default.JournalRecordDto);
        if (json.Length > MaxRecordLength)
        {
            throw new DataRenewValidationException(nameof(record), "The renewal record is too large for the journal.");
        }

        var line = new byte[HeaderLength + json.Length + 1];
        _ = Utf8Formatter.TryFormat(json.Length, line, out _, new System.Buffers.StandardFormat('D', LengthDigits));
        line[LengthDigits] = (byte)' ';
        WriteHash(json, line.AsSpan(LengthDigits + 1, HashDigits));
        line[HeaderLength - 1] = (byte)' ';
        json.CopyTo(line.AsSpan(HeaderLength));
        line[^1] = (byte)'\n';
        return line;
    }

    private static void WriteHash(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(json, hash);
        _ = Convert.TryToHexStringLower(hash[..(HashDigits / 2)], destination, out _);
    }

    private async Task<T> WithFileAsync<T>(Func<FileStream, T> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var file = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
            FinishInterruptedCompaction(file);
            CatchUp(file);
            return action(file);
        }
        finally
        {
            _gate.Release();
        }
    }

    // FileShare.None is an exclusive lock on the file for as long as it is open: a share-mode lock on Windows,
    // flock(LOCK_EX) on Unix, both released by the operating system if the process dies.
    private async Task<FileStream> OpenLockedAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            try
            {
                return new FileStream(FilePath, Private(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            }
            catch (IOException ex) when (ex is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
            {
                if (Stopwatch.GetElapsedTime(started) >= LockTimeout)
                {
                    throw new DataRenewException(
                        $"The renewal journal stayed locked by another process for {LockTimeout.TotalSeconds:0} s.",
                        new DataRenewErrorDetails(IsTransient: true), ex);
                }
            }

            // Waiting on another process's lock is real time, not the SDK's clock.
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
        }
    }

    /// <summary>A compaction that stopped after its copy was whole: the journal may be half rewritten, so the copy is.</summary>
    private void FinishInterruptedCompaction(FileStream file)
    {
        // An unfinished copy: the journal itself was not touched yet.
        File.Delete(_compactedCopy + ".partial");
        if (!File.Exists(_compactedCopy))
        {
            return;
        }

        // A journal that already starts with the whole copy was rewritten, and perhaps appended to since (a deletion
        // of the copy that a power cut undid): rewriting it from the copy again would drop those records. Unless what
        // follows the copy is not such records: an SDK that wrote before cutting, stopped in between, left old lines.
        var copy = File.ReadAllBytes(_compactedCopy);
        if (!StartsWith(file, copy) || !ContinuesWithAppends(file, copy))
        {
            Rewrite(file, copy, step: null);
        }

        File.Delete(_compactedCopy);
    }

    /// <summary>Whether every whole line after <paramref name="copy"/> is a record that follows the copy's versions.</summary>
    private static bool ContinuesWithAppends(FileStream file, byte[] copy)
    {
        var versions = new Dictionary<RenewalId, int>();
        var lines = copy.AsSpan(copy.AsSpan().StartsWith("#DRJ "u8) ? GenerationLength : 0);
        foreach (var range in lines.Split((byte)'\n'))
        {
            if (!lines[range].IsEmpty && TryDecode(lines[range], out var record, out _) is null)
            {
                versions[record!.Id] = record.Version;
            }
        }

        var tail = new byte[checked((int)(file.Length - copy.Length))];
        file.Position = copy.Length;
        file.ReadExactly(tail);
        for (var rest = tail.AsSpan(); rest.IndexOf((byte)'\n') is var newline and >= 0; rest = rest[(newline + 1)..])
        {
            if (TryDecode(rest[..newline], out var record, out _) is not null || record!.Version != versions.GetValueOrDefault(record.Id) + 1)
            {
                return false;
            }

            versions[record.Id] = record.Version;
        }

        return true; // a torn last line is a write that did not finish, as anywhere else
    }

    private static bool StartsWith(FileStream file, byte[] prefix)
    {
        if (file.Length < prefix.Length)
        {
            return false;
        }

        var head = new byte[prefix.Length];
        file.Position = 0;
        file.ReadExactly(head);
        return head.AsSpan().SequenceEqual(prefix);
    }

    /// <summary>
    /// Replaces the journal's content with <paramref name="content"/> (the compacted copy). Cut to length first, then
    /// written: a crash at any point leaves a file that either does not start with the whole copy (the next operation
    /// rewrites it from the copy) or is the copy exactly. Written first and cut after, a crash in between would leave
    /// the copy followed by old lines, which reads as records appended since and breaks every later read.
    /// </summary>
    private static void Rewrite(FileStream file, ReadOnlySpan<byte> content, Action<CompactionStep>? step)
    {
        file.SetLength(content.Length);
        step?.Invoke(CompactionStep.JournalCut);
        file.Position = 0;
        var half = content.Length / 2;
        file.Write(content[..half]);
        step?.Invoke(CompactionStep.JournalHalfWritten);
        file.Write(content[half..]);
        file.Flush(flushToDisk: true);
    }

    /// <summary>The generation named by a compacted file's first line, or null for a file never compacted.</summary>
    private static string? GenerationOf(FileStream file)
    {
        if (file.Length < GenerationLength)
        {
            return null;
        }

        Span<byte> first = stackalloc byte[GenerationLength];
        file.Position = 0;
        file.ReadExactly(first);
        return first.StartsWith("#DRJ "u8) && first[^1] == (byte)'\n' ? System.Text.Encoding.ASCII.GetString(first[5..^1]) : null;
    }

    /// <summary>Reads the records appended since the last look (by this or another process).</summary>
    private void CatchUp(FileStream file)
    {
        var generation = GenerationOf(file);
        if (_generation is not null && generation is null)
        {
            // Compaction never takes the generation line away: the file was replaced or cut under the journal.
            throw new RenewalJournalCorruptedException(FilePath, 0, "the file lost the generation line it had");
        }

        if (generation != _generation)
        {
            // Compacted by another process since our last look: read it afresh, after its first line.
            _renewals.Clear();
            _generation = generation;
            _validLength = generation is null ? 0 : GenerationLength;
        }

        var length = file.Length;
        if (length < _validLength)
        {
            throw new RenewalJournalCorruptedException(FilePath, length, "the file is shorter than the records already read from it");
        }

        if (length == _validLength)
        {
            return;
        }

        var buffer = new byte[checked((int)(length - _validLength))];
        file.Position = _validLength;
        file.ReadExactly(buffer);
        var position = 0;
        while (position < buffer.Length)
        {
            var rest = buffer.AsSpan(position);
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                // Torn last record: a write that did not finish. Ignored; the next append cuts it away.
                return;
            }

            var offset = _validLength;
            var error = TryDecode(rest[..newline], out var record, out var intact);
            var isLast = position + newline + 1 == buffer.Length;
            if (error is not null)
            {
                if (isLast && !intact)
                {
                    return; // A corrupt last record is a torn write too.
                }

                // A last line whose length and checksum match was written whole (a crash cannot leave that): a real
                // version this SDK cannot read, e.g. from a newer one. Ignoring it would let the next append cut it
                // away, and this process redo the step it records.

                throw new RenewalJournalCorruptedException(FilePath, offset, error);
            }

            var current = _renewals.TryGetValue(record!.Id, out var known) ? known.Last.Version : 0;
            if (record.Version != current + 1)
            {
                throw new RenewalJournalCorruptedException(FilePath, offset, $"version {record.Version} follows version {current}");
            }

            Remember(record, offset);
            position += newline + 1;
            _validLength += newline + 1;
        }
    }

    private void Remember(RenewalRecord record, long offset)
    {
        if (_renewals.TryGetValue(record.Id, out var known))
        {
            known.Last = record;
            known.Offsets.Add(offset);
        }
        else
        {
            _renewals[record.Id] = new Renewal(record, offset);
        }
    }

    /// <summary>The record whose line starts at <paramref name="offset"/> (read and checked when it was first seen): that renewal's version, or the file changed under the journal.</summary>
    private RenewalRecord ReadAt(FileStream file, long offset, RenewalId id, int version)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        file.Position = offset;
        file.ReadExactly(header);
        if (!Utf8Parser.TryParse(header[..LengthDigits], out int length, out _) || length < 0 || length > MaxRecordLength)
        {
            throw new RenewalJournalCorruptedException(FilePath, offset, "a record changed under the journal");
        }

        var line = new byte[HeaderLength + length];
        header.CopyTo(line);
        file.ReadExactly(line.AsSpan(HeaderLength));
        if (TryDecode(line, out var record, out _) is { } error)
        {
            throw new RenewalJournalCorruptedException(FilePath, offset, error);
        }

        return record!.Id == id && record.Version == version ? record : throw new RenewalJournalCorruptedException(FilePath, offset, "a record changed under the journal");
    }

    /// <summary>What the journal keeps of a renewal in memory: its latest version, and where each version's line starts.</summary>
    private sealed class Renewal(RenewalRecord last, long offset)
    {
        public RenewalRecord Last { get; set; } = last;

        public List<long> Offsets { get; } = [offset];
    }

    /// <summary>
    /// Reads one line (without its newline): null and the record, or why not. <paramref name="intact"/> tells whether
    /// its length and checksum matched, i.e. it was written whole, as its writer meant it.
    /// </summary>
    private static string? TryDecode(ReadOnlySpan<byte> line, out RenewalRecord? record, out bool intact)
    {
        record = null;
        intact = false;
        if (line.Length < HeaderLength || line[LengthDigits] != ' ' || line[HeaderLength - 1] != ' '
            || !Utf8Parser.TryParse(line[..LengthDigits], out int length, out var consumed) || consumed != LengthDigits)
        {
            return "the record header is malformed";
        }

        var json = line[HeaderLength..];
        if (json.Length != length)
        {
            return "the record's length does not match its header";
        }

        Span<byte> hash = stackalloc byte[HashDigits];
        WriteHash(json, hash);
        if (!hash.SequenceEqual(line.Slice(LengthDigits + 1, HashDigits)))
        {
            return "the record's checksum does not match";
        }

        intact = true;

        try
        {
            var dto = JsonSerializer.Deserialize(json, JournalJsonContext.Default.JournalRecordDto);
            if (dto is null)
            {
                return "the record is empty";
            }

            record = JournalRecordMapper.FromDto(dto);
            return null;
        }
        catch (Exception ex) when (ex is JsonException or DataRenewValidationException)
        {
            // The checksum matched, so this is what was written: a record this version cannot read.
            return "the record cannot be read (" + ex.GetType().Name + ")";
        }
    }
}

/// <summary>
/// The journal file holds a bad record that is not the last one (or was changed under the journal): the SDK
/// does not skip it, because a skipped version could repeat a charge. Restore the file from a backup or
/// repair it by hand; the message names the byte offset.
/// </summary>
public sealed class RenewalJournalCorruptedException : DataRenewException
{
    /// <summary>Creates the error.</summary>
    public RenewalJournalCorruptedException(string path, long offset, string reason)
        : base($"The renewal journal '{path}' is corrupt at byte {offset}: {reason}.")
    {
        FilePath = path;
        Offset = offset;
    }

    /// <summary>The journal file.</summary>
    public string FilePath { get; }

    /// <summary>Where the bad record starts, in bytes from the start of the file.</summary>
    public long Offset { get; }
}
