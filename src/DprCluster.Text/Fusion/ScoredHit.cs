namespace DprCluster.Text;

/// <summary>
/// One entry of a ranked list: a passage id and its score, higher is better. BM25 search returns these, fusion
/// combines lists of them and the metrics evaluate them.
/// </summary>
public readonly record struct ScoredHit(string Id, float Score);
