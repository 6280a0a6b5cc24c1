namespace DprCluster.Text.Corpora;

/// <summary>
/// One line of a training-pairs file: a question and its positive passage, named by id in the corpus
/// (<see cref="PositiveId"/>) or given inline (<see cref="Positive"/>, whose id is "line-N").
/// </summary>
public sealed record QuestionPassagePair(string Question, string? PositiveId, CorpusDocument? Positive, long Line);
