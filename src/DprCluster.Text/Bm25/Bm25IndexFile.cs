using System.Buffers.Binary;
using System.Text;
using DprCluster.Text.Analysis;
using DprCluster.Core.Storage;

namespace DprCluster.Text.Bm25;

/// <summary>
/// The BM25 index file format, version 1. A 32-byte header — magic <c>DPRCBM25</c>, version (u32), reserved (u32),
/// payload length (u64), payload CRC32C (u32), CRC32C of the preceding 28 header bytes (u32), little-endian — then
/// the payload: analyzer signature, k1 and b (f32), length encoding (byte), the live passages (id, length) numbered
/// densely, and every term with its postings as (document-number delta, frequency) varint pairs. Strings are a varint
/// byte count followed by UTF-8. Deleted passages are not written, so saving also compacts.
/// </summary>
internal static class Bm25IndexFile
{
    public const int Version = 1;
    private const int HeaderLength = 32;
    private static ReadOnlySpan<byte> Magic => "DPRCBM25"u8;

    public static void Write(Stream stream, EnglishAnalyzerOptions analyzer, Bm25Parameters parameters, InvertedIndexView index)
    {
        var payload = new PayloadWriter();
        payload.WriteString(analyzer.Signature);
        payload.WriteSingle(parameters.K1);
        payload.WriteSingle(parameters.B);
        payload.WriteByte((byte)parameters.LengthEncoding);

        var newNumbers = new int[index.DocumentSlots];
        int live = 0;
        for (int d = 0; d < index.DocumentSlots; d++)
        {
            newNumbers[d] = index.IsDeleted(d) ? -1 : live++;
        }
        payload.WriteVarint((ulong)live);
        for (int d = 0; d < index.DocumentSlots; d++)
        {
            if (newNumbers[d] >= 0)
            {
                payload.WriteString(index.DocumentIds[d]!);
                payload.WriteVarint((ulong)index.Length(d));
            }
        }

        int liveTerms = 0;
        for (int t = 0; t < index.TermCount; t++)
        {
            liveTerms += index.PostingsOf(t).LiveDocumentFrequency > 0 ? 1 : 0;
        }
        payload.WriteVarint((ulong)liveTerms);
        for (int t = 0; t < index.TermCount; t++)
        {
            InvertedIndexView.Term postings = index.PostingsOf(t);
            if (postings.LiveDocumentFrequency == 0)
            {
                continue;
            }
            payload.WriteString(index.TermName(t));
            payload.WriteVarint((ulong)postings.LiveDocumentFrequency);
            int previous = -1;
            for (int i = 0; i < postings.Count; i++)
            {
                int document = newNumbers[postings.Documents[i]];
                if (document >= 0)
                {
                    payload.WriteVarint((ulong)(document - previous));
                    payload.WriteVarint((ulong)postings.Frequencies[i]);
                    previous = document;
                }
            }
        }

        ReadOnlySpan<byte> body = payload.WrittenSpan;
        Span<byte> header = stackalloc byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], (ulong)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], Crc32C.Compute(body));
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], Crc32C.Compute(header[..28]));
        stream.Write(header);
        stream.Write(body);
    }

    public static Bm25Index Read(Stream stream, string source)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        int headerRead = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        if (headerRead >= Magic.Length && !header[..Magic.Length].SequenceEqual(Magic))
        {
            throw Fail(Bm25IndexProblem.BadMagic, source, "not a BM25 index file (wrong magic number)");
        }
        if (headerRead < HeaderLength)
        {
            throw Fail(Bm25IndexProblem.Truncated, source, $"file ends inside the header ({headerRead} of {HeaderLength} bytes)");
        }
        uint headerCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[28..]);
        if (Crc32C.Compute(header[..28]) != headerCrc)
        {
            throw Fail(Bm25IndexProblem.ChecksumMismatch, source, "header checksum mismatch");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != Version)
        {
            throw Fail(Bm25IndexProblem.UnsupportedVersion, source,
                $"format version {version} is not supported (this build reads version {Version})");
        }
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        if (length > (ulong)Array.MaxLength)
        {
            throw Fail(Bm25IndexProblem.InvalidContent, source, $"payload length {length} is impossible");
        }
        var body = new byte[length];
        int bodyRead = stream.ReadAtLeast(body, body.Length, throwOnEndOfStream: false);
        if (bodyRead < body.Length)
        {
            throw Fail(Bm25IndexProblem.Truncated, source, $"file ends inside the payload ({bodyRead} of {body.Length} bytes)");
        }
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(header[24..]))
        {
            throw Fail(Bm25IndexProblem.ChecksumMismatch, source, "payload checksum mismatch");
        }
        try
        {
            return Decode(body);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException)
        {
            throw Fail(Bm25IndexProblem.InvalidContent, source, e.Message, e);
        }
    }

    private static Bm25Index Decode(byte[] body)
    {
        var reader = new PayloadReader(body);
        EnglishAnalyzerOptions analyzer = EnglishAnalyzerOptions.FromSignature(reader.ReadString());
        float k1 = reader.ReadSingle();
        float b = reader.ReadSingle();
        byte encoding = reader.ReadByte();
        if (!Enum.IsDefined((DocumentLengthEncoding)encoding))
        {
            throw new InvalidDataException($"unknown length encoding {encoding}");
        }
        var parameters = new Bm25Parameters { K1 = k1, B = b, LengthEncoding = (DocumentLengthEncoding)encoding };

        int documentCount = reader.ReadCount();
        if (documentCount > body.Length)
        {
            throw new InvalidDataException($"document count {documentCount} exceeds the payload size");
        }
        var ids = new string[documentCount];
        var lengths = new int[documentCount];
        for (int d = 0; d < documentCount; d++)
        {
            ids[d] = reader.ReadString();
            lengths[d] = reader.ReadCount();
        }

        int termCount = reader.ReadCount();
        if (termCount > body.Length)
        {
            throw new InvalidDataException($"term count {termCount} exceeds the payload size");
        }
        var terms = new List<RestoredTerm>(termCount);
        for (int t = 0; t < termCount; t++)
        {
            string text = reader.ReadString();
            int postingCount = reader.ReadCount();
            if (postingCount > documentCount)
            {
                throw new InvalidDataException($"term '{text}' has more postings than there are documents");
            }
            var documents = new int[postingCount];
            var frequencies = new int[postingCount];
            long document = -1;
            for (int i = 0; i < postingCount; i++)
            {
                document += reader.ReadCount();
                documents[i] = document < documentCount ? (int)document : throw new InvalidDataException(
                    $"posting of '{text}' points past the last document");
                frequencies[i] = reader.ReadCount();
            }
            terms.Add(new RestoredTerm(text, documents, frequencies));
        }
        if (!reader.AtEnd)
        {
            throw new InvalidDataException("unexpected bytes after the last term");
        }
        InvertedIndex index = InvertedIndex.Restore(parameters.LengthEncoding, ids, lengths, terms);
        return new Bm25Index(new EnglishAnalyzer(analyzer), parameters, index);
    }

    private static Bm25IndexFormatException Fail(Bm25IndexProblem problem, string source, string what, Exception? inner = null) =>
        new(problem, $"{source}: {what}.", inner);

    private sealed class PayloadWriter
    {
        private byte[] _buffer = new byte[1 << 16];
        private int _length;

        public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

        public void WriteByte(byte value)
        {
            Reserve(1)[0] = value;
            _length++;
        }

        public void WriteSingle(float value)
        {
            BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);
            _length += 4;
        }

        public void WriteVarint(ulong value)
        {
            Span<byte> target = Reserve(10);
            int i = 0;
            while (value >= 0x80)
            {
                target[i++] = (byte)(value | 0x80);
                value >>= 7;
            }
            target[i++] = (byte)value;
            _length += i;
        }

        public void WriteString(string value)
        {
            int byteCount = Encoding.UTF8.GetByteCount(value);
            WriteVarint((ulong)byteCount);
            _length += Encoding.UTF8.GetBytes(value, Reserve(byteCount));
        }

        private Span<byte> Reserve(int count)
        {
            if (_buffer.Length - _length < count)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
            }
            return _buffer.AsSpan(_length);
        }
    }

    private ref struct PayloadReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;

        public byte ReadByte() =>
            _position < _data.Length ? _data[_position++] : throw new InvalidDataException($"payload ends early at offset {_position}");

        public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

        // A non-negative count or length that fits an int.
        public int ReadCount()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = ReadByte();
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value <= int.MaxValue ? (int)value : throw new InvalidDataException($"count {value} is too large");
                }
            }
            throw new InvalidDataException("malformed varint");
        }

        public string ReadString() => Encoding.UTF8.GetString(Take(ReadCount()));

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > _data.Length - _position)
            {
                throw new InvalidDataException($"payload ends early (needs {count} bytes at offset {_position})");
            }
            ReadOnlySpan<byte> slice = _data.Slice(_position, count);
            _position += count;
            return slice;
        }
    }
}
