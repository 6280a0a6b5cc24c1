using System.Runtime.CompilerServices;

namespace DprCluster.Index.Hnsw;

/// <summary>
/// Storage for a fixed power-of-two run of node slots: their vectors (floats or SQ8 codes) and level-0 neighbour lists in contiguous
/// pinned arrays (so the search loop works on raw pointers with prefetch), their ids, levels and flags, and the
/// upper-layer lists of the few nodes that have levels above 0.
/// </summary>
internal sealed unsafe class NodeBlock
{
    /// <summary>Bit of <see cref="Flags"/> that marks a deleted node: never returned, still traversed.</summary>
    public const byte DeletedFlag = 1;

    public readonly byte[] Nodes;
    public readonly int[] Links;
    public readonly byte[] Flags;
    public readonly long[] Ids;
    public readonly byte[] Levels;
    public readonly int[]?[] UpperLinks;

    public NodeBlock(int slots, int nodeBytes, int linkStride)
    {
        Nodes = GC.AllocateUninitializedArray<byte>(slots * nodeBytes, pinned: true);
        Links = GC.AllocateArray<int>(slots * linkStride, pinned: true);
        Flags = GC.AllocateArray<byte>(slots, pinned: true);
        Ids = new long[slots];
        Levels = new byte[slots];
        UpperLinks = new int[]?[slots];
    }

    public byte* NodeBase => (byte*)Unsafe.AsPointer(ref Nodes[0]);

    public int* LinkBase => (int*)Unsafe.AsPointer(ref Links[0]);

    public byte* FlagBase => (byte*)Unsafe.AsPointer(ref Flags[0]);

    /// <summary>Bytes held by this block, upper-layer lists included.</summary>
    public long Bytes
    {
        get
        {
            long bytes = (long)Nodes.Length + (long)Links.Length * sizeof(int) + Flags.Length
                + (long)Ids.Length * sizeof(long) + Levels.Length + (long)UpperLinks.Length * IntPtr.Size;
            foreach (int[]? upper in UpperLinks)
            {
                if (upper is not null)
                {
                    bytes += (long)upper.Length * sizeof(int);
                }
            }
            return bytes;
        }
    }
}

/// <summary>
/// Immutable table of the blocks and their base pointers. Growing the graph publishes a new table, so a search that
/// captured the old one keeps a consistent view; nodes added since are simply beyond its <see cref="Capacity"/>.
/// </summary>
internal sealed unsafe class BlockTable(NodeBlock[] blocks, int blockShift)
{
    public readonly NodeBlock[] Blocks = blocks;
    public readonly nint[] Nodes = Pointers(blocks, static b => (nint)b.NodeBase);
    public readonly nint[] Links = Pointers(blocks, static b => (nint)b.LinkBase);
    public readonly nint[] Flags = Pointers(blocks, static b => (nint)b.FlagBase);
    public readonly int Capacity = blocks.Length << blockShift;

    private static nint[] Pointers(NodeBlock[] blocks, Func<NodeBlock, nint> select)
    {
        var pointers = new nint[blocks.Length];
        for (int i = 0; i < blocks.Length; i++)
        {
            pointers[i] = select(blocks[i]);
        }
        return pointers;
    }
}
