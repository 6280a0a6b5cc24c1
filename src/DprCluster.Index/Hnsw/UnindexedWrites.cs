using System.Collections.Concurrent;
using System.Numerics;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Hnsw;

/// <summary>
/// The vector writes (adds and removals) a <see cref="BufferedHnswIndex"/> has taken but not yet applied to its graph,
/// in order: one writer appends at the tail, one indexer consumes from the head, and any number of searches scan
/// [head, tail) exactly beside both. A scan judges everything against the tail it read first: an entry counts when
/// no write before that tail replaced it, so a write appended meanwhile changes nothing the scan decides. Published
/// entries are never rewritten (bar the position of their successor, set before the successor is published), so a
/// scan takes no lock; a chunk dropped while a scan runs was applied to the graph before it was dropped.
/// </summary>
internal sealed class UnindexedWrites
{
    /// <summary>
    /// Most vector bytes per chunk: below the large-object threshold, so dropped chunks are compacted away by the
    /// GC instead of leaving the large-object heap fragmented (a 1M import passes every vector through a chunk).
    /// </summary>
    private const int ChunkBytes = 64 << 10;

    private const byte RemovalFlag = 1;

    private readonly int _dimensions;

    /// <summary>Entries per chunk (a power of two): chunks are allocated and dropped whole.</summary>
    private readonly int _chunkSize;
    private readonly Lock _tableLock = new();
    private readonly ConcurrentDictionary<long, long> _latest = new();
    private volatile ChunkTable _table = new(0, new Chunk?[4]);
    private long _head;
    private long _tail;
    private long _advances;

