using DprCluster.Index.Hnsw;
using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Shard.Storage;

/// <summary>
/// A shard's three structures frozen at one log position, taken by the writer between two group commits (so all
/// three agree) and written out beside it: the writer pauses only for the copies each view makes.
/// </summary>
public sealed class ShardContentsView : IDisposable
{
    private ShardContentsView(long lsn, long nextKey, List<StoredPassage> passages, BufferedHnswFrozenView vectors, Bm25FrozenView postings)
    {
        Lsn = lsn;
        NextKey = nextKey;
        Passages = passages;
        Vectors = vectors;
        Postings = postings;
    }

    /// <summary>The last log record the view includes.</summary>
    public long Lsn { get; }

    /// <summary>The passage store's next key as of the view.</summary>
    public long NextKey { get; }

    /// <summary>The stored passages, in no particular order.</summary>
    public List<StoredPassage> Passages { get; }

    /// <summary>The HNSW graph and the writes still waiting for it, as of the view.</summary>
    public BufferedHnswFrozenView Vectors { get; }

    /// <summary>The BM25 postings as of the view.</summary>
    public Bm25FrozenView Postings { get; }

    /// <summary>Freezes <paramref name="contents"/>, which hold every record through <paramref name="lsn"/>; writers must be paused.</summary>
    public static ShardContentsView Of(ShardContents contents, long lsn)
    {
        ArgumentNullException.ThrowIfNull(contents);
        BufferedHnswFrozenView vectors = contents.Vectors.Freeze();
        try
        {
            return new ShardContentsView(lsn, contents.Passages.NextKey, contents.Passages.Freeze(), vectors, contents.Postings.Freeze());
        }
        catch
        {
            // A view that never reaches its owner must not keep deleted graph slots from being reused.
            vectors.Dispose();
            throw;
        }
    }

    /// <summary>Releases the graph view, so the index reuses deleted slots again.</summary>
    public void Dispose() => Vectors.Dispose();
}
