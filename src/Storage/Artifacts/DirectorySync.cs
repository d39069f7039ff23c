using System.Runtime.InteropServices;

namespace FedDistill.Storage.Artifacts;

/// <summary>
/// Flushes a directory's entries to disk (POSIX <c>fsync</c> on the directory), which makes a
/// rename inside it durable. .NET has no API for it: a <see cref="FileStream"/> cannot open a directory.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY on Linux and macOS

    /// <summary>Flushes <paramref name="directory"/>; a no-op on Windows, where NTFS journals renames.</summary>
    /// <exception cref="IOException">The directory could not be opened or flushed.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var descriptor = Open(directory, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            if (FileSync(descriptor) != 0)
            {
                throw new IOException($"Could not flush directory {directory} to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FileSync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
