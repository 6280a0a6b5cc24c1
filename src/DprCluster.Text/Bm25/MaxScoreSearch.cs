using System.Numerics;

namespace DprCluster.Text.Bm25;

/// <summary>
/// Top-k with MaxScore dynamic pruning (Turtle and Flood, 1995), evaluated window by window as Lucene's
/// <c>MaxScoreBulkScorer</c> does. Terms are sorted by their score upper bound; the longest prefix whose bounds add
/// up to less than the current k-th score is "non-essential": a document found only in those lists cannot enter the
/// top k. For each window of document numbers the essential lists are scored term-at-a-time into the window; then
/// each touched document probes the non-essential lists (galloping search), strongest bound first, only while its
/// score plus the remaining bounds can still reach the threshold. Long posting lists of common terms are thus mostly
/// skipped. Each contribution is kept in a row per query slot, and a surviving candidate's score is summed in slot
/// order, so scores equal <see cref="ExhaustiveSearch"/>'s bit for bit.
/// </summary>
internal static class MaxScoreSearch
{
    // Windows start at 64 documents and double up to 4096 (fewer for long queries, so the contribution rows stay
    // ≤ 1 MiB): small first windows fill the top k, and so raise the threshold, before much is scored.
    private const int MinWindowBits = 6;
    private const int MaxWindowBits = 12;
    private const int ContributionBudget = 1 << 18;

    // Relative slack on every bound comparison: covers float rounding in the per-term maxima and in the final sum,
    // so pruning never drops a document that would tie or beat the threshold.
    private const double Slack = 1 + 1e-5;

    public static void Run(InvertedIndex index, ScoringTerm[] terms, LengthNormalization normalization, TopKHeap heap)
    {
        int m = terms.Length;
        if (m == 0)
        {
            return;
        }
        Array.Sort(terms, static (x, y) => x.UpperBound.CompareTo(y.UpperBound));

        // Row of each term (in bound order) = its rank in slot order, so walking rows upwards sums in slot order.
        var byRank = new int[m];
        for (int i = 0; i < m; i++)
        {
            byRank[i] = i;
        }
        Array.Sort(byRank, (x, y) => terms[x].Slot.CompareTo(terms[y].Slot));
        var rows = new int[m];
        for (int rank = 0; rank < m; rank++)
        {
            rows[byRank[rank]] = rank;
        }

        var prefixBounds = new double[m];
        double running = 0;
        for (int i = 0; i < m; i++)
        {
            running += terms[i].UpperBound;
            prefixBounds[i] = running * Slack;
        }

        int maxBits = Math.Clamp(BitOperations.Log2((uint)(ContributionBudget / m)), MinWindowBits, MaxWindowBits);
        Window window = Window.Rent(maxBits, m);
        var cursors = new int[m];
        int firstEssential = 0;
        int windowSize = 1 << MinWindowBits;
        int windowEnd;
        for (int windowStart = 0; windowStart < index.DocumentSlots; windowStart = windowEnd)
        {
            if (heap.IsFull)
            {
                while (firstEssential < m && prefixBounds[firstEssential] * Slack < heap.Threshold)
                {
                    firstEssential++;
                }
                if (firstEssential == m)
                {
                    break;
                }
            }
            windowEnd = (int)Math.Min((long)windowStart + windowSize, index.DocumentSlots);
            ScoreEssentialTerms(index, terms, rows, firstEssential, cursors, windowStart, windowEnd, normalization, window);
            CollectCandidates(index, terms, rows, firstEssential, prefixBounds, cursors, windowStart,
                windowEnd - windowStart, normalization, window, heap);
            windowSize = Math.Min(windowSize * 2, 1 << maxBits);
        }
        Window.Return(window);
    }

    // Term-at-a-time over the essential lists, restricted to the window's documents.
    private static void ScoreEssentialTerms(
        InvertedIndex index, ScoringTerm[] terms, int[] rows, int firstEssential, int[] cursors, int windowStart,
        int windowEnd, LengthNormalization normalization, Window window)
    {
        float[] lengths = index.NormLengths;
        float[] contributions = window.Contributions;
        double[] partial = window.Partial;
        ulong[] present = window.Present;
        ulong[] touched = window.Touched;
        int words = window.MaskWords;
        for (int i = firstEssential; i < terms.Length; i++)
        {
            PostingList postings = terms[i].Postings;
            int[] documents = postings.Documents;
            int[] frequencies = postings.Frequencies;
            float weight = terms[i].Weight;
            int row = rows[i];
            int rowStart = row << window.Bits;
            int maskWord = row >> 6;
            ulong maskBit = 1UL << row;
            int cursor = Seek(documents, cursors[i], postings.Count, windowStart);
            for (; cursor < postings.Count; cursor++)
            {
                int document = documents[cursor];
                if (document >= windowEnd)
                {
                    break;
                }
                if (index.IsDeleted(document))
                {
                    continue;
                }
                int d = document - windowStart;
                float score = Bm25Formula.TermScore(weight, frequencies[cursor], normalization.Of(lengths[document]));
                contributions[rowStart + d] = score;
                partial[d] += score;
                present[d * words + maskWord] |= maskBit;
                touched[d >> 6] |= 1UL << d;
            }
            cursors[i] = cursor;
        }
    }

