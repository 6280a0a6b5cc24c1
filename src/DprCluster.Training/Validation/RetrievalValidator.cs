using System.Numerics.Tensors;
using DprCluster.Text;
using DprCluster.Text.Metrics;
using DprCluster.Training.Data;
using DprCluster.Training.Model;

namespace DprCluster.Training.Validation;

/// <summary>
/// nDCG@10 of the model being trained: the corpus encoded by its passage tower, each held-out question by its question
/// tower, exact inner-product top-10, trec_eval's nDCG against the question's judgments.
/// </summary>
public sealed class RetrievalValidator(TrainingSet set, int threads)
{
    private const int Cutoff = 10;

    /// <summary>Mean nDCG@10 over <paramref name="questions"/>; NaN when there are none.</summary>
    public double NdcgAt10(DualTowerModel model, IReadOnlyList<int> questions)
    {
        if (questions.Count == 0)
        {
            return double.NaN;
        }
        int d = model.Passages.Dimension;
        int n = set.Corpus.Count;
        var passages = new float[n * d];
        Encode(model.Passages, n, i => i, passages);
        var queries = new float[questions.Count * d];
        Encode(model.Questions, questions.Count, i => questions[i], queries);
        var scores = new double[questions.Count];
        Partition.Run(questions.Count, threads, (start, end) =>
        {
            var best = new ScoredHit[Cutoff];
            for (int i = start; i < end; i++)
            {
                int found = TopK(queries.AsSpan(i * d, d), passages, d, best);
                scores[i] = JudgedRanking.Create(best[..found], set.Judgments[questions[i]]).NdcgAt(Cutoff);
            }
        });
        double sum = 0;
        foreach (double score in scores)
        {
            sum += score;
        }
        return sum / scores.Length;
    }

    private void Encode(Tower tower, int count, Func<int, int> item, float[] destination)
    {
        int d = tower.Dimension;
        Partition.Run(count, threads, (start, end) =>
        {
            var input = new float[tower.InputDimension];
            for (int i = start; i < end; i++)
            {
                tower.Forward(item(i), input, destination.AsSpan(i * d, d));
            }
        });
    }

    /// <summary>The best passages for one question, best first, ties to the lower index as exact search breaks them.</summary>
    private int TopK(ReadOnlySpan<float> query, float[] passages, int d, ScoredHit[] best)
    {
        var indices = new int[best.Length];
        var values = new float[best.Length];
        int found = 0;
        int n = passages.Length / d;
        for (int j = 0; j < n; j++)
        {
            float score = TensorPrimitives.Dot(query, passages.AsSpan(j * d, d));
            if (found == best.Length && score <= values[found - 1])
            {
                continue;
            }
            int at = found == best.Length ? found - 1 : found++;
            while (at > 0 && values[at - 1] < score)
            {
                values[at] = values[at - 1];
                indices[at] = indices[at - 1];
                at--;
            }
            values[at] = score;
            indices[at] = j;
        }
        for (int i = 0; i < found; i++)
        {
            best[i] = new ScoredHit(set.Corpus[indices[i]].Id, values[i]);
        }
        return found;
    }
}
