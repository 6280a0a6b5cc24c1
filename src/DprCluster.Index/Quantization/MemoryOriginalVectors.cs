namespace DprCluster.Index.Quantization;

/// <summary>
/// Full-precision vectors in RAM, in blocks of 4,096 slots. Growing publishes a new block table, so readers never
/// see a torn one; a slot's floats may be read mid-write only when the slot is being reused, as in the graph itself.
/// </summary>
internal sealed class MemoryOriginalVectors(int dimensions) : OriginalVectors(dimensions)
{
    private const int BlockShift = 12;
    private const int BlockMask = (1 << BlockShift) - 1;
    private volatile float[][] _blocks = [];

    public override long MemoryBytes => (long)_blocks.Length * (1 << BlockShift) * Dimensions * sizeof(float);

    public override string Medium => "memory";

    public override void Write(int slot, ReadOnlySpan<float> vector)
    {
        float[][] blocks = _blocks;
        int block = slot >> BlockShift;
        if (block >= blocks.Length)
        {
            var grown = new float[Math.Max(block + 1, blocks.Length * 2)][];
            blocks.CopyTo(grown, 0);
            for (int i = blocks.Length; i < grown.Length; i++)
            {
                grown[i] = GC.AllocateUninitializedArray<float>((1 << BlockShift) * Dimensions);
            }
            _blocks = blocks = grown;
        }
        vector[..Dimensions].CopyTo(blocks[block].AsSpan((slot & BlockMask) * Dimensions, Dimensions));
    }

    public override void Read(int slot, Span<float> destination) =>
        _blocks[slot >> BlockShift].AsSpan((slot & BlockMask) * Dimensions, Dimensions).CopyTo(destination);

    public override void ReadRange(int firstSlot, Span<float> destination)
    {
        int slots = destination.Length / Dimensions;
        for (int i = 0; i < slots; i++)
        {
            Read(firstSlot + i, destination.Slice(i * Dimensions, Dimensions));
        }
    }
}
