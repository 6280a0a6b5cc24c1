using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading;
using DprCluster.Index.Quantization;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Hnsw;

/// <summary>
/// One generation of an HNSW graph (Malkov &amp; Yashunin): node storage in <see cref="NodeBlock"/>s, the id map, the
/// free-slot list and the entry point. Its partial files hold the layer search, insertion, slot reuse and persistence.
/// <para>
/// Concurrency: every neighbour list starts with a version word that is odd while a writer holds it. Writers lock a
/// list by making the word odd; readers copy the list and retry when the word changed, so they never block and never
/// see a torn list. The id map and free list belong to the single writer (<see cref="HnswIndex"/> serialises writes);
/// only the parallel bulk insert runs several writers, and it touches neither.
/// </para>
/// <para>
/// Nodes hold d floats, or under SQ8 d 8-bit codes with the full-precision vectors in <see cref="OriginalVectors"/>
/// for re-ranking. While the SQ8 range is still being learned (the first <see cref="Sq8Trainer.TrainingVectors"/>
/// vectors) the writer re-encodes nodes in place, so a search running then may score a few nodes against a range
/// they were not encoded with: an approximate distance during the first seconds of a graph, never a torn read.
/// </para>
/// </summary>
internal sealed unsafe partial class HnswGraph
{
    /// <summary>Ints before the neighbours of every list: version word, then neighbour count.</summary>
    private const int ListHeader = 2;

    /// <summary>Levels above this are never drawn (the chance is M^-40); it bounds corrupt snapshot input too.</summary>
    internal const int MaxLevel = 40;

    public readonly HnswOptions Options;
    public readonly int Dimensions;
    public readonly int M;
    public readonly int M0;
    public readonly VectorQuantization Quantization;
    private readonly int _nodeBytes;
    private readonly int _stride0;
    private readonly int _strideUpper;
    private readonly int _blockShift;
    private readonly int _blockMask;
    private readonly double _levelMultiplier;
    private readonly Random _random;
    private readonly object _entryLock = new();

    private volatile BlockTable _table;
    private int _count;
    private long _entry = PackEntry(-1, -1);
    private readonly Dictionary<long, int> _slotsById = new();
    private readonly Stack<int> _freeSlots = new();
    private int _deletedCount;
    private readonly DistanceKind _kind;
    private readonly OriginalVectors? _originals;
    private Sq8Trainer? _trainer;
    private volatile Sq8Range? _range;
    private readonly float[] _writeScratch;

