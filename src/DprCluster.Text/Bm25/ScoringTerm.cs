namespace DprCluster.Text.Bm25;

/// <summary>
/// A query term prepared for one search: its postings, its weight (count × idf), the bound on any score it can
/// contribute, and its slot — its position in the query, which fixes the summation order.
/// </summary>
internal readonly record struct ScoringTerm(int Slot, PostingList Postings, float Weight, float UpperBound);
