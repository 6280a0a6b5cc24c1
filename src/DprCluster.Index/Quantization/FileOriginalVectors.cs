using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DprCluster.Index.Quantization;

/// <summary>
/// Full-precision vectors in a scratch file, slot i at byte i·4·d, read and written with positional I/O
/// (pread/pwrite): re-ranking reads a few dozen vectors a query, which the kernel's page cache serves, and none of
/// it counts against the process's RAM. The file is unlinked as soon as it is opened, so it vanishes with the
/// process or the graph generation and never needs cleaning up; durability comes from the snapshot and the log.
/// </summary>
internal sealed class FileOriginalVectors : OriginalVectors
{
    private readonly SafeFileHandle _file;
    private readonly int _vectorBytes;

    private FileOriginalVectors(SafeFileHandle file, int dimensions) : base(dimensions)
    {
        _file = file;
        _vectorBytes = dimensions * sizeof(float);
    }

    public override long MemoryBytes => 0;

    public override string Medium => "disk";

    /// <summary>Creates and unlinks a new file in <paramref name="directory"/> (created when missing).</summary>
    public static FileOriginalVectors CreateScratch(string directory, int dimensions)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"originals-{Guid.NewGuid():N}.f32");
        SafeFileHandle file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.RandomAccess);
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Some file systems refuse to unlink an open file; it then stays until the directory is cleaned.
        }
        return new FileOriginalVectors(file, dimensions);
    }

    public override void Write(int slot, ReadOnlySpan<float> vector) =>
        RandomAccess.Write(_file, MemoryMarshal.AsBytes(vector[..Dimensions]), (long)slot * _vectorBytes);

    public override void Read(int slot, Span<float> destination) => ReadExactly(MemoryMarshal.AsBytes(destination[..Dimensions]), (long)slot * _vectorBytes);

    public override void ReadRange(int firstSlot, Span<float> destination) =>
        ReadExactly(MemoryMarshal.AsBytes(destination[..(destination.Length / Dimensions * Dimensions)]), (long)firstSlot * _vectorBytes);

    private void ReadExactly(Span<byte> destination, long offset)
    {
        while (destination.Length > 0)
        {
            int read = RandomAccess.Read(_file, destination, offset);
            if (read == 0)
            {
                throw new IOException($"The original-vector file ends at byte {offset}; a slot was read before it was written.");
            }
            destination = destination[read..];
            offset += read;
        }
    }
}
