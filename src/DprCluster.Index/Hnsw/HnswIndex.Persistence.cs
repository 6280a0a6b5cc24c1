using DprCluster.Core.Storage;

namespace DprCluster.Index.Hnsw;

public sealed partial class HnswIndex
{
    /// <summary>
    /// Writes a snapshot: magic, format version, parameters and counts, then ids, levels, flags, vectors and
    /// neighbour lists, each section followed by its CRC32C. It writes a <see cref="Freeze">frozen view</see>, so
    /// searches and writes go on meanwhile.
    /// </summary>
    public void Save(Stream stream)
    {
        using HnswFrozenView view = Freeze();
        view.Save(stream);
    }

    /// <summary>
    /// Writes a snapshot to <paramref name="path"/> atomically: a temporary file beside it, flushed to disk, then
    /// renamed over the target, so a crash leaves either the old file or the new one.
    /// </summary>
    public void Save(string path)
    {
        string temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Save(file);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a snapshot written by <see cref="Save(Stream)"/>.</summary>
    /// <param name="stream">The snapshot bytes.</param>
    /// <param name="source">Name used in error messages (a file name, say).</param>
    /// <param name="originalsDirectory">Where an SQ8 index keeps its full-precision vectors (null: RAM).</param>
    /// <exception cref="SnapshotFormatException">The snapshot is truncated, corrupt, or not an HNSW snapshot.</exception>
    public static HnswIndex Load(Stream stream, string source = "snapshot", string? originalsDirectory = null) =>
        new(HnswGraph.Load(stream, source, originalsDirectory));

    /// <summary>Reads a snapshot file written by <see cref="Save(string)"/>.</summary>
    /// <param name="path">The snapshot file.</param>
    /// <param name="originalsDirectory">Where an SQ8 index keeps its full-precision vectors (null: RAM).</param>
    /// <exception cref="SnapshotFormatException">The file is truncated, corrupt, or not an HNSW snapshot.</exception>
    public static HnswIndex Load(string path, string? originalsDirectory = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Load(file, path, originalsDirectory);
    }
}
