using System.Runtime.InteropServices;

namespace DataRenew.Sdk.Renewal;

/// <summary>
/// Makes a directory's entries durable (a rename, a new file): <c>fsync</c> on the directory, which .NET cannot open
/// itself. Without it a power cut may undo a rename whose file contents were already on disk.
/// </summary>
internal static partial class DirectoryEntries
{
    /// <summary>Flushes the directory's entries to disk; on Windows a no-op (NTFS journals its metadata; see README).</summary>
    /// <exception cref="IOException">The directory could not be flushed.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, flags: 0); // O_RDONLY: enough to fsync a directory
        if (fd < 0)
        {
            throw new IOException($"The directory could not be opened to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"The directory could not be flushed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
