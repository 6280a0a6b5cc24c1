using System.Buffers.Binary;
using System.Text;
using DprCluster.Abstractions;

namespace DprCluster.Grains.Shard.Storage;

/// <summary>What a log record does.</summary>
public enum WalEntryKind : byte
{
    /// <summary>Insert or replace a passage and its vector.</summary>
    Upsert = 1,

    /// <summary>Delete a passage.</summary>
    Delete = 2,
}

/// <summary>
/// One record of the write-ahead log. It carries the vector, so replay never needs an encoder. Payload layout
/// (little-endian): lsn:i64, kind:u8, then for upserts id, title, text (u32 length + UTF-8 each), metadata count:u16
/// and pairs, dimensions:u32 and the floats; for deletes the id.
/// </summary>
public readonly record struct WalEntry(long Lsn, WalEntryKind Kind, EncodedPassage? Upsert, string? DeletedId)
{
    /// <summary>The id the entry is about.</summary>
    public string Id => Upsert?.Passage.Id ?? DeletedId!;

    /// <summary>Bytes of the serialised payload.</summary>
    public int PayloadLength
    {
        get
        {
            int length = 8 + 1;
            if (Kind == WalEntryKind.Delete)
            {
                return length + StringLength(DeletedId!);
            }
            Passage p = Upsert!.Passage;
            length += StringLength(p.Id) + StringLength(p.Title) + StringLength(p.Text) + 2;
            if (p.Metadata is not null)
            {
                foreach (KeyValuePair<string, string> pair in p.Metadata)
                {
                    length += StringLength(pair.Key) + StringLength(pair.Value);
                }
            }
            return length + 4 + Upsert.Vector.Length * sizeof(float);
        }
    }

    /// <summary>Writes the payload into <paramref name="destination"/> (exactly <see cref="PayloadLength"/> bytes).</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, Lsn);
        destination[8] = (byte)Kind;
        int at = 9;
        if (Kind == WalEntryKind.Delete)
        {
            WriteString(destination, ref at, DeletedId!);
            return;
        }
        Passage p = Upsert!.Passage;
        WriteString(destination, ref at, p.Id);
        WriteString(destination, ref at, p.Title);
        WriteString(destination, ref at, p.Text);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], (ushort)(p.Metadata?.Count ?? 0));
        at += 2;
        if (p.Metadata is not null)
        {
            foreach (KeyValuePair<string, string> pair in p.Metadata)
            {
                WriteString(destination, ref at, pair.Key);
                WriteString(destination, ref at, pair.Value);
            }
        }
        float[] vector = Upsert.Vector;
        BinaryPrimitives.WriteInt32LittleEndian(destination[at..], vector.Length);
        at += 4;
        for (int i = 0; i < vector.Length; i++, at += 4)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[at..], vector[i]);
        }
    }

    /// <summary>Parses a payload; throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static WalEntry Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 9)
        {
            throw new InvalidDataException("log record shorter than its header");
        }
        long lsn = BinaryPrimitives.ReadInt64LittleEndian(payload);
        var kind = (WalEntryKind)payload[8];
        int at = 9;
        switch (kind)
        {
            case WalEntryKind.Delete:
                return new WalEntry(lsn, kind, null, ReadString(payload, ref at));
            case WalEntryKind.Upsert:
                string id = ReadString(payload, ref at);
                string title = ReadString(payload, ref at);
                string text = ReadString(payload, ref at);
                int pairs = BinaryPrimitives.ReadUInt16LittleEndian(Take(payload, ref at, 2));
                Dictionary<string, string>? metadata = pairs == 0 ? null : new Dictionary<string, string>(pairs);
                for (int i = 0; i < pairs; i++)
                {
                    string key = ReadString(payload, ref at);
                    metadata![key] = ReadString(payload, ref at);
                }
                int dimensions = BinaryPrimitives.ReadInt32LittleEndian(Take(payload, ref at, 4));
                if (dimensions < 0 || dimensions > (payload.Length - at) / sizeof(float))
                {
                    throw new InvalidDataException($"log record announces {dimensions} dimensions");
                }
                var vector = new float[dimensions];
                ReadOnlySpan<byte> floats = Take(payload, ref at, dimensions * sizeof(float));
                for (int i = 0; i < dimensions; i++)
                {
                    vector[i] = BinaryPrimitives.ReadSingleLittleEndian(floats[(i * 4)..]);
                }
                return new WalEntry(lsn, kind, new EncodedPassage(new Passage(id, title, text, metadata), vector), null);
            default:
                throw new InvalidDataException($"unknown log record kind {(byte)kind}");
        }
    }

    private static int StringLength(string value) => 4 + Encoding.UTF8.GetByteCount(value);

    private static void WriteString(Span<byte> destination, ref int at, string value)
    {
        int written = Encoding.UTF8.GetBytes(value, destination[(at + 4)..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[at..], written);
        at += 4 + written;
    }

    private static string ReadString(ReadOnlySpan<byte> payload, ref int at)
    {
        int length = BinaryPrimitives.ReadInt32LittleEndian(Take(payload, ref at, 4));
        if (length < 0)
        {
            throw new InvalidDataException("negative string length in log record");
        }
        return Encoding.UTF8.GetString(Take(payload, ref at, length));
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> payload, ref int at, int count)
    {
        if (count > payload.Length - at)
        {
            throw new InvalidDataException("log record ends inside a field");
        }
        ReadOnlySpan<byte> slice = payload.Slice(at, count);
        at += count;
        return slice;
    }
}
