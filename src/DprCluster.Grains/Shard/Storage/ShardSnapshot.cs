using System.Buffers.Binary;
using DprCluster.Abstractions;
using DprCluster.Index.Hnsw;
using DprCluster.Text.Bm25;
using DprCluster.Core.Storage;

namespace DprCluster.Grains.Shard.Storage;

/// <summary>The three structures of a shard as of one log position.</summary>
public sealed record ShardContents(long Lsn, PassageStore Passages, HnswIndex Vectors, Bm25Index Postings);

/// <summary>
/// <c>snapshot-&lt;lsn&gt;.bin</c>: a checksummed header and passage section, then the HNSW and BM25 snapshots (each
/// length-prefixed, each with its own checksums), then a checksummed trailer. Written to a temporary file, fsynced,
/// renamed and the directory fsynced, so a crash leaves the previous snapshot intact.
/// </summary>
public static class ShardSnapshot
{
    private static ReadOnlySpan<byte> Magic => "DPRSHRD\0"u8;
    private static ReadOnlySpan<byte> TrailerMagic => "DPREND\0\0"u8;
    private const int FormatVersion = 1;

    private static readonly LsnFileName Names = new("snapshot-", ".bin");

    /// <summary>File name of the snapshot at <paramref name="lsn"/>.</summary>
    public static string FileName(long lsn) => Names.Format(lsn);

    /// <summary>Snapshots in <paramref name="directory"/>, newest first.</summary>
    public static List<(string Path, long Lsn)> List(string directory)
    {
        List<(string Path, long Lsn)> found = Names.List(directory);
        found.Reverse();
        return found;
    }

    /// <summary>
    /// Writes <paramref name="state"/> atomically into <paramref name="directory"/> through <paramref name="device"/>;
    /// returns the file's path. Runs beside the writer: it reads only the frozen view.
    /// </summary>
    public static string Write(IStorageDevice device, string directory, int shardId, ShardContentsView state)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(state);
        string path = Path.Combine(directory, FileName(state.Lsn));
        string temporary = path + ".tmp";
        try
        {
            using (FileStream file = device.CreateSnapshot(temporary))
            {
                var writer = new ChecksummedWriter(file);
                writer.WriteHeader(Magic, FormatVersion);
                writer.WriteInt32(shardId);
                writer.WriteInt64(state.Lsn);
                writer.WriteInt64(state.NextKey);
                List<StoredPassage> passages = state.Passages;
                passages.Sort(static (a, b) => a.Key.CompareTo(b.Key));
                writer.WriteInt32(passages.Count);
                writer.EndSection();
                foreach (StoredPassage stored in passages)
                {
                    writer.WriteInt64(stored.Key);
                    writer.WriteString(stored.Passage.Id);
                    writer.WriteString(stored.Passage.Title);
                    writer.WriteString(stored.Passage.Text);
                    IReadOnlyDictionary<string, string>? metadata = stored.Passage.Metadata;
                    writer.WriteInt32(metadata?.Count ?? 0);
                    if (metadata is not null)
                    {
                        foreach (KeyValuePair<string, string> pair in metadata)
                        {
                            writer.WriteString(pair.Key);
                            writer.WriteString(pair.Value);
                        }
                    }
                }
                writer.EndSection();
                WriteLengthPrefixed(file, state.Vectors.Save);
                WriteLengthPrefixed(file, state.Postings.WriteTo);
                var trailer = new ChecksummedWriter(file);
                trailer.Write(TrailerMagic);
                trailer.WriteInt64(state.Lsn);
                trailer.EndSection();
                file.Flush(flushToDisk: true);
            }
        }
        catch
        {
            // A full disk (or any failure) must not leave a half snapshot taking up the space it ran out of.
            File.Delete(temporary);
            throw;
        }
        File.Move(temporary, path, overwrite: true);
        DirectorySync.Flush(directory);
        return path;
    }

    /// <summary>Reads a snapshot; any damage is an <see cref="IOException"/> naming the file and part.</summary>
    public static ShardContents Read(string path, int expectedShardId, string? originalsDirectory = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var reader = new ChecksummedReader(file, path);
        reader.ExpectHeader(Magic, FormatVersion, "shard snapshot");
        int shardId = reader.ReadInt32("header");
        long lsn = reader.ReadInt64("header");
        long nextKey = reader.ReadInt64("header");
        int count = reader.ReadInt32("header");
        reader.EndSection("header");
        if (shardId != expectedShardId || count < 0 || nextKey < 0)
        {
            throw reader.Invalid($"snapshot of shard {shardId} with {count} passages, expected shard {expectedShardId}");
        }

        var store = new PassageStore(nextKey);
        for (int i = 0; i < count; i++)
        {
            long key = reader.ReadInt64("passages");
            string id = reader.ReadString("passages");
            string title = reader.ReadString("passages");
            string text = reader.ReadString("passages");
            int pairs = reader.ReadInt32("passages");
            if (pairs < 0 || key < 0 || key >= nextKey)
            {
                throw reader.Invalid($"passage '{id}' has key {key} and {pairs} metadata pairs");
            }
            Dictionary<string, string>? metadata = pairs == 0 ? null : new Dictionary<string, string>(pairs);
            for (int p = 0; p < pairs; p++)
            {
                string name = reader.ReadString("passages");
                metadata![name] = reader.ReadString("passages");
            }
            store.Restore(new StoredPassage(key, new Passage(id, title, text, metadata)));
        }
        reader.EndSection("passages");

        HnswIndex vectors = ReadLengthPrefixed(file, path, "vectors", s => HnswIndex.Load(s, path + " (vectors)", originalsDirectory));
        Bm25Index postings = ReadLengthPrefixed(file, path, "postings", s => Bm25Index.ReadFrom(s, path + " (postings)"));
        var trailer = new ChecksummedReader(file, path);
        Span<byte> magic = stackalloc byte[TrailerMagic.Length];
        trailer.Read(magic, "trailer");
        long trailerLsn = trailer.ReadInt64("trailer");
        trailer.EndSection("trailer");
        if (!magic.SequenceEqual(TrailerMagic) || trailerLsn != lsn)
        {
            throw trailer.Invalid("trailer does not match the header");
        }
        if (vectors.Count != store.Count)
        {
            throw reader.Invalid($"{store.Count} passages but {vectors.Count} vectors");
        }
        return new ShardContents(lsn, store, vectors, postings);
    }

    private static void WriteLengthPrefixed(FileStream file, Action<Stream> write)
    {
        long lengthAt = file.Position;
        file.Write(stackalloc byte[8]);
        long start = file.Position;
        write(file);
        long end = file.Position;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, end - start);
        file.Position = lengthAt;
        file.Write(length);
        file.Position = end;
    }

    private static T ReadLengthPrefixed<T>(FileStream file, string path, string part, Func<Stream, T> read)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (file.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
        {
            throw new SnapshotFormatException(SnapshotProblem.Truncated, $"{path}: file ends before the {part} part.");
        }
        long length = BinaryPrimitives.ReadInt64LittleEndian(prefix);
        if (length < 0 || length > file.Length - file.Position)
        {
            throw new SnapshotFormatException(SnapshotProblem.Truncated, $"{path}: the {part} part announces {length} bytes, fewer remain.");
        }
        var slice = new StreamSlice(file, length);
        T value = read(slice);
        slice.SkipRest();
        return value;
    }
}
