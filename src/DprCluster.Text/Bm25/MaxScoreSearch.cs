namespace DprCluster.Text.Bm25;

/// <summary>
/// Document-at-a-time top-k with MaxScore dynamic pruning (Turtle and Flood, 1995). Terms are sorted by their score
/// upper bound; the longest prefix whose bounds add up to less than the current k-th score is "non-essential": a
/// document found only in those lists cannot enter the top k, so candidates come from the essential lists alone, and
/// non-essential lists are probed (by galloping search) only while the candidate can still reach the threshold.
/// Final scores are summed in query-slot order, so they equal <see cref="ExhaustiveSearch"/>'s bit for bit.
/// </summary>
internal static class MaxScoreSearch
{
    // Relative slack on every bound comparison: covers float rounding in the per-term maxima and in the final sum,
    // so pruning never drops a document that would tie or beat the threshold.
    private const double BoundSlack = 1e-5;

    public static void Run(
        InvertedIndex index, ScoringTerm[] terms, int slotCount, LengthNormalization normalization, TopKHeap heap)
    {
        int m = terms.Length;
        Array.Sort(terms, static (x, y) => x.UpperBound.CompareTo(y.UpperBound));
        Span<int> cursors = m <= 64 ? stackalloc int[m] : new int[m];
        Span<double> prefixBounds = m <= 64 ? stackalloc double[m] : new double[m];
        Span<double> contributions = slotCount <= 64 ? stackalloc double[slotCount] : new double[slotCount];
        cursors.Clear();
        contributions.Clear();
        double running = 0;
        for (int i = 0; i < m; i++)
        {
            running += terms[i].UpperBound;
            prefixBounds[i] = running * (1 + BoundSlack);
        }

        float[] lengths = index.NormLengths;
        int firstEssential = 0;
        while (firstEssential < m)
        {
            int document = int.MaxValue;
            for (int i = firstEssential; i < m; i++)
            {
                PostingList postings = terms[i].Postings;
                if (cursors[i] < postings.Count && postings.Documents[cursors[i]] < document)
                {
                    document = postings.Documents[cursors[i]];
                }
            }
            if (document == int.MaxValue)
            {
                break;
            }

            bool live = !index.IsDeleted(document);
            float norm = normalization.Of(lengths[document]);
            double partial = 0;
            for (int i = firstEssential; i < m; i++)
            {
                PostingList postings = terms[i].Postings;
                int cursor = cursors[i];
                if (cursor < postings.Count && postings.Documents[cursor] == document)
                {
                    if (live)
                    {
                        float score = Bm25Formula.TermScore(terms[i].Weight, postings.Frequencies[cursor], norm);
                        contributions[terms[i].Slot] = score;
                        partial += score;
                    }
                    cursors[i] = cursor + 1;
                }
            }
            if (!live)
            {
                continue;
            }

            bool pruned = false;
            for (int i = firstEssential - 1; i >= 0; i--)
            {
                if (heap.IsFull && (partial + prefixBounds[i]) * (1 + BoundSlack) < heap.Threshold)
                {
                    pruned = true;
                    break;
                }
                PostingList postings = terms[i].Postings;
                int cursor = Seek(postings.Documents, cursors[i], postings.Count, document);
                cursors[i] = cursor;
                if (cursor < postings.Count && postings.Documents[cursor] == document)
                {
                    float score = Bm25Formula.TermScore(terms[i].Weight, postings.Frequencies[cursor], norm);
                    contributions[terms[i].Slot] = score;
                    partial += score;
                }
            }

            if (!pruned)
            {
                double total = 0;
                for (int s = 0; s < contributions.Length; s++)
                {
                    total += contributions[s];
                }
                heap.Offer((float)total, document);
                if (heap.IsFull)
                {
                    while (firstEssential < m && prefixBounds[firstEssential] * (1 + BoundSlack) < heap.Threshold)
                    {
                        firstEssential++;
                    }
                }
            }
            contributions.Clear();
        }
    }

    // First position at or after `from` whose document is ≥ target: gallop, then binary search.
    private static int Seek(int[] documents, int from, int count, int target)
    {
        if (from >= count || documents[from] >= target)
        {
            return from;
        }
        int low = from;
        int step = 1;
        int high = from + 1;
        while (high < count && documents[high] < target)
        {
            low = high;
            step <<= 1;
            high = from + step;
        }
        high = Math.Min(high, count);
        while (low + 1 < high)
        {
            int middle = (low + high) >>> 1;
            if (documents[middle] < target)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }
        return high;
    }
}
