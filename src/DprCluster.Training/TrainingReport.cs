namespace DprCluster.Training;

/// <summary>One epoch's numbers; epoch 0 is the untrained model, validated before any step.</summary>
public sealed record EpochRecord(int Epoch, double Loss, double ValidationNdcg10, float LearningRate, double PairsPerSecond, double Seconds);

/// <summary>A progress report during an epoch.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Pairs, int PairsInEpoch, double Loss, double PairsPerSecond, float LearningRate);

/// <summary>What a run did: every epoch, which one's weights were kept, and what the run cost.</summary>
public sealed record TrainingReport(IReadOnlyList<EpochRecord> Epochs, int BestEpoch, double BestValidationNdcg10, bool StoppedEarly,
    int TrainingPairs, int ValidationQuestions, long Parameters);
