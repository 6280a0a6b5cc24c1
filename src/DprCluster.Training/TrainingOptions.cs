using DprCluster.Training.Negatives;

namespace DprCluster.Training;

/// <summary>The knobs of one training run; <see cref="Validate"/> says what is out of range.</summary>
public sealed record TrainingOptions
{
    /// <summary>Questions per batch (each brings its positive and its own negatives).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Most passes over the training pairs; early stopping may end sooner.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Adam's peak learning rate (after warm-up).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>τ in exp(sim / τ): the towers compare unit vectors, so sims lie in [-1, 1].</summary>
    public float Temperature { get; init; } = 0.05f;

    /// <summary>Seeds shuffling, negative sampling and the held-out split.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Worker threads; a run is reproducible for a given seed and thread count.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>The negatives each question is contrasted with.</summary>
    public NegativeOptions Negatives { get; init; } = NegativeOptions.Default;

    /// <summary>Epochs without a better validation nDCG@10 before training stops.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>Fraction of all steps spent warming the learning rate up.</summary>
    public double WarmupFraction { get; init; } = 0.05;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        Require(BatchSize is >= 2 and <= 4096, "--batch must be from 2 to 4096");
        Require(Epochs is >= 1 and <= 1000, "--epochs must be from 1 to 1000");
        Require(float.IsFinite(LearningRate) && LearningRate > 0, "--lr must be a positive number");
        Require(float.IsFinite(Temperature) && Temperature is > 0 and <= 10, "--temperature must be in (0, 10]");
        Require(Threads is >= 1 and <= 256, "--threads must be from 1 to 256");
        Require(Patience >= 1, "--patience must be at least 1");
        Require(WarmupFraction is >= 0 and < 1, "the warm-up fraction must be in [0, 1)");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message + ".");
        }
    }
}
