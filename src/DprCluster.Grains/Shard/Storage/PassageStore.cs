using System.Collections.Concurrent;
using DprCluster.Abstractions;
using DprCluster.Core.Hashing;

namespace DprCluster.Grains.Shard.Storage;

/// <summary>
/// The shard's passages by id, and the 64-bit key each id has in the HNSW graph. Keys are handed out in write order
/// and never reused, so replaying the log reproduces them exactly. One writer, any number of readers.
/// </summary>
public sealed class PassageStore
{
    private readonly ConcurrentDictionary<string, StoredPassage> _byId = new(StringComparer.Ordinal);
    private readonly PassageTable _byKey = new();

    /// <summary>Creates an empty store whose first key is <paramref name="nextKey"/>.</summary>
    public PassageStore(long nextKey = 0)
    {
        NextKey = nextKey;
    }

    /// <summary>The key the next new id will get.</summary>
    public long NextKey { get; private set; }

    /// <summary>Stored passages.</summary>
    public int Count => _byKey.Count;

    /// <summary>
    /// Sum (mod 2^64) of a mix of every stored passage's id hash and content fingerprint: independent of write order and
    /// of graph keys, so two replicas that store the same passages have the same digest.
    /// </summary>
    public ulong ContentDigest { get; private set; }

    /// <summary>Stores or replaces <paramref name="passage"/> and returns its key (unchanged for a replacement).</summary>
    public long Upsert(Passage passage)
    {
        long key;
        if (_byId.TryGetValue(passage.Id, out StoredPassage? existing))
        {
            key = existing.Key;
            ContentDigest -= DigestOf(existing.Passage);
        }
        else
        {
            key = NextKey++;
        }
        ContentDigest += DigestOf(passage);
        var stored = new StoredPassage(key, passage);
        _byKey.Set(stored);
        _byId[passage.Id] = stored;
        return key;
    }

    /// <summary>Removes <paramref name="id"/>; returns its key, or null when absent.</summary>
    public long? Remove(string id)
    {
        if (!_byId.TryRemove(id, out StoredPassage? stored))
        {
            return null;
        }
        _byKey.Remove(stored.Key);
        ContentDigest -= DigestOf(stored.Passage);
        return stored.Key;
    }

    /// <summary>The key of <paramref name="id"/>, or null.</summary>
    public long? KeyOf(string id) => _byId.TryGetValue(id, out StoredPassage? stored) ? stored.Key : null;

    /// <summary>The passage with <paramref name="id"/>, or null.</summary>
    public Passage? Get(string id) => _byId.TryGetValue(id, out StoredPassage? stored) ? stored.Passage : null;

    /// <summary>The passage with graph key <paramref name="key"/>, or null (deleted meanwhile).</summary>
    public Passage? GetByKey(long key) => _byKey.Get(key)?.Passage;

    /// <summary>Every stored passage with its key, in key order: a copy of references (passages are immutable).</summary>
    public List<StoredPassage> Freeze() => _byKey.InKeyOrder();

    /// <summary>
    /// Up to <paramref name="count"/> stored passages drawn uniformly (reservoir sampling, one pass), leaving out
    /// <paramref name="excluded"/> ids; the same seed over the same passages draws the same ones.
    /// </summary>
    public List<StoredPassage> Sample(int count, int seed, IReadOnlySet<string> excluded)
    {
        var chosen = new List<StoredPassage>(Math.Min(count, _byKey.Count));
        if (count <= 0)
        {
            return chosen;
        }
        var random = new Random(seed);
        int seen = 0;
        foreach (StoredPassage stored in _byKey.InKeyOrder())
        {
            if (excluded.Contains(stored.Passage.Id))
            {
                continue;
            }
            seen++;
            if (chosen.Count < count)
            {
                chosen.Add(stored);
            }
            else if (random.Next(seen) is int slot && slot < count)
            {
                chosen[slot] = stored;
            }
        }
        return chosen;
    }

    /// <summary>Restores a passage read from a snapshot.</summary>
    internal void Restore(StoredPassage stored)
    {
        _byKey.Set(stored);
        _byId[stored.Passage.Id] = stored;
        ContentDigest += DigestOf(stored.Passage);
    }

    /// <summary>A well-mixed 64-bit value of the passage's id and content (a bare sum of FNV values would cancel too easily).</summary>
    private static ulong DigestOf(Passage passage)
    {
        ulong x = PassageIdHash.Hash64(passage.Id) ^ (PassageContentHash.Of(passage.Title, passage.Text, passage.Metadata) * 0x9E3779B97F4A7C15UL);
        // SplitMix64's finaliser.
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

/// <summary>A passage and its graph key.</summary>
public sealed record StoredPassage(long Key, Passage Passage);
