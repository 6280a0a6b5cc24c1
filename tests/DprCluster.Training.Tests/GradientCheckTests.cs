using DprCluster.Training.Loss;
using DprCluster.Training.Model;
using DprCluster.Training.Negatives;
using DprCluster.Training.Optimization;

namespace DprCluster.Training.Tests;

/// <summary>Hand-written gradients against central finite differences of the same loss.</summary>
public class GradientCheckTests
{
    private const float Step = 1e-3f;

    [Fact]
    public void InfoNceGradientsMatchFiniteDifferences()
    {
        var random = new Random(5);
        const int d = 6, b = 3, c = 5;
        float[] q = Random(random, b * d);
        float[] p = Random(random, c * d);
        int[] targets = [0, 2, 4];
        var excluded = new bool[b * c];
        excluded[0 * c + 1] = true;
        var dq = new float[b * d];
        var dp = new float[c * d];
        InfoNceLoss.Compute(q, p, d, targets, excluded, 0.5f, dq, dp, new float[b * c]);
        float Loss() => InfoNceLoss.Compute(q, p, d, targets, excluded, 0.5f, new float[b * d], new float[c * d], new float[b * c]);
        for (int i = 0; i < q.Length; i++)
        {
            AssertClose(dq[i], Numeric(q, i, Loss), $"dL/dq[{i}]");
        }
        for (int i = 0; i < p.Length; i++)
        {
            AssertClose(dp[i], Numeric(p, i, Loss), $"dL/dp[{i}]");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    public void StaticTowerGradientsMatchFiniteDifferences(int hashedDimensions)
    {
        StaticTowers towers = StaticTowers.Create(TinyCorpus.Encoder(), TinyCorpus.Set(), hashedDimensions);
        // Move every parameter off its initial value so no gradient is zero by symmetry (identity maps, zero log-weights,
        // the question channel's zero scale).
        Perturb(towers.Model, new Random(11));
        CheckModel(towers.Model);
    }

    [Fact]
    public void AdapterGradientsMatchFiniteDifferences()
    {
        var random = new Random(13);
        var set = TinyCorpus.Set();
        const int d = 5;
        DualTowerModel model = Adapters.Create(Random(random, set.Questions.Count * d), Random(random, set.Corpus.Count * d), d, adaptPassages: true);
        Perturb(model, random);
        CheckModel(model);
    }

    private static void CheckModel(DualTowerModel model)
    {
        var set = TinyCorpus.Set();
        var hard = Bm25HardNegatives.Mine(set, NegativeOptions.Bm25Pool, threads: 1);
        var trainer = new ContrastiveTrainer(model, set, hard, new TrainingOptions
        {
            Temperature = 0.2f,
            Negatives = new NegativeOptions(InBatch: true, Bm25: 2, Random: 1),
        });
        var plan = trainer.Plan([(0, 0), (0, 1), (3, 3), (5, 5), (8, 8)], new Random(2));
        trainer.Evaluate(plan, gradients: true);
        Gradients analytic = trainer.SummedGradients;
        float Loss() => trainer.Evaluate(plan, gradients: false);
        var pick = new Random(17);
        for (int index = 0; index < model.Parameters.Count; index++)
        {
            Parameter parameter = model.Parameters[index];
            float[] gradient = analytic.Of(index).ToArray();
            IEnumerable<int> coordinates = parameter.Sparse
                ? analytic.TouchedRows(index).Take(6).SelectMany(row => Enumerable.Range(row * parameter.RowLength, parameter.RowLength))
                : Enumerable.Range(0, 40).Select(_ => pick.Next(parameter.Values.Length));
            int checkedCount = 0;
            foreach (int i in coordinates)
            {
                AssertClose(gradient[i], Numeric(parameter.Values, i, Loss), $"{parameter.Name}[{i}]");
                checkedCount++;
            }
            Assert.True(checkedCount > 0, $"{parameter.Name}: no coordinate checked");
            Assert.Contains(gradient, g => Math.Abs(g) > 1e-5);
        }
    }

    private static void Perturb(DualTowerModel model, Random random)
    {
        foreach (Parameter parameter in model.Parameters)
        {
            for (int i = 0; i < parameter.Values.Length; i++)
            {
                parameter.Values[i] += (random.NextSingle() - 0.5f) * 0.4f;
            }
        }
    }

    private static float Numeric(float[] values, int i, Func<float> loss)
    {
        float kept = values[i];
        values[i] = kept + Step;
        double up = loss();
        values[i] = kept - Step;
        double down = loss();
        values[i] = kept;
        return (float)((up - down) / (2 * Step));
    }

    private static void AssertClose(float analytic, float numeric, string what) =>
        Assert.True(Math.Abs(analytic - numeric) <= 2e-3 + 3e-2 * Math.Abs(numeric),
            $"{what}: analytic {analytic:G6}, finite difference {numeric:G6}");

    private static float[] Random(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.NextSingle() * 2 - 1;
        }
        return values;
    }
}