    // Completes each touched document with the non-essential terms unless its bound falls below the threshold,
    // offers the survivors, and leaves the window's scratch zeroed.
    private static void CollectCandidates(
        InvertedIndex index, ScoringTerm[] terms, int[] rows, int firstEssential, double[] prefixBounds,
        int[] cursors, int windowStart, int windowLength, LengthNormalization normalization, Window window,
        TopKHeap heap)
    {
        float[] lengths = index.NormLengths;
        float[] contributions = window.Contributions;
        double[] partial = window.Partial;
        ulong[] present = window.Present;
        ulong[] touched = window.Touched;
        int words = window.MaskWords;
        int bits = window.Bits;
        for (int word = 0; word < (windowLength + 63) >> 6; word++)
        {
            ulong set = touched[word];
            touched[word] = 0;
            while (set != 0)
            {
                int d = (word << 6) | BitOperations.TrailingZeroCount(set);
                set &= set - 1;
                int document = windowStart + d;
                double score = partial[d];
                partial[d] = 0;

                bool competitive = true;
                for (int i = firstEssential - 1; i >= 0; i--)
                {
                    if (heap.IsFull && (score + prefixBounds[i]) * Slack < heap.Threshold)
                    {
                        competitive = false;
                        break;
                    }
                    PostingList postings = terms[i].Postings;
                    int cursor = Seek(postings.Documents, cursors[i], postings.Count, document);
                    cursors[i] = cursor;
                    if (cursor < postings.Count && postings.Documents[cursor] == document)
                    {
                        float contribution = Bm25Formula.TermScore(
                            terms[i].Weight, postings.Frequencies[cursor], normalization.Of(lengths[document]));
                        int row = rows[i];
                        contributions[(row << bits) + d] = contribution;
                        present[d * words + (row >> 6)] |= 1UL << row;
                        score += contribution;
                    }
                }
                competitive &= !heap.IsFull || score * Slack >= heap.Threshold;

                // Sum (when competitive) and clear the rows this document wrote, in slot order.
                double total = 0;
                for (int w = 0; w < words; w++)
                {
                    ulong rowBits = present[d * words + w];
                    present[d * words + w] = 0;
                    while (rowBits != 0)
                    {
                        int row = (w << 6) | BitOperations.TrailingZeroCount(rowBits);
                        rowBits &= rowBits - 1;
                        total += contributions[(row << bits) + d];
                        contributions[(row << bits) + d] = 0;
                    }
                }
                if (competitive)
                {
                    heap.Offer((float)total, document);
                }
            }
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

    // Per-window scratch: a contribution row per term, partial sums, a per-document mask of the rows written, and a
    // bitmap of the documents touched. Consumed entries are zeroed as they are read, so the scratch is all zeros
    // after a search; one cleared instance per thread is therefore kept and reused without clearing again.
    private sealed class Window
    {
        private const int CachedMaskWords = 1;

        [ThreadStatic]
        private static Window? s_cached;

        private Window(int contributions, int documents, int maskWords)
        {
            Contributions = new float[contributions];
            Partial = new double[documents];
            Present = new ulong[documents * maskWords];
            Touched = new ulong[documents / 64];
        }

        public int Bits { get; private set; }

        public int MaskWords { get; private set; }

        public float[] Contributions { get; }

        public double[] Partial { get; }

        public ulong[] Present { get; }

        public ulong[] Touched { get; }

        // This thread's cached scratch when it is large enough, else a new one.
        public static Window Rent(int bits, int terms)
        {
            int maskWords = (terms + 63) >> 6;
            Window? window = s_cached;
            if (window is not null && terms << bits <= window.Contributions.Length && maskWords <= CachedMaskWords)
            {
                s_cached = null;
            }
            else
            {
                window = maskWords <= CachedMaskWords && terms << bits <= ContributionBudget
                    ? new Window(ContributionBudget, 1 << MaxWindowBits, CachedMaskWords)
                    : new Window(terms << bits, 1 << bits, maskWords);
            }
            window.Bits = bits;
            window.MaskWords = maskWords;
            return window;
        }

        // Keeps a scratch that a completed search left zeroed for this thread's next search.
        public static void Return(Window window)
        {
            if (window.Contributions.Length == ContributionBudget && window.Touched.Length == (1 << MaxWindowBits) / 64)
            {
                s_cached = window;
            }
        }
    }
}
