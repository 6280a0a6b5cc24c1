using System.Buffers.Binary;
using DprCluster.Abstractions;
using DprCluster.Index.Hnsw;
using DprCluster.Index.Vectors;
using DprCluster.Text.Bm25;
using DprCluster.Core.Storage;

namespace DprCluster.Grains.Shard.Storage;

/// <summary>The three structures of a shard as of one log position.</summary>
public sealed record ShardContents(long Lsn, PassageStore Passages, BufferedHnswIndex Vectors, Bm25Index Postings);

/// <summary>
/// <c>snapshot-&lt;lsn&gt;.bin</c>: a checksummed header and passage section, then the HNSW and BM25 snapshots (each
/// length-prefixed, each with its own checksums), then (from version 2) the checksummed writes still waiting for the
/// graph, then a checksummed trailer. Written to a temporary file, fsynced,
/// renamed and the directory fsynced, so a crash leaves the previous snapshot intact.
/// </summary>
public static class ShardSnapshot
{
    private static ReadOnlySpan<byte> Magic => "DPRSHRD\0"u8;
    private static ReadOnlySpan<byte> TrailerMagic => "DPREND\0\0"u8;
    private const int FormatVersion = 2;

    /// <summary>Version 1 had no buffered writes: every vector was in the graph.</summary>
    private const int OldestVersion = 1;

    /// <summary>Waiting writes per checksummed section, so one section stays far below 2 GiB.</summary>
    private const int WritesPerSection = 4096;

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
                // Without waiting writes the file is what version 1 was, which builds before buffered indexing read (a rolling upgrade's repairs).
                bool buffered = state.Vectors.UnindexedCount > 0;
                writer.WriteHeader(Magic, buffered ? FormatVersion : OldestVersion);
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
                WriteLengthPrefixed(file, state.Vectors.Graph.Save);
                WriteLengthPrefixed(file, state.Postings.WriteTo);
                if (buffered)
                {
                    WriteUnindexed(file, state.Vectors);
                }
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
    /// <param name="path">The snapshot file.</param>
    /// <param name="expectedShardId">The shard it must belong to.</param>
    /// <param name="indexing">How the restored index buffers writes; the snapshot's waiting writes go back into its buffer.</param>
    /// <param name="originalsDirectory">Under SQ8, where the full-precision vectors' scratch file goes (RAM when null).</param>
    public static ShardContents Read(string path, int expectedShardId, BufferedIndexingOptions indexing, string? originalsDirectory = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var reader = new ChecksummedReader(file, path);
        int version = reader.ExpectHeader(Magic, OldestVersion, FormatVersion, "shard snapshot");
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

        HnswIndex graph = ReadLengthPrefixed(file, path, "vectors", s => HnswIndex.Load(s, path + " (vectors)", originalsDirectory));
        Bm25Index postings = ReadLengthPrefixed(file, path, "postings", s => Bm25Index.ReadFrom(s, path + " (postings)"));
        var vectors = new BufferedHnswIndex(graph, indexing);
        try
        {
            if (version >= 2)
            {
                ReadUnindexed(new ChecksummedReader(file, path), vectors);
            }
            CheckTrailer(file, path, lsn, reader, store, vectors);
        }
        catch
        {
            vectors.Dispose();
            postings.Dispose();
            throw;
        }
        return new ShardContents(lsn, store, vectors, postings);
    }

    private static void CheckTrailer(FileStream file, string path, long lsn, ChecksummedReader reader, PassageStore store, BufferedHnswIndex vectors)
    {
        var trailer = new ChecksummedReader(file, path);
        Span<byte> magic = stackalloc byte[TrailerMagic.Length];
        trailer.Read(magic, "trailer");
        long trailerLsn = trailer.ReadInt64("trailer");
        trailer.EndSection("trailer");
        if (!magic.SequenceEqual(TrailerMagic) || trailerLsn != lsn)
        {
            throw trailer.Invalid("trailer does not match the header");
        }
        int live = vectors.CountLive();
        if (live != store.Count)
        {
            throw reader.Invalid($"{store.Count} passages but {live} vectors");
        }
    }

    /// <summary>The writes the graph had not taken yet: a count, then sections of (kind, id, vector for an add).</summary>
    private static void WriteUnindexed(FileStream file, BufferedHnswFrozenView vectors)
    {
        var writer = new ChecksummedWriter(file);
        writer.WriteInt32(vectors.UnindexedCount);
        writer.EndSection();
        int inSection = 0;
        vectors.ForEachUnindexed((id, vector) =>
        {
            writer.Write(vector.IsEmpty ? (ReadOnlySpan<byte>)[0] : [1]);
            writer.WriteInt64(id);
            writer.Write(vector);
            if (++inSection == WritesPerSection)
            {
                writer.EndSection();
                inSection = 0;
            }
        });
        writer.EndSection();
    }

    private static void ReadUnindexed(ChecksummedReader reader, BufferedHnswIndex vectors)
    {
        const string section = "buffered writes";
        int count = reader.ReadInt32(section);
        reader.EndSection(section);
        if (count < 0)
        {
            throw reader.Invalid($"{count} buffered writes");
        }
        var vector = new float[vectors.Dimensions];
        Span<byte> kind = stackalloc byte[1];
        for (int i = 0; i < count; i++)
        {
            reader.Read(kind, section);
            long id = reader.ReadInt64(section);
            if (id < 0)
            {
                throw reader.Invalid($"buffered write {i} has id {id}");
            }
            if (kind[0] == 1)
            {
                reader.Read<float>(vector, section);
                // Damage the section checksum has not caught yet must fail as damage, not as a bad argument.
                if (!VectorKernels.AllFinite(vector))
                {
                    throw reader.Invalid($"buffered write {i} holds a value that is not finite");
                }
                vectors.Add(id, vector);
            }
            else if (kind[0] == 0)
            {
                vectors.Remove(id);
            }
            else
            {
                throw reader.Invalid($"buffered write {i} has kind {kind[0]}");
            }
            if ((i + 1) % WritesPerSection == 0)
            {
                reader.EndSection(section);
            }
        }
        reader.EndSection(section);
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
