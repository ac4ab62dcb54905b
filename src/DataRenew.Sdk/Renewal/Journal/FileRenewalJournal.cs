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
/// the next append; a bad record followed by good ones is reported as <see cref="RenewalJournalCorruptedException"/>
/// instead of being skipped.
/// </para>
/// <para>
/// Every operation holds an exclusive lock on the file (retried until <see cref="LockTimeout"/>) and first reads
/// what other processes appended since, so the version check of <see cref="AppendAsync"/> sees every writer.
/// The journal keeps every version in memory as well: it suits one app's renewals, not an unbounded archive.
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

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<RenewalId, List<RenewalRecord>> _renewals = [];
    private long _validLength;

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

        Directory = System.IO.Directory.CreateDirectory(directory).FullName;
        FilePath = Path.Combine(Directory, FileName);
        LockTimeout = lockTimeout ?? TimeSpan.FromSeconds(30);
    }

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
            var current = _renewals.TryGetValue(record.Id, out var history) ? history[^1].Version : 0;
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
            _validLength += line.Length;
            if (history is null)
            {
                _renewals[record.Id] = history = [];
            }

            history.Add(record);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<RenewalRecord?> GetAsync(RenewalId id, CancellationToken cancellationToken = default) =>
        WithFileAsync(_ => _renewals.TryGetValue(id, out var history) ? history[^1] : null, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<RenewalRecord> GetHistoryAsync(RenewalId id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var history = await WithFileAsync(_ => _renewals.TryGetValue(id, out var h) ? h.ToArray() : [], cancellationToken).ConfigureAwait(false);
        foreach (var record in history)
        {
            yield return record;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RenewalRecord> ListUnfinishedAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var unfinished = await WithFileAsync(_ => _renewals.Values.Select(h => h[^1]).Where(r => !r.IsFinal).ToArray(), cancellationToken).ConfigureAwait(false);
        foreach (var record in unfinished)
        {
            yield return record;
        }
    }

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
                return new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
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

    /// <summary>Reads the records appended since the last look (by this or another process).</summary>
    private void CatchUp(FileStream file)
    {
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
            var error = TryDecode(rest[..newline], out var record);
            var isLast = position + newline + 1 == buffer.Length;
            if (error is not null)
            {
                if (isLast)
                {
                    return; // A corrupt last record is a torn write too.
                }

                throw new RenewalJournalCorruptedException(FilePath, offset, error);
            }

            var current = _renewals.TryGetValue(record!.Id, out var history) ? history[^1].Version : 0;
            if (record.Version != current + 1)
            {
                throw new RenewalJournalCorruptedException(FilePath, offset, $"version {record.Version} follows version {current}");
            }

            if (history is null)
            {
                _renewals[record.Id] = history = [];
            }

            history.Add(record);
            position += newline + 1;
            _validLength += newline + 1;
        }
    }

    private static string? TryDecode(ReadOnlySpan<byte> line, out RenewalRecord? record)
    {
        record = null;
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
