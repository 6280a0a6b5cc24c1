namespace DprCluster.Text.Corpora;

/// <summary>A query (question) of a retrieval benchmark; <see cref="Answers"/> is empty unless the data has answers.</summary>
public sealed record CorpusQuery(string Id, string Text, IReadOnlyList<string> Answers);
