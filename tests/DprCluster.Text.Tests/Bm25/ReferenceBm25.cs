namespace DprCluster.Text.Tests.Bm25;

/// <summary>
/// A deliberately naive BM25 (Lucene's formula, in double): scores every document against every query term from
/// the raw term lists. The index must agree with it.
/// </summary>
internal static class ReferenceBm25
{
    public static Dictionary<string, double> Scores(
        IReadOnlyList<(string Id, string[] Terms)> documents, IReadOnlyList<string> query, double k1, double b)
    {
        int n = documents.Count;
        double averageLength = documents.Average(d => (double)d.Terms.Length);
        var scores = new Dictionary<string, double>();
        foreach (string term in query.Distinct())
        {
            int count = query.Count(t => t == term);
            int df = documents.Count(d => d.Terms.Contains(term));
            double idf = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
            foreach ((string id, string[] terms) in documents)
            {
                int tf = terms.Count(t => t == term);
                if (tf == 0)
                {
                    continue;
                }
                double norm = k1 * (1 - b + b * terms.Length / averageLength);
                scores[id] = scores.GetValueOrDefault(id) + count * idf * tf / (tf + norm);
            }
        }
        return scores;
    }
}
