namespace DprCluster.Text.Corpora;

/// <summary>A passage of a retrieval corpus.</summary>
public sealed record CorpusDocument(string Id, string Title, string Text);
