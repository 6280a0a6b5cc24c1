namespace DprCluster.Index;

/// <summary>
/// One result of a vector search: the external id and its score, higher is closer (the inner product for
/// <see cref="Vectors.Metric.InnerProduct"/>, the cosine for <see cref="Vectors.Metric.Cosine"/>, −‖a−b‖² for
/// <see cref="Vectors.Metric.L2"/>).
/// </summary>
public readonly record struct SearchHit(long Id, float Score);
