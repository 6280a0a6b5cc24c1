using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace DprCluster.Index.Storage;

/// <summary>
/// A dense row-major matrix read from or written to the formats ANN benchmarks use: <c>.fvecs</c> / <c>.ivecs</c> /
/// <c>.bvecs</c> (each row: int32 dimension, then the values) and IDX (<c>idx3-ubyte</c>, optionally gzipped, as
/// MNIST ships). Integer and byte values are widened to float or kept as int.
/// </summary>
/// <param name="Rows">Number of vectors.</param>
/// <param name="Dimensions">Values per vector.</param>
/// <param name="Data">Rows × Dimensions values.</param>
public sealed record VectorFile<T>(int Rows, int Dimensions, T[] Data) where T : unmanaged
{
    /// <summary>Row <paramref name="row"/> as a span.</summary>
    public ReadOnlySpan<T> Row(int row) => Data.AsSpan(row * Dimensions, Dimensions);
}

/// <summary>Readers and writers for <see cref="VectorFile{T}"/>.</summary>
public static class VectorFiles
{
    /// <summary>
    /// Reads float vectors from <c>.fvecs</c>, <c>.bvecs</c> or IDX (<c>-ubyte</c>, <c>.gz</c> allowed), chosen by the
    /// file name. At most <paramref name="maxRows"/> rows are read when it is given.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not in the format its name says, or is truncated.</exception>
    public static VectorFile<float> ReadFloats(string path, int maxRows = int.MaxValue)
    {
        string name = Path.GetFileName(path);
        if (name.EndsWith(".fvecs", StringComparison.OrdinalIgnoreCase))
        {
            return ReadVecs<float>(path, maxRows);
        }
        if (name.EndsWith(".bvecs", StringComparison.OrdinalIgnoreCase))
        {
            VectorFile<byte> bytes = ReadVecs<byte>(path, maxRows);
            return new VectorFile<float>(bytes.Rows, bytes.Dimensions, Widen(bytes.Data));
        }
        if (name.Contains("idx3-ubyte", StringComparison.OrdinalIgnoreCase))
        {
            return ReadIdx(path, maxRows);
        }
        throw new InvalidDataException($"{path}: unknown vector file type (expected .fvecs, .bvecs or an idx3-ubyte[.gz] file).");
    }

    /// <summary>Reads integer rows (ground-truth neighbour ids) from an <c>.ivecs</c> file.</summary>
    public static VectorFile<int> ReadInts(string path, int maxRows = int.MaxValue) => ReadVecs<int>(path, maxRows);

    /// <summary>Writes rows as <c>.fvecs</c> (or <c>.ivecs</c> for <see cref="int"/>).</summary>
    public static void Write<T>(Stream stream, int dimensions, ReadOnlySpan<T> data) where T : unmanaged
    {
        if (dimensions <= 0 || data.Length % dimensions != 0)
        {
            throw new ArgumentException($"{data.Length} values do not form rows of {dimensions}.", nameof(data));
        }
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, dimensions);
        for (int offset = 0; offset < data.Length; offset += dimensions)
        {
            stream.Write(header);
            stream.Write(MemoryMarshal.AsBytes(data.Slice(offset, dimensions)));
        }
    }

    private static VectorFile<T> ReadVecs<T>(string path, int maxRows) where T : unmanaged
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 20);
        long length = stream.Length;
        Span<byte> header = stackalloc byte[4];
        if (length < 4)
        {
            throw new InvalidDataException($"{path}: empty or truncated vector file.");
        }
        stream.ReadExactly(header);
        int dimensions = BinaryPrimitives.ReadInt32LittleEndian(header);
        int elementSize = Marshal.SizeOf<T>();
        long rowBytes = 4 + (long)dimensions * elementSize;
        if (dimensions <= 0 || length % rowBytes != 0)
        {
            throw new InvalidDataException($"{path}: dimension {dimensions} does not divide the file length {length}.");
        }
        int rows = (int)Math.Min(length / rowBytes, maxRows);
        var data = new T[(long)rows * dimensions];
        for (int row = 0; row < rows; row++)
        {
            if (row > 0)
            {
                stream.ReadExactly(header);
                if (BinaryPrimitives.ReadInt32LittleEndian(header) != dimensions)
                {
                    throw new InvalidDataException($"{path}: row {row} has dimension {BinaryPrimitives.ReadInt32LittleEndian(header)}, expected {dimensions}.");
                }
            }
            stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan(row * dimensions, dimensions)));
        }
        return new VectorFile<T>(rows, dimensions, data);
    }

    private static VectorFile<float> ReadIdx(string path, int maxRows)
    {
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionMode.Decompress)
            : file;
        Span<byte> header = stackalloc byte[16];
        ReadOrThrow(stream, header, path);
        // IDX magic: two zero bytes, the element type (0x08 = unsigned byte), the number of dimensions (3 for images).
        if (header[0] != 0 || header[1] != 0 || header[2] != 0x08 || header[3] != 3)
        {
            throw new InvalidDataException($"{path}: not an idx3-ubyte file (magic {Convert.ToHexString(header[..4])}).");
        }
        int rows = Math.Min(BinaryPrimitives.ReadInt32BigEndian(header[4..]), maxRows);
        int dimensions = BinaryPrimitives.ReadInt32BigEndian(header[8..]) * BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        var bytes = new byte[(long)rows * dimensions];
        ReadOrThrow(stream, bytes, path);
        return new VectorFile<float>(rows, dimensions, Widen(bytes));
    }

    private static void ReadOrThrow(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: truncated.", e);
        }
    }

    private static float[] Widen(byte[] bytes)
    {
        var floats = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            floats[i] = bytes[i];
        }
        return floats;
    }
}