    /// <summary>Creates an empty graph; under SQ8 its full-precision vectors go to a scratch file in <paramref name="originalsDirectory"/>, or RAM when null.</summary>
    public HnswGraph(HnswOptions options, string? originalsDirectory = null)
    {
        options.Validate();
        Options = options;
        Dimensions = options.Dimensions;
        Quantization = options.Quantization;
        OriginalsDirectory = originalsDirectory;
        bool quantized = Quantization == VectorQuantization.Sq8;
        _nodeBytes = quantized ? Dimensions : Dimensions * sizeof(float);
        _kind = (options.Metric == Metric.L2, quantized) switch
        {
            (false, false) => DistanceKind.Dot,
            (true, false) => DistanceKind.L2,
            (false, true) => DistanceKind.Sq8Dot,
            (true, true) => DistanceKind.Sq8L2,
        };
        if (quantized)
        {
            _originals = OriginalVectors.Create(Dimensions, originalsDirectory);
            _trainer = new Sq8Trainer(Dimensions);
        }
        _writeScratch = new float[Dimensions];
        M = options.M;
        M0 = 2 * options.M;
        _stride0 = M0 + ListHeader;
        _strideUpper = M + ListHeader;
        _levelMultiplier = 1.0 / Math.Log(M);
        _random = new Random(options.Seed);
        // About 4 MiB of vectors per block: large enough to amortise, small enough not to waste much on small shards.
        int slotsPerBlock = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp((1 << 20) / Dimensions, 64, 1 << 16));
        _blockShift = BitOperations.Log2((uint)slotsPerBlock);
        _blockMask = slotsPerBlock - 1;
        _table = new BlockTable([], _blockShift);
    }

    /// <summary>Where a quantized graph keeps its full-precision vectors (null: RAM); its rebuilds keep them there too.</summary>
    public string? OriginalsDirectory { get; }

    /// <summary>Where the full-precision vectors of a quantized graph live (<c>memory</c> or <c>disk</c>); null for float32.</summary>
    public string? OriginalsMedium => _originals?.Medium;

    /// <summary>Slots handed out so far, live and deleted.</summary>
    public int SlotCount => Volatile.Read(ref _count);

    /// <summary>Live nodes.</summary>
    public int LiveCount => SlotCount - DeletedCount;

    /// <summary>Deleted nodes still in the graph, waiting for their slot to be reused.</summary>
    public int DeletedCount => Volatile.Read(ref _deletedCount);

    /// <summary>Bytes of node storage allocated (vectors, links, ids, levels, flags) plus the id map's entries.</summary>
    public long AllocatedBytes
    {
        get
        {
            long bytes = 0;
            foreach (NodeBlock block in _table.Blocks)
            {
                bytes += block.Bytes;
            }
            // Dictionary entry: key, value, hash code and next index, plus one bucket int.
            bytes += (long)_slotsById.EnsureCapacity(0) * (sizeof(long) + 4 * sizeof(int));
            return bytes + (_originals?.MemoryBytes ?? 0);
        }
    }

    public bool Contains(long id) => _slotsById.ContainsKey(id);

    public bool TryGetSlot(long id, out int slot) => _slotsById.TryGetValue(id, out slot);

    /// <summary>Copies the stored vector of <paramref name="slot"/> (normalised, for cosine) into <paramref name="destination"/>.</summary>
    public void CopyVector(int slot, Span<float> destination)
    {
        if (_originals is not null)
        {
            _originals.Read(slot, destination);
        }
        else
        {
            new ReadOnlySpan<float>(NodeOf(_table, slot), Dimensions).CopyTo(destination);
        }
    }

    public long IdOf(int slot) => _table.Blocks[slot >> _blockShift].Ids[slot & _blockMask];

    public bool IsDeletedSlot(int slot) => (*FlagOf(_table, slot) & NodeBlock.DeletedFlag) != 0;

    private static long PackEntry(int slot, int level) => ((long)level << 32) | (uint)slot;

    private static int EntrySlot(long entry) => (int)entry;

    private static int EntryLevel(long entry) => (int)(entry >> 32);

    /// <summary>The stored node of <paramref name="slot"/>: d floats, or d codes under SQ8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* NodeOf(BlockTable table, int slot) =>
        (byte*)table.Nodes[slot >> _blockShift] + (nint)(slot & _blockMask) * _nodeBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* FlagOf(BlockTable table, int slot) => (byte*)table.Flags[slot >> _blockShift] + (slot & _blockMask);

    /// <summary>The list of <paramref name="slot"/> at <paramref name="level"/>: version, count, then neighbours.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int* ListOf(BlockTable table, int slot, int level)
    {
        if (level == 0)
        {
            return (int*)table.Links[slot >> _blockShift] + (nint)(slot & _blockMask) * _stride0;
        }
        int[] upper = table.Blocks[slot >> _blockShift].UpperLinks[slot & _blockMask]!;
        return (int*)Unsafe.AsPointer(ref upper[(level - 1) * _strideUpper]);
    }

    private int LevelOf(BlockTable table, int slot) => table.Blocks[slot >> _blockShift].Levels[slot & _blockMask];

    private int MaxLinks(int level) => level == 0 ? M0 : M;

    /// <summary>Copies a neighbour list consistently (see the class remarks) and returns its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadList(int* list, int* destination, int maxLinks)
    {
        var spinner = new SpinWait();
        while (true)
        {
            int version = Volatile.Read(ref list[0]);
            if ((version & 1) == 0)
            {
                int count = list[1];
                if ((uint)count > (uint)maxLinks)
                {
                    count = 0; // read mid-write; the version check below sends us round again
                }
                Buffer.MemoryCopy(list + ListHeader, destination, (long)maxLinks * sizeof(int), (long)count * sizeof(int));
                Volatile.ReadBarrier();
                if (Volatile.Read(ref list[0]) == version)
                {
                    return count;
                }
            }
            // Back off to sleeping when the writer was preempted mid-update (an oversubscribed machine).
            spinner.SpinOnce();
        }
    }

    private static void LockList(int* list)
    {
        var spinner = new SpinWait();
        while (true)
        {
            int version = Volatile.Read(ref list[0]);
            if ((version & 1) == 0 && Interlocked.CompareExchange(ref list[0], version + 1, version) == version)
            {
                return;
            }
            spinner.SpinOnce();
        }
    }

    private static void UnlockList(int* list) => Volatile.Write(ref list[0], list[0] + 1);

    /// <summary>Writes <paramref name="neighbors"/> as the whole list, under its lock.</summary>
    private static void WriteList(int* list, ReadOnlySpan<int> neighbors)
    {
        LockList(list);
        neighbors.CopyTo(new Span<int>(list + ListHeader, neighbors.Length));
        list[1] = neighbors.Length;
        UnlockList(list);
    }

    /// <summary>Draws a level: floor(−ln(U)·mL) with mL = 1/ln M, the paper's choice.</summary>
    private int DrawLevel()
    {
        double u = 1.0 - _random.NextDouble();
        return Math.Min((int)(-Math.Log(u) * _levelMultiplier), MaxLevel);
    }

    /// <summary>Makes slots [0, <paramref name="slots"/>) addressable; single writer only.</summary>
    private void EnsureCapacity(int slots)
    {
        BlockTable table = _table;
        if (slots <= table.Capacity)
        {
            return;
        }
        int blockCount = ((slots - 1) >> _blockShift) + 1;
        var blocks = new NodeBlock[blockCount];
        table.Blocks.CopyTo(blocks, 0);
        for (int i = table.Blocks.Length; i < blockCount; i++)
        {
            blocks[i] = new NodeBlock(1 << _blockShift, _nodeBytes, _stride0);
        }
        _table = new BlockTable(blocks, _blockShift);
    }

    /// <summary>Gives <paramref name="slot"/> its level and (for levels above 0) its upper-layer lists.</summary>
    private void AssignLevel(BlockTable table, int slot, int level)
    {
        NodeBlock block = table.Blocks[slot >> _blockShift];
        block.Levels[slot & _blockMask] = (byte)level;
        block.UpperLinks[slot & _blockMask] = level == 0 ? null : GC.AllocateArray<int>(level * _strideUpper, pinned: true);
    }

    /// <summary>
    /// Stores the vector (normalised for cosine) and id of <paramref name="slot"/>; under SQ8 the full-precision
    /// vector goes to the originals and the node takes its codes. Single writer.
    /// </summary>
    private void StoreNode(BlockTable table, int slot, long id, ReadOnlySpan<float> vector)
    {
        table.Blocks[slot >> _blockShift].Ids[slot & _blockMask] = id;
        Span<float> stored = _originals is null ? new Span<float>(NodeOf(table, slot), Dimensions) : _writeScratch;
        vector.CopyTo(stored);
        if (Options.Metric == Metric.Cosine)
        {
            VectorKernels.Normalize(stored);
        }
        if (_originals is null)
        {
            return;
        }
        _originals.Write(slot, stored);
        if (_trainer!.Observe(stored) is { } widened)
        {
            _range = widened;
            Reencode(table, Math.Max(Volatile.Read(ref _count), slot + 1));
        }
        else
        {
            _range!.Encode(stored, NodeOf(table, slot));
        }
    }

    /// <summary>Encodes slots [0, <paramref name="slots"/>) again from their originals on the current range.</summary>
    private void Reencode(BlockTable table, int slots)
    {
        Sq8Range range = _range!;
        Span<float> vector = _writeScratch;
        for (int slot = 0; slot < slots; slot++)
        {
            _originals!.Read(slot, vector);
            range.Encode(vector, NodeOf(table, slot));
        }
    }

    /// <summary>The kernel family of this graph, chosen once from the metric and the quantization.</summary>
    private enum DistanceKind
    {
        Dot,
        L2,
        Sq8Dot,
        Sq8L2,
    }
}
