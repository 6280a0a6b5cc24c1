using System.Runtime.InteropServices;

namespace DprCluster.Core.Storage;

/// <summary>
/// fsync of a directory, so that a file created or renamed in it survives power loss (POSIX keeps the name in the
/// directory's own data). .NET has no API for it; on Linux we call libc, elsewhere it is a no-op.
/// </summary>
public static partial class DirectorySync
{
    /// <summary>Flushes <paramref name="directory"/>'s entries to disk; best effort where the platform cannot.</summary>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return;
        }
        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
