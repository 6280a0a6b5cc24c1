namespace DprCluster.Training.Optimization;

/// <summary>DPR's schedule: linear warm-up over the first steps, then linear decay to zero at the last step.</summary>
public sealed record LearningRateSchedule(float Peak, long TotalSteps, long WarmupSteps)
{
    /// <summary>The rate for step <paramref name="step"/> (0-based).</summary>
    public float At(long step)
    {
        if (step < WarmupSteps)
        {
            return Peak * (step + 1) / WarmupSteps;
        }
        long decay = Math.Max(1, TotalSteps - WarmupSteps);
        return Peak * Math.Max(0, decay - (step - WarmupSteps)) / decay;
    }
}
