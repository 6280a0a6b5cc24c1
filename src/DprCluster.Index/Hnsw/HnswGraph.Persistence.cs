using DprCluster.Index.Vectors;
using DprCluster.Core.Storage;

namespace DprCluster.Index.Hnsw;

internal sealed unsafe partial class HnswGraph
{
    /// <summary>"DPRHNSW" and a zero byte.</summary>
    private static ReadOnlySpan<byte> Magic => "DPRHNSW\0"u8;

    /// <summary>Version 1: header, then ids, levels, flags, vectors, level-0 lists, upper lists, each with a CRC32C.</summary>
    private const int FormatVersion = 1;

    /// <summary>
    /// Reads a graph written by <see cref="Save(Stream, HnswFrozenView)"/>, streaming each section straight into node storage (no second
    /// copy of the index in memory), then checks that every link, level and id makes sense.
    /// </summary>
    public static HnswGraph Load(Stream stream, string source)
    {
        var reader = new ChecksummedReader(stream, source);
        reader.ExpectHeader(Magic, FormatVersion, "HNSW snapshot");
        int metric = reader.ReadInt32("header");
        int dimensions = reader.ReadInt32("header");
        int m = reader.ReadInt32("header");
        int efConstruction = reader.ReadInt32("header");
        int efSearch = reader.ReadInt32("header");
        int seed = reader.ReadInt32("header");
        int count = reader.ReadInt32("header");
        int deleted = reader.ReadInt32("header");
        int entrySlot = reader.ReadInt32("header");
        int entryLevel = reader.ReadInt32("header");
        reader.EndSection("header");

        HnswGraph graph;
        try
        {
            graph = new HnswGraph(new HnswOptions(dimensions, (Metric)metric, m, efConstruction, efSearch, seed));
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
        ForEachBlockRun(count, (block, n) => reader.Read<float>(table.Blocks[block].Vectors.AsSpan(0, n * Dimensions), "vectors"));
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
