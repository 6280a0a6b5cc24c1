using DprCluster.Index.Vectors;

namespace DprCluster.Index;

/// <summary>
/// A mutable set of (64-bit id, vector) pairs answering top-k similarity queries. Implementations allow searches
/// concurrently with writes; writes are serialised internally.
/// </summary>
public interface IVectorIndex
{
    /// <summary>Number of dimensions every vector must have.</summary>
    int Dimensions { get; }

    /// <summary>The similarity used for scoring.</summary>
    Metric Metric { get; }

    /// <summary>Number of live (not deleted) vectors.</summary>
    int Count { get; }

    /// <summary>Adds a vector, or replaces the vector of an id that is already present.</summary>
    void Add(long id, ReadOnlySpan<float> vector);

    /// <summary>Removes an id; returns false when it was not present.</summary>
    bool Remove(long id);

    /// <summary>True when <paramref name="id"/> is present.</summary>
    bool Contains(long id);

    /// <summary>
    /// Writes the best min(k, Count) hits, best first, into <paramref name="results"/> and returns how many were written.
    /// </summary>
    int Search(ReadOnlySpan<float> query, int k, Span<SearchHit> results);
}
