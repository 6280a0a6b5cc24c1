namespace DprCluster.Grains.Shard.Storage;

/// <summary>
/// Stored passages indexed by graph key. Keys are dense (handed out in write order, never reused), so a chunked array
/// finds a search hit's passage in two dependent reads where a hash map took four: every dense hit of every shard is
/// resolved here, and with four shards a query resolves 4k hits. A slot costs 8 bytes, a map entry about 50.
/// One writer, any number of readers.
/// </summary>
internal sealed class PassageTable
{
    /// <summary>4,096 references per chunk: 32 KiB, below the large-object heap's threshold.</summary>
    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;

    private StoredPassage?[]?[] _chunks = [];
    private int _count;

    /// <summary>Passages stored.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The passage stored under <paramref name="key"/>, or null.</summary>
    public StoredPassage? Get(long key) => ChunkOf(key) is { } slots ? Volatile.Read(ref slots[key & (ChunkSize - 1)]) : null;

    /// <summary>Stores <paramref name="stored"/> under its key, replacing what was there.</summary>
    public void Set(StoredPassage stored)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stored.Key);
        StoredPassage?[] slots = ChunkFor(stored.Key);
        ref StoredPassage? slot = ref slots[stored.Key & (ChunkSize - 1)];
        if (slot is null)
        {
            Volatile.Write(ref _count, _count + 1);
        }
        Volatile.Write(ref slot, stored);
    }

    /// <summary>Empties the slot of <paramref name="key"/>.</summary>
    public void Remove(long key)
    {
        if (ChunkOf(key) is not { } slots)
        {
            return;
        }
        ref StoredPassage? slot = ref slots[key & (ChunkSize - 1)];
        if (slot is not null)
        {
            Volatile.Write(ref slot, null);
            Volatile.Write(ref _count, _count - 1);
        }
    }

    /// <summary>Every stored passage, in key order: a copy of references taken while the writer may go on.</summary>
    public List<StoredPassage> InKeyOrder()
    {
        var all = new List<StoredPassage>(Count);
        foreach (StoredPassage?[]? slots in Volatile.Read(ref _chunks))
        {
            if (slots is null)
            {
                continue;
            }
            for (int i = 0; i < slots.Length; i++)
            {
                if (Volatile.Read(ref slots[i]) is { } stored)
                {
                    all.Add(stored);
                }
            }
        }
        return all;
    }

    /// <summary>The chunk that holds <paramref name="key"/>, or null when none was allocated (or the key is negative).</summary>
    private StoredPassage?[]? ChunkOf(long key)
    {
        StoredPassage?[]?[] chunks = Volatile.Read(ref _chunks);
        ulong chunk = (ulong)key >> ChunkBits;
        return key >= 0 && chunk < (ulong)chunks.Length ? chunks[chunk] : null;
    }

    /// <summary>The chunk that holds <paramref name="key"/>, allocated (and the chunk list grown) by the writer.</summary>
    private StoredPassage?[] ChunkFor(long key)
    {
        long chunk = key >> ChunkBits;
        StoredPassage?[]?[] chunks = _chunks;
        if (chunk >= chunks.Length)
        {
            // Readers keep using the old list until the new one, holding the same chunks, is published.
            var grown = new StoredPassage?[]?[Math.Max(chunk + 1, chunks.Length * 2L)];
            Array.Copy(chunks, grown, chunks.Length);
            Volatile.Write(ref _chunks, grown);
            chunks = grown;
        }
        if (chunks[chunk] is not { } slots)
        {
            slots = new StoredPassage?[ChunkSize];
            Volatile.Write(ref chunks[chunk], slots);
        }
        return slots;
    }
}
