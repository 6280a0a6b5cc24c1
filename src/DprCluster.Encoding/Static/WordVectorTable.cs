using System.Buffers.Binary;
using System.Runtime.InteropServices;
using DprCluster.Core.Storage;

namespace DprCluster.Encoders.Static;

/// <summary>
/// Word vectors in frequency-rank order (row i is the i-th most frequent word), stored as half floats to halve memory,
/// with a span-keyed word lookup. Saved in a compact checksummed binary file:
/// "DPRWVEC\0", u32 version, u32 count, u32 dimensions, u32 word-bytes, words (u16 length + UTF-8 each),
/// count x dimensions little-endian halves, u32 CRC-32C of everything before it.
/// </summary>
public sealed class WordVectorTable
{
    private const uint FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "DPRWVEC\0"u8;

    private readonly string[] _words;
    private readonly Half[] _vectors;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Creates a table; <paramref name="vectors"/> holds words.Length x <paramref name="dimensions"/> values.</summary>
    public WordVectorTable(string[] words, Half[] vectors, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        if (vectors.Length != (long)words.Length * dimensions)
        {
            throw new ArgumentException($"{words.Length} words x {dimensions} dimensions need {(long)words.Length * dimensions} values, not {vectors.Length}.");
        }
        _words = words;
        _vectors = vectors;
        Dimensions = dimensions;
        var index = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++)
        {
            index.TryAdd(words[i], i);
        }
        _lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private WordVectorTable(string[] words, Half[] vectors, int dimensions, Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup)
    {
        _words = words;
        _vectors = vectors;
        Dimensions = dimensions;
        _lookup = lookup;
    }

    /// <summary>Number of words.</summary>
    public int Count => _words.Length;

    /// <summary>Length of each vector.</summary>
    public int Dimensions { get; }

    /// <summary>Word at frequency rank <paramref name="rank"/> (0 = most frequent).</summary>
    public string WordAt(int rank) => _words[rank];

    /// <summary>The rank of <paramref name="word"/> (exact, case-sensitive match), or -1.</summary>
    public int RankOf(ReadOnlySpan<char> word) => _lookup.TryGetValue(word, out int rank) ? rank : -1;

    /// <summary>The stored vector of the word at <paramref name="rank"/>.</summary>
    public ReadOnlySpan<Half> VectorAt(int rank) => _vectors.AsSpan(rank * Dimensions, Dimensions);

    /// <summary>
    /// A copy of this table whose rows for the words of <paramref name="rows"/> are replaced by theirs (a trained
    /// tower stores only the rows it changed). Throws <see cref="ArgumentException"/> for a word this table lacks.
    /// </summary>
    public WordVectorTable WithRows(WordVectorTable rows)
    {
        if (rows.Dimensions != Dimensions)
        {
            throw new ArgumentException($"Rows of {rows.Dimensions} dimensions cannot replace rows of {Dimensions}.", nameof(rows));
        }
        var vectors = (Half[])_vectors.Clone();
        for (int i = 0; i < rows.Count; i++)
        {
            int rank = RankOf(rows.WordAt(i));
            if (rank < 0)
            {
                throw new ArgumentException($"The word '{rows.WordAt(i)}' is not in the base table.", nameof(rows));
            }
            rows.VectorAt(i).CopyTo(vectors.AsSpan(rank * Dimensions, Dimensions));
        }
        return new WordVectorTable(_words, vectors, Dimensions, _lookup);
    }

    /// <summary>Writes the table to <paramref name="path"/> atomically (temporary file, flush, rename).</summary>
    public void Save(string path)
    {
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            byte[] words = EncodeWords();
            Span<byte> header = stackalloc byte[24];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], FormatVersion);
            BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)Count);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)Dimensions);
            BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)words.Length);
            ReadOnlySpan<byte> vectors = MemoryMarshal.AsBytes(_vectors.AsSpan());
            uint crc = Crc32C.Append(Crc32C.Append(Crc32C.Append(Crc32C.Seed, header), words), vectors);
            file.Write(header);
            file.Write(words);
            file.Write(vectors);
            Span<byte> trailer = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32C.Finish(crc));
            file.Write(trailer);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Reads a table written by <see cref="Save"/>. Throws <see cref="InvalidDataException"/> naming the file when it
    /// is truncated, of another format or version, or fails its checksum.
    /// </summary>
    public static WordVectorTable Load(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        Span<byte> header = stackalloc byte[24];
        ReadExactly(file, header, path);
        if (!header[..8].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not a DprCluster word-vector file.");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"{path} has word-vector format version {version}; this build reads {FormatVersion}.");
        }
        int count = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(header[12..]));
        int dimensions = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(header[16..]));
        int wordBytes = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(header[20..]));
        long expected = 24L + wordBytes + 2L * count * dimensions + 4;
        if (dimensions <= 0 || file.Length != expected)
        {
            throw new InvalidDataException($"{path} is {file.Length} bytes but its header describes {expected}; the file is truncated or corrupt.");
        }
        byte[] words = new byte[wordBytes];
        ReadExactly(file, words, path);
        var vectors = new Half[checked(count * dimensions)];
        ReadExactly(file, MemoryMarshal.AsBytes(vectors.AsSpan()), path);
        Span<byte> trailer = stackalloc byte[4];
        ReadExactly(file, trailer, path);
        uint crc = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Append(Crc32C.Seed, header), words), MemoryMarshal.AsBytes(vectors.AsSpan())));
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(trailer))
        {
            throw new InvalidDataException($"{path} fails its CRC-32C check; delete it to rebuild it.");
        }
        return new WordVectorTable(DecodeWords(words, count, path), vectors, dimensions);
    }

    private byte[] EncodeWords()
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[2];
        foreach (string word in _words)
        {
            byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(word);
            BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)utf8.Length));
            buffer.Write(length);
            buffer.Write(utf8);
        }
        return buffer.ToArray();
    }

    private static string[] DecodeWords(byte[] bytes, int count, string path)
    {
        var words = new string[count];
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            if (offset + 2 > bytes.Length)
            {
                throw new InvalidDataException($"{path}: word list ends after {i} of {count} words.");
            }
            int length = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset));
            offset += 2;
            if (offset + length > bytes.Length)
            {
                throw new InvalidDataException($"{path}: word {i} runs past the word list.");
            }
            words[i] = System.Text.Encoding.UTF8.GetString(bytes, offset, length);
            offset += length;
        }
        return words;
    }

    private static void ReadExactly(Stream stream, Span<byte> destination, string path)
    {
        try
        {
            stream.ReadExactly(destination);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} is truncated.", e);
        }
    }
}
