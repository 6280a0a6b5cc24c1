namespace DprCluster.Text.Bm25;

/// <summary>One term read back from an index file: its text and its postings (document numbers and frequencies).</summary>
internal readonly record struct RestoredTerm(string Text, int[] Documents, int[] Frequencies);