    public UnindexedWrites(int dimensions)
    {
        _dimensions = dimensions;
        _chunkSize = (int)Math.Max(1, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, ChunkBytes / (dimensions * sizeof(float)) + 1)) / 2);
    }

    /// <summary>Position of the oldest entry not yet applied.</summary>
    public long Head => Volatile.Read(ref _head);

    /// <summary>Position the next entry takes.</summary>
    public long Tail => Volatile.Read(ref _tail);

    /// <summary>Entries waiting for the graph.</summary>
    public int Count
    {
        get
        {
            // Head first: the tail read after it is never behind it.
            long head = Head;
            return (int)(Tail - head);
        }
    }

    /// <summary>Bumped before the indexer removes applied entries: a search that saw it change retries.</summary>
    public long Advances => Volatile.Read(ref _advances);

    /// <summary>Bytes held by live chunks.</summary>
    public long Bytes
    {
        get
        {
            long chunks = (Tail + _chunkSize - 1) / _chunkSize - Head / _chunkSize;
            return chunks * _chunkSize * ((long)_dimensions * sizeof(float) + 3 * sizeof(long) + 1);
        }
    }

    /// <summary>
    /// Whether a write to <paramref name="id"/> that a scan bounded by <paramref name="tail"/> saw still waits: the
    /// graph's entry for the id is then stale, and the scan's answer for it stands.
    /// </summary>
    public bool HidesGraphEntry(long id, long tail)
    {
        if (!_latest.TryGetValue(id, out long position))
        {
            return false;
        }
        // Walk back past the writes appended after the scan's tail, to the newest one it could see.
        while (position >= tail)
        {
            if (!Find(position, out Chunk? chunk, out int at))
            {
                return false; // applied meanwhile, and so was everything before it
            }
            position = chunk.Prev[at];
            if (position < 0)
            {
                return false;
            }
        }
        return position >= Head;
    }

    /// <summary>Appends an add (with <paramref name="vector"/>, as the graph stores it) or, with an empty vector, a removal. Writer only.</summary>
    public void Append(long id, ReadOnlySpan<float> vector)
    {
        long position = _tail;
        Chunk chunk = ChunkForAppend(position);
        int at = (int)(position % _chunkSize);
        chunk.Ids[at] = id;
        chunk.Flags[at] = vector.IsEmpty ? RemovalFlag : (byte)0;
        chunk.Next[at] = long.MaxValue;
        if (!vector.IsEmpty)
        {
            vector.CopyTo(chunk.Vectors.AsSpan(at * _dimensions, _dimensions));
        }
        long previous = _latest.TryGetValue(id, out long latest) ? latest : -1;
        chunk.Prev[at] = previous;
        // The successor is named before it is published: a scan whose tail excludes it still counts the old entry.
        if (previous >= 0 && Find(previous, out Chunk? old, out int oldAt))
        {
            Volatile.Write(ref old.Next[oldAt], position);
        }
        _latest[id] = position;
        Volatile.Write(ref _tail, position + 1);
    }

    /// <summary>The entry at <paramref name="position"/> (within [head, tail)); false once its chunk was dropped.</summary>
    public bool TryRead(long position, out long id, out ReadOnlySpan<float> vector, out bool removal)
    {
        if (!Find(position, out Chunk? chunk, out int at))
        {
            id = 0;
            vector = default;
            removal = false;
            return false;
        }
        id = chunk.Ids[at];
        removal = chunk.Flags[at] == RemovalFlag;
        vector = removal ? default : chunk.Vectors.AsSpan(at * _dimensions, _dimensions);
        return true;
    }

    /// <summary>Whether a later write, appended before <paramref name="tail"/>, replaced the entry at <paramref name="position"/>.</summary>
    public bool IsReplacedBefore(long position, long tail) =>
        Find(position, out Chunk? chunk, out int at) && Volatile.Read(ref chunk.Next[at]) < tail;

    /// <summary>Marks everything before <paramref name="newHead"/> applied and drops the chunks wholly before it. Indexer only.</summary>
    public void Advance(long newHead)
    {
        Interlocked.Increment(ref _advances);
        for (long position = _head; position < newHead; position++)
        {
            if (Find(position, out Chunk? chunk, out int at))
            {
                _latest.TryRemove(new KeyValuePair<long, long>(chunk.Ids[at], position));
            }
        }
        long firstKept = newHead / _chunkSize;
        lock (_tableLock)
        {
            ChunkTable table = _table;
            for (long c = Math.Max(table.First, _head / _chunkSize); c < firstKept && c - table.First < table.Chunks.Length; c++)
            {
                table.Chunks[c - table.First] = null;
            }
        }
        Volatile.Write(ref _head, newHead);
    }

    /// <summary>
    /// The latest waiting write of <paramref name="id"/>: true with <paramref name="removed"/> false and the vector copied
    /// for an add, true with <paramref name="removed"/> for a removal, false when none waits.
    /// </summary>
    public bool TryGetLatest(long id, Span<float> destination, out bool removed)
    {
        removed = false;
        if (!_latest.TryGetValue(id, out long position) || !TryRead(position, out _, out ReadOnlySpan<float> vector, out removed))
        {
            return false;
        }
        vector.CopyTo(destination);
        return true;
    }

    /// <summary>
    /// Exact top-k over the waiting adds below <paramref name="tail"/> that no later write below it replaced, best
    /// first, into <paramref name="hits"/>; returns how many. Scores as the graph does: dot product, or negative
    /// squared distance under L2.
    /// </summary>
    public int Scan(ReadOnlySpan<float> query, bool l2, long tail, int k, Span<SearchHit> hits, out int scored)
    {
        long head = Head;
        int found = 0;
        scored = 0;
        for (long start = head; start < tail; start = (start / _chunkSize + 1) * _chunkSize)
        {
            if (!Find(start, out Chunk? chunk, out int first))
            {
                continue; // applied to the graph meanwhile: the graph search that follows finds them
            }
            int end = (int)Math.Min(_chunkSize, tail - (start - first));
            for (int at = first; at < end; at++)
            {
                if (chunk.Flags[at] == RemovalFlag || Volatile.Read(ref chunk.Next[at]) < tail)
                {
                    continue; // a removal, or replaced by a write the scan sees
                }
                scored++;
                ReadOnlySpan<float> vector = chunk.Vectors.AsSpan(at * _dimensions, _dimensions);
                float score = l2 ? -VectorKernels.SquaredL2(query, vector) : VectorKernels.Dot(query, vector);
                if (found == k && score <= hits[k - 1].Score)
                {
                    continue;
                }
                int slot = found < k ? found++ : k - 1;
                while (slot > 0 && hits[slot - 1].Score < score)
                {
                    hits[slot] = hits[slot - 1];
                    slot--;
                }
                hits[slot] = new SearchHit(chunk.Ids[at], score);
            }
        }
        return found;
    }

    /// <summary>The entries in [<paramref name="head"/>, tail) as of now, for a snapshot; the writer must be paused.</summary>
    public Frozen Freeze(long head)
    {
        long tail = Tail;
        var chunks = new List<Chunk>();
        for (long c = head / _chunkSize; c * _chunkSize < tail; c++)
        {
            // Nothing in [head, tail) is dropped while the writer is paused and the indexer holds its lock.
            chunks.Add(Find(c * _chunkSize, out Chunk? chunk, out _) ? chunk : throw new InvalidOperationException("a waiting chunk was dropped"));
        }
        return new Frozen(head, tail, chunks, _dimensions, _chunkSize);
    }

    private bool Find(long position, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Chunk? chunk, out int at)
    {
        ChunkTable table = _table;
        long index = position / _chunkSize - table.First;
        at = (int)(position % _chunkSize);
        chunk = index >= 0 && index < table.Chunks.Length ? Volatile.Read(ref table.Chunks[index]) : null;
        return chunk is not null;
    }

    private Chunk ChunkForAppend(long position)
    {
        if (position % _chunkSize != 0 && Find(position, out Chunk? existing, out _))
        {
            return existing;
        }
        lock (_tableLock)
        {
            ChunkTable table = _table;
            long index = position / _chunkSize;
            if (index - table.First >= table.Chunks.Length)
            {
                // Grow, keeping only the chunks not yet dropped: the table's size follows the backlog, not the history.
                long first = Math.Min(Head / _chunkSize, index);
                var chunks = new Chunk?[Math.Max(4, (int)(index - first + 1) * 2)];
                for (long c = Math.Max(first, table.First); c < table.First + table.Chunks.Length; c++)
                {
                    chunks[c - first] = table.Chunks[c - table.First];
                }
                table = new ChunkTable(first, chunks);
                _table = table;
            }
            var chunk = new Chunk(_dimensions, _chunkSize);
            Volatile.Write(ref table.Chunks[index - table.First], chunk);
            return chunk;
        }
    }

    /// <summary>The waiting entries frozen for a snapshot: chunks are append-only, so holding them is enough.</summary>
    public sealed class Frozen
    {
        private readonly long _head;
        private readonly List<Chunk> _chunks;
        private readonly int _dimensions;
        private readonly int _chunkSize;

        internal Frozen(long head, long tail, List<Chunk> chunks, int dimensions, int chunkSize)
        {
            _head = head;
            Count = (int)(tail - head);
            _chunks = chunks;
            _dimensions = dimensions;
            _chunkSize = chunkSize;
        }

        /// <summary>Entries in the view.</summary>
        public int Count { get; }

        /// <summary>Calls <paramref name="visit"/> with each entry in order: id and vector, or id and an empty span for a removal.</summary>
        public void ForEach(VectorWriteVisitor visit)
        {
            long firstChunk = _head / _chunkSize;
            for (int i = 0; i < Count; i++)
            {
                long position = _head + i;
                Chunk chunk = _chunks[(int)(position / _chunkSize - firstChunk)];
                int at = (int)(position % _chunkSize);
                bool removal = chunk.Flags[at] == RemovalFlag;
                visit(chunk.Ids[at], removal ? default : chunk.Vectors.AsSpan(at * _dimensions, _dimensions));
            }
        }
    }

    internal sealed class Chunk(int dimensions, int size)
    {
        public readonly long[] Ids = new long[size];
        public readonly byte[] Flags = new byte[size];

        /// <summary>Per entry, the position of the next write to its id (long.MaxValue while none), and of the one before (−1).</summary>
        public readonly long[] Next = new long[size];

        /// <inheritdoc cref="Next"/>
        public readonly long[] Prev = new long[size];
        public readonly float[] Vectors = new float[size * dimensions];
    }

    private sealed class ChunkTable(long first, Chunk?[] chunks)
    {
        public readonly long First = first;
        public readonly Chunk?[] Chunks = chunks;
    }
}

/// <summary>Receives one buffered vector write: an add with its vector, or a removal with an empty span.</summary>
public delegate void VectorWriteVisitor(long id, ReadOnlySpan<float> vector);
