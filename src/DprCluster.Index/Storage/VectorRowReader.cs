using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace DprCluster.Index.Storage;

/// <summary>
/// Reads float32 vectors one row at a time, so files larger than memory stream through: <c>.fvecs</c> (each row an
/// int32 dimension, then the values) and NumPy <c>.npy</c> (a 2-D little-endian float32 C-order array, format 1.0–3.0).
/// </summary>
public sealed partial class VectorRowReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _fvecs;
    private readonly byte[] _row;
    private long _read;

    private VectorRowReader(Stream stream, bool fvecs, int dimensions, long? rows)
    {
        _stream = stream;
        _fvecs = fvecs;
        Dimensions = dimensions;
        Rows = rows;
        _row = new byte[dimensions * sizeof(float)];
    }

    /// <summary>Values per vector.</summary>
    public int Dimensions { get; }

    /// <summary>Rows the file declares (<c>.npy</c>), or null (<c>.fvecs</c> has no header).</summary>
    public long? Rows { get; }

    /// <summary>Opens <paramref name="path"/> by its extension; throws <see cref="InvalidDataException"/> for anything else.</summary>
    public static VectorRowReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        try
        {
            if (path.EndsWith(".fvecs", StringComparison.OrdinalIgnoreCase))
            {
                Span<byte> header = stackalloc byte[4];
                if (stream.Read(header) != 4)
                {
                    throw new InvalidDataException($"{path}: empty .fvecs file");
                }
                int dimensions = BinaryPrimitives.ReadInt32LittleEndian(header);
                if (dimensions is < 1 or > 65536 || stream.Length % (4 + 4L * dimensions) != 0)
                {
                    throw new InvalidDataException($"{path}: not an .fvecs file (first row says {dimensions} dimensions, length {stream.Length})");
                }
                stream.Position = 0;
                return new VectorRowReader(stream, true, dimensions, stream.Length / (4 + 4L * dimensions));
            }
            if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            {
                (int dimensions, long rows) = ReadNpyHeader(stream, path);
                return new VectorRowReader(stream, false, dimensions, rows);
            }
            throw new InvalidDataException($"{path}: vectors must be .fvecs or .npy (float32)");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The next vector, or null at the end of the file.</summary>
    public float[]? Next()
    {
        if (_fvecs)
        {
            Span<byte> header = stackalloc byte[4];
            int got = _stream.ReadAtLeast(header, 4, throwOnEndOfStream: false);
            if (got == 0)
            {
                return null;
            }
            if (got < 4 || BinaryPrimitives.ReadInt32LittleEndian(header) != Dimensions)
            {
                throw new InvalidDataException($"row {_read}: its dimension differs from the first row's {Dimensions}");
            }
        }
        else if (_read == Rows)
        {
            return null;
        }
        if (_stream.ReadAtLeast(_row, _row.Length, throwOnEndOfStream: false) < _row.Length)
        {
            throw new InvalidDataException($"the file ends inside row {_read}");
        }
        var vector = new float[Dimensions];
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = BinaryPrimitives.ReadSingleLittleEndian(_row.AsSpan(4 * i));
        }
        _read++;
        return vector;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private static (int Dimensions, long Rows) ReadNpyHeader(Stream stream, string path)
    {
        Span<byte> start = stackalloc byte[8];
        if (stream.Read(start) != 8 || start[0] != 0x93 || !start[1..6].SequenceEqual("NUMPY"u8))
        {
            throw new InvalidDataException($"{path}: not a .npy file");
        }
        int headerLength;
        if (start[6] == 1)
        {
            Span<byte> length = stackalloc byte[2];
            stream.ReadExactly(length);
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(length);
        }
        else
        {
            Span<byte> length = stackalloc byte[4];
            stream.ReadExactly(length);
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(length));
        }
        byte[] header = new byte[headerLength];
        stream.ReadExactly(header);
        string dictionary = Encoding.Latin1.GetString(header);
        Match descr = Descr().Match(dictionary);
        Match shape = Shape().Match(dictionary);
        if (!descr.Success || descr.Groups[1].Value is not ("<f4" or "float32") || dictionary.Contains("'fortran_order': True", StringComparison.Ordinal)
            || !shape.Success)
        {
            throw new InvalidDataException($"{path}: needs a 2-D little-endian float32 C-order array; header {dictionary.Trim()}");
        }
        long rows = long.Parse(shape.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        int dimensions = int.Parse(shape.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        return (dimensions, rows);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'shape':\s*\((\d+),\s*(\d+)\)")]
    private static partial Regex Shape();
}
