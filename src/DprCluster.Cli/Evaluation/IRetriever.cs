using DprCluster.Text;

namespace DprCluster.Cli.Evaluation;

/// <summary>
/// A retrieval method under evaluation: answers one query with its best passages (BM25, dense, hybrid, or a running
/// cluster).
/// </summary>
internal interface IRetriever
{
    /// <summary>One line describing the method and its settings, for reports.</summary>
    string Description { get; }

    /// <summary>The best <paramref name="k"/> passages for <paramref name="query"/>, best first.</summary>
    IReadOnlyList<ScoredHit> Search(string query, int k);
}
