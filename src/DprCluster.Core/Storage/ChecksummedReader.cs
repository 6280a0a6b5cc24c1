using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace DprCluster.Core.Storage;

/// <summary>
/// Reads what <see cref="ChecksummedWriter"/> wrote, verifying each section's CRC32C. Every failure is a
/// <see cref="SnapshotFormatException"/> naming <paramref name="source"/>, the section and the byte offset.
/// </summary>
public sealed class ChecksummedReader(Stream stream, string source)
{
    private uint _crc = Crc32C.Seed;

    /// <summary>Name of the file (or other source) in error messages.</summary>
    public string Source { get; } = source;

    /// <summary>Bytes consumed so far.</summary>
    public long Position { get; private set; }

    /// <summary>Fills <paramref name="bytes"/> from the current section.</summary>
    public void Read(Span<byte> bytes, string section)
    {
        ReadRaw(bytes, section);
        _crc = Crc32C.Append(_crc, bytes);
    }

    /// <summary>Fills <paramref name="values"/> from the current section.</summary>
    public void Read<T>(Span<T> values, string section) where T : unmanaged => Read(MemoryMarshal.AsBytes(values), section);

    /// <summary>Reads one little-endian int32.</summary>
    public int ReadInt32(string section)
    {
        Span<byte> buffer = stackalloc byte[4];
        Read(buffer, section);
        return BinaryPrimitives.ReadInt32LittleEndian(buffer);
    }

    /// <summary>Reads one little-endian int64.</summary>
    public long ReadInt64(string section)
    {
        Span<byte> buffer = stackalloc byte[8];
        Read(buffer, section);
        return BinaryPrimitives.ReadInt64LittleEndian(buffer);
    }

    /// <summary>Reads a string written by <see cref="ChecksummedWriter.WriteString"/>; at most <paramref name="maxBytes"/> long.</summary>
    public string ReadString(string section, int maxBytes = 64 << 20)
    {
        int length = ReadInt32(section);
        if (length < 0 || length > maxBytes)
        {
            throw Invalid($"string length {length} in section '{section}'");
        }
        byte[] bytes = length <= 256 ? new byte[length] : System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Read(bytes.AsSpan(0, length), section);
            return System.Text.Encoding.UTF8.GetString(bytes, 0, length);
        }
        finally
        {
            if (length > 256)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    /// <summary>
    /// Reads what <see cref="ChecksummedWriter.WriteHeader"/> wrote and checks it: a foreign file is
    /// <see cref="SnapshotProblem.BadMagic"/>, another format version <see cref="SnapshotProblem.UnsupportedVersion"/>.
    /// </summary>
    /// <param name="magic">The 8 bytes that open this kind of file.</param>
    /// <param name="version">The only format version this build reads.</param>
    /// <param name="kind">What the file is, for messages ("HNSW snapshot").</param>
    public void ExpectHeader(ReadOnlySpan<byte> magic, int version, string kind) => ExpectHeader(magic, version, version, kind);

    /// <summary>Reads and checks the magic number, then a format version in [<paramref name="oldest"/>, <paramref name="newest"/>]; returns it.</summary>
    public int ExpectHeader(ReadOnlySpan<byte> magic, int oldest, int newest, string kind)
    {
        Span<byte> stored = stackalloc byte[magic.Length];
        Read(stored, "header");
        if (!stored.SequenceEqual(magic))
        {
            throw Fail(SnapshotProblem.BadMagic, $"not an {kind} (bad magic number)");
        }
        int storedVersion = ReadInt32("header");
        if (storedVersion < oldest || storedVersion > newest)
        {
            string supported = oldest == newest ? $"{newest}" : $"{oldest} to {newest}";
            throw Fail(SnapshotProblem.UnsupportedVersion, $"{kind} format version {storedVersion}; this build reads {supported}");
        }
        return storedVersion;
    }

    /// <summary>Reads the stored checksum of the section just read and compares it with the bytes.</summary>
    public void EndSection(string section)
    {
        Span<byte> buffer = stackalloc byte[4];
        long offset = Position;
        ReadRaw(buffer, section);
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        uint actual = Crc32C.Finish(_crc);
        _crc = Crc32C.Seed;
        if (stored != actual)
        {
            throw Fail(SnapshotProblem.ChecksumMismatch,
                $"checksum mismatch in section '{section}' (stored 0x{stored:x8}, computed 0x{actual:x8}, checksum at offset {offset})");
        }
    }

    /// <summary>An exception for content that checksums but makes no sense.</summary>
    public SnapshotFormatException Invalid(string what) => Fail(SnapshotProblem.InvalidContent, what);

    /// <summary>An exception of the given kind naming the source and current offset.</summary>
    public SnapshotFormatException Fail(SnapshotProblem problem, string what, Exception? inner = null) =>
        new(problem, $"{Source}: {what} (at byte {Position}).", inner);

    private void ReadRaw(Span<byte> bytes, string section)
    {
        int total = 0;
        while (total < bytes.Length)
        {
            int read = stream.Read(bytes[total..]);
            if (read == 0)
            {
                Position += total;
                throw Fail(SnapshotProblem.Truncated, $"file ends inside section '{section}'");
            }
            total += read;
        }
        Position += total;
    }
}
