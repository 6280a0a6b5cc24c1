using DprCluster.Encoders.Trained;

namespace DprCluster.Encoders.Static;

/// <summary>
/// One side of the word-vector encoder: its word vectors, an optional linear map applied to the pooled sum, and optional
/// per-frequency-bucket weights (<see cref="FrequencyBuckets"/>) multiplying each word's SIF weight, and an optional
/// hashed-word channel appended to the vector.
/// </summary>
public sealed record StaticTower(WordVectorTable Vectors, LinearMap? Map = null, IReadOnlyList<float>? FrequencyWeights = null,
    HashedWordChannel? HashedWords = null);
