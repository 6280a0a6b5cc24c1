using DprCluster.Training.Loss;
using DprCluster.Training.Model;
using DprCluster.Training.Negatives;

namespace DprCluster.Training.Tests;

public class ContrastiveTrainerTests
{
    [Fact]
    public void TrainingLowersTheLossAndRaisesValidationOnASmallSet()
    {
        var set = TinyCorpus.Set(topics: 12, validationTopics: 3);
        StaticTowers towers = StaticTowers.Create(TinyCorpus.Encoder(), set);
        var trainer = new ContrastiveTrainer(towers.Model, set, Bm25HardNegatives.Mine(set, NegativeOptions.Bm25Pool, 1), new TrainingOptions
        {
            BatchSize = 8,
            Epochs = 15,
            LearningRate = 2e-3f,
            Patience = 15,
        });
        TrainingReport report = trainer.Train();
        Assert.True(report.Epochs[^1].Loss < 0.5 * report.Epochs[1].Loss,
            $"loss went from {report.Epochs[1].Loss:F4} to {report.Epochs[^1].Loss:F4}: " + string.Join(" ", report.Epochs.Select(e => $"{e.Loss:F3}/{e.ValidationNdcg10:F3}")));
        Assert.True(report.BestValidationNdcg10 > report.Epochs[0].ValidationNdcg10,
            $"validation nDCG@10 {report.Epochs[0].ValidationNdcg10:F4} untrained, best {report.BestValidationNdcg10:F4}");
    }

    [Fact]
    public void AnotherPositiveOfTheSameQuestionInTheBatchIsMaskedOnlyForThatQuestion()
    {
        var set = TinyCorpus.Set();
        var trainer = new ContrastiveTrainer(StaticTowers.Create(TinyCorpus.Encoder(), set).Model, set, null,
            new TrainingOptions { Negatives = new NegativeOptions(InBatch: true, Bm25: 0, Random: 0) });
        // Question 0 has positives p0 and p1; it appears twice, once with each.
        var plan = trainer.Plan([(0, 0), (0, 1), (2, 2)], new Random(1));
        int c = plan.Candidates.Length;
        int p0 = Array.IndexOf(plan.Candidates, 0);
        int p1 = Array.IndexOf(plan.Candidates, 1);
        int p2 = Array.IndexOf(plan.Candidates, 2);
        Assert.True(plan.Excluded[0 * c + p1], "row (q0, p0) must not treat p1, also a positive of q0, as a negative");
        Assert.True(plan.Excluded[1 * c + p0], "row (q0, p1) must not treat p0 as a negative");
        Assert.False(plan.Excluded[0 * c + p2], "p2 is an in-batch negative of q0");
        Assert.False(plan.Excluded[2 * c + p0], "p0 and p1 are in-batch negatives of q2");
        Assert.False(plan.Excluded[2 * c + p1], "p0 and p1 are in-batch negatives of q2");
        Assert.False(plan.Excluded[0 * c + p0]);
    }

    [Fact]
    public void WithoutInBatchNegativesAQuestionSeesOnlyItsPositiveAndItsOwnNegatives()
    {
        var set = TinyCorpus.Set();
        var trainer = new ContrastiveTrainer(StaticTowers.Create(TinyCorpus.Encoder(), set).Model, set, null,
            new TrainingOptions { Negatives = new NegativeOptions(InBatch: false, Bm25: 0, Random: 2) });
        var plan = trainer.Plan([(3, 3), (5, 5)], new Random(1));
        Assert.Equal(6, plan.Candidates.Length);
        int c = plan.Candidates.Length;
        for (int i = 0; i < 2; i++)
        {
            int visible = 0;
            for (int j = 0; j < c; j++)
            {
                visible += plan.Excluded[i * c + j] ? 0 : 1;
            }
            Assert.Equal(3, visible);
        }
        Assert.True(plan.Excluded[0 * c + Array.IndexOf(plan.Candidates, 5)]);
    }

    [Fact]
    public void AMaskedCandidateChangesNeitherLossNorGradients()
    {
        var random = new Random(3);
        const int d = 4;
        float[] q = [.. Enumerable.Range(0, 2 * d).Select(_ => random.NextSingle())];
        float[] three = [.. Enumerable.Range(0, 3 * d).Select(_ => random.NextSingle())];
        float[] two = [.. three.AsSpan(0, 2 * d)];
        var dqMasked = new float[2 * d];
        var dpMasked = new float[3 * d];
        float masked = InfoNceLoss.Compute(q, three, d, [0, 1], [false, false, true, false, false, true], 0.1f, dqMasked, dpMasked, new float[6]);
        var dq = new float[2 * d];
        var dp = new float[2 * d];
        float without = InfoNceLoss.Compute(q, two, d, [0, 1], new bool[4], 0.1f, dq, dp, new float[4]);
        Assert.Equal(without, masked, 5);
        Assert.Equal(dq, dqMasked);
        Assert.Equal(dp, dpMasked[..(2 * d)]);
        Assert.All(dpMasked[(2 * d)..], g => Assert.Equal(0, g));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(1, 16)]
    [InlineData(2, 16)]
    public void ARunIsReproducibleForASeedAndThreadCount(int threads, int hashedDimensions)
    {
        float[][] Run()
        {
            // No validation questions: every epoch's weights are kept, so the run's last weights are compared.
            var set = TinyCorpus.Set(topics: 12, validationTopics: 0);
            StaticTowers towers = StaticTowers.Create(TinyCorpus.Encoder(), set, hashedDimensions);
            new ContrastiveTrainer(towers.Model, set, Bm25HardNegatives.Mine(set, NegativeOptions.Bm25Pool, threads), new TrainingOptions
            {
                BatchSize = 8,
                Epochs = 3,
                LearningRate = 2e-3f,
                Seed = 42,
                Threads = threads,
                Negatives = new NegativeOptions(InBatch: true, Bm25: 2, Random: 2),
            }).Train();
            return towers.Model.Snapshot();
        }
        float[][] first = Run();
        float[][] second = Run();
        Assert.Equal(first.Length, second.Length);
        for (int p = 0; p < first.Length; p++)
        {
            Assert.Equal(first[p], second[p]);
        }
        float[][] untrained = StaticTowers.Create(TinyCorpus.Encoder(), TinyCorpus.Set(12, 0), hashedDimensions).Model.Snapshot();
        for (int p = 0; p < first.Length; p++)
        {
            Assert.NotEqual(untrained[p], first[p]);
        }
    }
}
