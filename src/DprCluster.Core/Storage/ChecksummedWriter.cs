using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace DprCluster.Core.Storage;

/// <summary>
/// Writes a file as a sequence of sections, each followed by the CRC32C of its bytes, so a reader can say which
/// section is damaged. Little-endian throughout.
/// </summary>
public sealed class ChecksummedWriter(Stream stream)
{
    private uint _crc = Crc32C.Seed;

    /// <summary>Bytes written so far, checksums included.</summary>
    public long Position { get; private set; }

    /// <summary>Writes raw bytes into the current section.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        stream.Write(bytes);
        _crc = Crc32C.Append(_crc, bytes);
        Position += bytes.Length;
    }

    /// <summary>Writes unmanaged values (ints, floats, longs) into the current section.</summary>
    public void Write<T>(ReadOnlySpan<T> values) where T : unmanaged => Write(MemoryMarshal.AsBytes(values));

    /// <summary>Writes one little-endian int32.</summary>
    public void WriteInt32(int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
        Write(buffer);
    }

    /// <summary>Writes one little-endian int64.</summary>
    public void WriteInt64(long value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
        Write(buffer);
    }

    /// <summary>Opens a file: its magic number and format version, read back by <see cref="ChecksummedReader.ExpectHeader(ReadOnlySpan{byte}, int, string)"/>.</summary>
    public void WriteHeader(ReadOnlySpan<byte> magic, int version)
    {
        Write(magic);
        WriteInt32(version);
    }

    /// <summary>Writes a string as its UTF-8 byte count (int32) and bytes.</summary>
    public void WriteString(string value)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(value);
        WriteInt32(bytes.Length);
        Write(bytes);
    }

    /// <summary>Closes the current section by writing its checksum; the next write starts a new one.</summary>
    public void EndSection()
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, Crc32C.Finish(_crc));
        stream.Write(buffer);
        Position += 4;
        _crc = Crc32C.Seed;
    }
}
