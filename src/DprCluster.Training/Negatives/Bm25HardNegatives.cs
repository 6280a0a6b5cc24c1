using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;
using DprCluster.Text;
using DprCluster.Training.Data;

namespace DprCluster.Training.Negatives;

/// <summary>
/// Each training question's BM25 ranking over the corpus with its judged positives removed: the passages that share
/// its words but do not answer it, DPR's hard negatives. Mined once, with the project's own BM25 (Anserini's BEIR
/// settings), in parallel over questions.
/// </summary>
public static class Bm25HardNegatives
{
    /// <summary>
    /// Row q holds question q's top <paramref name="pool"/> non-positive passages (corpus indices, best first); rows of
    /// questions not trained on are empty. <paramref name="progress"/> hears the number of questions done.
    /// </summary>
    public static int[][] Mine(TrainingSet set, int pool, int threads, IProgress<int>? progress = null)
    {
        using var index = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        foreach (Text.Corpora.CorpusDocument document in set.Corpus)
        {
            index.Upsert(document.Id, document.Title, document.Text);
        }
        var negatives = new int[set.Questions.Count][];
        Array.Fill(negatives, []);
        int[] questions = [.. set.TrainQuestions];
        int done = 0;
        Partition.Run(questions.Length, threads, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                int q = questions[i];
                IReadOnlyList<ScoredHit> hits = index.Search(set.Questions[q], pool + set.Positives[q].Length);
                var kept = new List<int>(pool);
                foreach (ScoredHit hit in hits)
                {
                    int passage = set.PassageIndex[hit.Id];
                    if (!set.IsPositive(q, passage) && kept.Count < pool)
                    {
                        kept.Add(passage);
                    }
                }
                negatives[q] = [.. kept];
                progress?.Report(Interlocked.Increment(ref done));
            }
        });
        return negatives;
    }
}
