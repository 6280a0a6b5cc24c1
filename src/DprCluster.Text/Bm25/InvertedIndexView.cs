namespace DprCluster.Text.Bm25;

/// <summary>
/// An <see cref="InvertedIndex"/> as it was at one moment, for writing out while writes go on. Posting arrays, term
/// names and lengths are only ever appended past their counts or replaced whole, so the view shares them; document
/// ids (cleared by deletes) and per-term counts are copied: a few bytes per term and per document.
/// </summary>
internal sealed class InvertedIndexView(string?[] documentIds, int[] lengths, string[] terms, InvertedIndexView.Term[] postings)
{
    /// <summary>A term's postings as of the view: the first <see cref="Count"/> entries of the two arrays.</summary>
    internal readonly record struct Term(int[] Documents, int[] Frequencies, int Count, int LiveDocumentFrequency);

    /// <summary>Document numbers handed out, deleted ones (null ids) included.</summary>
    public int DocumentSlots => documentIds.Length;

    public string?[] DocumentIds => documentIds;

    public bool IsDeleted(int document) => documentIds[document] is null;

    public int Length(int document) => lengths[document];

    public int TermCount => postings.Length;

    public string TermName(int termId) => terms[termId];

    public Term PostingsOf(int termId) => postings[termId];
}
