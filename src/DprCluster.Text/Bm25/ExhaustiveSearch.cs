namespace DprCluster.Text.Bm25;

/// <summary>
/// Reference top-k: scores every posting of every query term into per-document accumulators (term at a time, in
/// slot order, which is the same summation order <see cref="MaxScoreSearch"/> uses) and keeps the best k.
/// </summary>
internal static class ExhaustiveSearch
{
    public static void Run(InvertedIndex index, ScoringTerm[] termsBySlot, LengthNormalization normalization, TopKHeap heap)
    {
        var scores = new double[index.DocumentSlots];
        float[] lengths = index.NormLengths;
        foreach (ScoringTerm term in termsBySlot)
        {
            PostingList postings = term.Postings;
            int[] documents = postings.Documents;
            int[] frequencies = postings.Frequencies;
            for (int i = 0; i < postings.Count; i++)
            {
                int document = documents[i];
                if (!index.IsDeleted(document))
                {
                    scores[document] += Bm25Formula.TermScore(term.Weight, frequencies[i], normalization.Of(lengths[document]));
                }
            }
        }
        for (int d = 0; d < scores.Length; d++)
        {
            if (scores[d] > 0)
            {
                heap.Offer((float)scores[d], d);
            }
        }
    }
}
