using DprCluster.Core.Storage;
using DprCluster.Index.Quantization;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Hnsw;

internal sealed unsafe partial class HnswGraph
{
    /// <summary>"DPRHNSW" and a zero byte.</summary>
    private static ReadOnlySpan<byte> Magic => "DPRHNSW\0"u8;

    /// <summary>
    /// Version 2: header (with the quantization), then ids, levels, flags, vectors (under SQ8: the range section,
    /// then the full-precision vectors), level-0 lists, upper lists, each with a CRC32C. Version 1 had no
    /// quantization field and is still read.
    /// </summary>
    private const int FormatVersion = 2;

    /// <summary>
    /// Reads a graph written by <see cref="Save(Stream, HnswFrozenView)"/>, streaming each section straight into node storage (no second
    /// copy of the index in memory), then checks that every link, level and id makes sense.
    /// </summary>
    public static HnswGraph Load(Stream stream, string source, string? originalsDirectory = null)
    {
        var reader = new ChecksummedReader(stream, source);
        int version = reader.ExpectHeader(Magic, 1, FormatVersion, "HNSW snapshot");
        int metric = reader.ReadInt32("header");
        int dimensions = reader.ReadInt32("header");
        int m = reader.ReadInt32("header");
        int efConstruction = reader.ReadInt32("header");
        int efSearch = reader.ReadInt32("header");
        int seed = reader.ReadInt32("header");
        int quantization = version >= 2 ? reader.ReadInt32("header") : (int)VectorQuantization.None;
        int count = reader.ReadInt32("header");
        int deleted = reader.ReadInt32("header");
        int entrySlot = reader.ReadInt32("header");
        int entryLevel = reader.ReadInt32("header");
        reader.EndSection("header");

        HnswGraph graph;
        try
        {
            graph = new HnswGraph(new HnswOptions(dimensions, (Metric)metric, m, efConstruction, efSearch, seed, (VectorQuantization)quantization),
                originalsDirectory);
        }
        catch (ArgumentException e)
        {
            throw reader.Fail(SnapshotProblem.InvalidContent, $"invalid parameters in header: {e.Message}", e);
        }
        if (count < 0 || deleted < 0 || deleted > count || entrySlot < -1 || entrySlot >= count || (count > 0) != (entrySlot >= 0))
        {
            throw reader.Invalid($"inconsistent counts in header (slots {count}, deleted {deleted}, entry {entrySlot})");
        }
        graph.ReadBody(reader, count);
        graph.Validate(reader, count, deleted, entrySlot, entryLevel);
        return graph;
    }

    private void ReadBody(ChecksummedReader reader, int count)
    {
        EnsureCapacity(count);
        BlockTable table = _table;
        ForEachBlockRun(count, (block, n) => reader.Read<long>(table.Blocks[block].Ids.AsSpan(0, n), "ids"));
        reader.EndSection("ids");
        ForEachBlockRun(count, (block, n) => reader.Read<byte>(table.Blocks[block].Levels.AsSpan(0, n), "levels"));
        reader.EndSection("levels");
        ForEachBlockRun(count, (block, n) => reader.Read<byte>(table.Blocks[block].Flags.AsSpan(0, n), "flags"));
        reader.EndSection("flags");
        if (_originals is null)
        {
            ForEachBlockRun(count, (block, n) => reader.Read<byte>(table.Blocks[block].Nodes.AsSpan(0, n * _nodeBytes), "vectors"));
        }
        else
        {
            ReadOriginals(reader, table, count);
        }
        reader.EndSection("vectors");
        for (int slot = 0; slot < count; slot++)
        {
            reader.Read(new Span<int>(ListOf(table, slot, 0) + 1, M0 + 1), "links");
        }
        reader.EndSection("links");
        for (int slot = 0; slot < count; slot++)
        {
            int level = LevelOf(table, slot);
            if (level > MaxLevel)
            {
                throw reader.Invalid($"node {slot} has level {level}, above the maximum {MaxLevel}");
            }
            AssignLevel(table, slot, level);
            for (int layer = 1; layer <= level; layer++)
            {
                reader.Read(new Span<int>(ListOf(table, slot, layer) + 1, M + 1), "upper links");
            }
        }
        reader.EndSection("upper links");
        _count = count;
    }

