using DprCluster.Text;
using DprCluster.Text.Corpora;
using DprCluster.Text.Metrics;

namespace DprCluster.Cli.Evaluation;

/// <summary>
/// DPR-style question answering retrieval: top-1/5/20/100 accuracy, a hit being a retrieved passage whose text
/// contains a normalised answer (<see cref="DprAnswerMatching"/>). Reads a SQuAD v1.1 JSON file, a directory holding
/// one with a <c>beir_format/</c> view, or a BEIR directory whose queries carry <c>metadata.answers</c>.
/// </summary>
internal static class QaEvaluation
{
    public static EvaluationReport Run(string path, string split, RetrievalMode mode, Bm25Settings bm25, int k, Uri? cluster, string encoder,
        HybridFusion fusion)
    {
        BeirDataset dataset = Load(path, split);
        foreach (CorpusQuery query in dataset.Queries)
        {
            if (query.Answers.Count == 0)
            {
                throw new CorpusFormatException(path, 0, $"question '{query.Id}' has no answers; --qa needs answer strings");
            }
        }
        var passages = new Dictionary<string, CorpusDocument>(dataset.Corpus.Count, StringComparer.Ordinal);
        foreach (CorpusDocument document in dataset.Corpus)
        {
            passages[document.Id] = document;
        }

        (IRetriever retriever, TimeSpan indexing) = RetrieverFactory.Build(mode, dataset.Corpus, bm25, cluster, encoder, fusion);
        try
        {
            (var run, double qps) = QueryRunner.Run(retriever, dataset.Queries, k);
            var passageWords = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var firstAnswerRanks = new List<int>(dataset.Queries.Count);
            foreach (CorpusQuery query in dataset.Queries)
            {
                var answers = new List<string[]>();
                foreach (string answer in query.Answers)
                {
                    answers.Add(DprAnswerMatching.Tokenize(answer));
                }
                IReadOnlyList<ScoredHit> hits = run[query.Id];
                int firstRank = 0;
                for (int i = 0; i < hits.Count && firstRank == 0; i++)
                {
                    if (!passageWords.TryGetValue(hits[i].Id, out string[]? words))
                    {
                        words = DprAnswerMatching.Tokenize(passages[hits[i].Id].Text);
                        passageWords[hits[i].Id] = words;
                    }
                    firstRank = DprAnswerMatching.ContainsAnswer(words, answers) ? i + 1 : 0;
                }
                firstAnswerRanks.Add(firstRank);
            }
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach ((int cutoff, double accuracy) in AnswerAccuracy.TopK(firstAnswerRanks, AnswerAccuracy.DprCutoffs))
            {
                metrics[$"Top-{cutoff} accuracy"] = accuracy;
            }
            return new EvaluationReport(path, split, mode.ToString().ToLowerInvariant(), retriever.Description,
                dataset.Corpus.Count, dataset.Queries.Count, k, indexing.TotalSeconds, qps, metrics);
        }
        finally
        {
            (retriever as IDisposable)?.Dispose();
        }
    }

    private static BeirDataset Load(string path, string split)
    {
        if (File.Exists(path))
        {
            return SquadReader.Read(path);
        }
        string beirView = Path.Combine(path, "beir_format");
        if (File.Exists(Path.Combine(beirView, "corpus.jsonl")))
        {
            return BeirDataset.Load(beirView, split);
        }
        if (File.Exists(Path.Combine(path, "corpus.jsonl")))
        {
            return BeirDataset.Load(path, split);
        }
        throw new FileNotFoundException(
            $"{path}: expected a SQuAD v1.1 JSON file, a directory with beir_format/, or a BEIR directory.", path);
    }
}
