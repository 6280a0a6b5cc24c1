using System.Threading;
using DprCluster.Core.Storage;
using DprCluster.Index.Quantization;

namespace DprCluster.Index.Hnsw;

internal sealed unsafe partial class HnswGraph
{
    private int _frozenViews;

    /// <summary>True while a frozen view holds the graph: deleted slots then wait, new nodes take fresh slots.</summary>
    private bool ReuseSuspended => Volatile.Read(ref _frozenViews) > 0;

    /// <summary>
    /// The graph as it is now, for a snapshot or a rebuild that runs while writes go on. Ids, levels and vectors of
    /// existing slots change only when a slot is reused, so the view shares them and suspends reuse until disposed;
    /// links and flags change in place, so it copies them (about 4·(2M + 2) bytes a node, a tenth of a 384-d vector).
    /// The caller keeps other writers out for the duration of this call.
    /// </summary>
    public HnswFrozenView Freeze()
    {
        Interlocked.Increment(ref _frozenViews);
        BlockTable table = _table;
        int count = _count;
        int perBlock = 1 << _blockShift;
        var links = new int[table.Blocks.Length][];
        var flags = new byte[table.Blocks.Length][];
        var upper = new int[]?[count];
        for (int block = 0, start = 0; start < count; block++, start += perBlock)
        {
            int n = Math.Min(perBlock, count - start);
            links[block] = table.Blocks[block].Links.AsSpan(0, n * _stride0).ToArray();
            flags[block] = table.Blocks[block].Flags.AsSpan(0, n).ToArray();
            int[]?[] upperLinks = table.Blocks[block].UpperLinks;
            for (int i = 0; i < n; i++)
            {
                upper[start + i] = (int[]?)upperLinks[i]?.Clone();
            }
        }
        return new HnswFrozenView(this, table, count, _deletedCount, _entry, links, flags, upper);
    }

    /// <summary>Ends one view's hold; slot reuse resumes when the last is gone.</summary>
    internal void Thaw() => Interlocked.Decrement(ref _frozenViews);

    /// <summary>Writes a frozen view in the snapshot format of <see cref="Load"/>.</summary>
    internal void Save(Stream stream, HnswFrozenView view)
    {
        var writer = new ChecksummedWriter(stream);
        writer.WriteHeader(Magic, FormatVersion);
        writer.WriteInt32((int)Options.Metric);
        writer.WriteInt32(Dimensions);
        writer.WriteInt32(M);
        writer.WriteInt32(Options.EfConstruction);
        writer.WriteInt32(Options.EfSearch);
        writer.WriteInt32(Options.Seed);
        writer.WriteInt32((int)Quantization);
        writer.WriteInt32(view.Count);
        writer.WriteInt32(view.DeletedCount);
        writer.WriteInt32(EntrySlot(view.Entry));
        writer.WriteInt32(EntryLevel(view.Entry));
        writer.EndSection();

        BlockTable table = view.Table;
        ForEachBlockRun(view.Count, (block, n) => writer.Write<long>(table.Blocks[block].Ids.AsSpan(0, n)));
        writer.EndSection();
        ForEachBlockRun(view.Count, (block, n) => writer.Write<byte>(table.Blocks[block].Levels.AsSpan(0, n)));
        writer.EndSection();
        ForEachBlockRun(view.Count, (block, n) => writer.Write<byte>(view.Flags[block]));
        writer.EndSection();
        if (_originals is null)
        {
            ForEachBlockRun(view.Count, (block, n) => writer.Write<byte>(table.Blocks[block].Nodes.AsSpan(0, n * _nodeBytes)));
        }
        else
        {
            WriteOriginals(writer, view.Count);
        }
        writer.EndSection();
        int perBlock = 1 << _blockShift;
        for (int slot = 0; slot < view.Count; slot++)
        {
            // Each stored list skips the version word: count, then M0 neighbours.
            writer.Write(view.Links[slot >> _blockShift].AsSpan((slot & (perBlock - 1)) * _stride0 + 1, M0 + 1));
        }
        writer.EndSection();
        for (int slot = 0; slot < view.Count; slot++)
        {
            int level = LevelOf(table, slot);
            for (int layer = 1; layer <= level; layer++)
            {
                writer.Write(view.UpperLinks[slot].AsSpan((layer - 1) * _strideUpper + 1, M + 1));
            }
        }
        writer.EndSection();
    }

    /// <summary>
    /// The SQ8 section (training count and range), then the full-precision vectors of the first
    /// <paramref name="count"/> slots read back from the originals in chunks. The codes are not stored: a load
    /// encodes them again from these two.
    /// </summary>
    private void WriteOriginals(ChecksummedWriter writer, int count)
    {
        Sq8Range range = _range ?? Sq8Range.Covering(new float[Dimensions], new float[Dimensions]);
        writer.WriteInt32(_trainer!.Observed);
        writer.Write<float>(range.Min);
        writer.Write<float>(range.Scale);
        writer.EndSection();
        var chunk = new float[ExactScanChunk * Dimensions];
        for (int slot = 0; slot < count; slot += ExactScanChunk)
        {
            Span<float> vectors = chunk.AsSpan(0, Math.Min(ExactScanChunk, count - slot) * Dimensions);
            _originals!.ReadRange(slot, vectors);
            writer.Write<float>(vectors);
        }
    }

    /// <summary>
    /// Copies up to <c>ids.Length</c> live nodes of <paramref name="view"/> from <paramref name="slot"/> on into
    /// <paramref name="ids"/> and <paramref name="vectors"/>; returns how many, with <paramref name="slot"/> moved past them.
    /// </summary>
    internal int CopyLive(HnswFrozenView view, ref int slot, Span<long> ids, Span<float> vectors)
    {
        int filled = 0;
        while (slot < view.Count && filled < ids.Length)
        {
            if ((view.Flags[slot >> _blockShift][slot & _blockMask] & NodeBlock.DeletedFlag) == 0)
            {
                ids[filled] = IdOf(view.Table, slot);
                Span<float> destination = vectors.Slice(filled * Dimensions, Dimensions);
                if (_originals is null)
                {
                    new ReadOnlySpan<float>(NodeOf(view.Table, slot), Dimensions).CopyTo(destination);
                }
                else
                {
                    _originals.Read(slot, destination);
                }
                filled++;
            }
            slot++;
        }
        return filled;
    }
}