    /// <summary>Reads the SQ8 section and the full-precision vectors into the originals, encoding each node on the stored range.</summary>
    private void ReadOriginals(ChecksummedReader reader, BlockTable table, int count)
    {
        int observed = reader.ReadInt32("quantizer");
        var min = new float[Dimensions];
        var scale = new float[Dimensions];
        reader.Read<float>(min, "quantizer");
        reader.Read<float>(scale, "quantizer");
        reader.EndSection("quantizer");
        for (int i = 0; i < Dimensions; i++)
        {
            if (!float.IsFinite(min[i]) || !float.IsFinite(scale[i]) || scale[i] <= 0)
            {
                throw reader.Invalid($"SQ8 range of dimension {i} is not a finite positive step (min {min[i]}, scale {scale[i]})");
            }
        }
        if (observed < 0)
        {
            throw reader.Invalid($"SQ8 training count {observed} is negative");
        }
        var range = new Sq8Range(min, scale);
        _range = range;
        _trainer = new Sq8Trainer(range, observed);
        var chunk = new float[ExactScanChunk * Dimensions];
        for (int slot = 0; slot < count; slot += ExactScanChunk)
        {
            int n = Math.Min(ExactScanChunk, count - slot);
            Span<float> vectors = chunk.AsSpan(0, n * Dimensions);
            reader.Read<float>(vectors, "vectors");
            for (int i = 0; i < n; i++)
            {
                Span<float> vector = vectors.Slice(i * Dimensions, Dimensions);
                _originals!.Write(slot + i, vector);
                range.Encode(vector, NodeOf(table, slot + i));
            }
        }
    }

    private void Validate(ChecksummedReader reader, int count, int deleted, int entrySlot, int entryLevel)
    {
        BlockTable table = _table;
        for (int slot = 0; slot < count; slot++)
        {
            int level = LevelOf(table, slot);
            for (int layer = 0; layer <= level; layer++)
            {
                int* list = ListOf(table, slot, layer);
                int links = list[1];
                if ((uint)links > (uint)MaxLinks(layer))
                {
                    throw reader.Invalid($"node {slot} has {links} links on layer {layer}, more than {MaxLinks(layer)}");
                }
                for (int i = 0; i < links; i++)
                {
                    int neighbor = list[2 + i];
                    if ((uint)neighbor >= (uint)count || LevelOf(table, neighbor) < layer)
                    {
                        throw reader.Invalid($"node {slot} links to {neighbor} on layer {layer}, which is not a node of that layer");
                    }
                }
            }
            if (IsDeleted(table, slot))
            {
                _freeSlots.Push(slot);
            }
            else if (!_slotsById.TryAdd(IdOf(table, slot), slot))
            {
                throw reader.Invalid($"id {IdOf(table, slot)} is stored twice");
            }
        }
        if (_freeSlots.Count != deleted)
        {
            throw reader.Invalid($"header says {deleted} deleted nodes, flags mark {_freeSlots.Count}");
        }
        if (entrySlot >= 0 && LevelOf(table, entrySlot) != entryLevel)
        {
            throw reader.Invalid($"entry point {entrySlot} has level {LevelOf(table, entrySlot)}, header says {entryLevel}");
        }
        _deletedCount = deleted;
        _entry = PackEntry(entrySlot, entryLevel);
    }

    /// <summary>Calls <paramref name="action"/> with (block index, slots used in it) for the first <paramref name="count"/> slots.</summary>
    private void ForEachBlockRun(int count, Action<int, int> action)
    {
        int perBlock = 1 << _blockShift;
        for (int block = 0, start = 0; start < count; block++, start += perBlock)
        {
            action(block, Math.Min(perBlock, count - start));
        }
    }
}
