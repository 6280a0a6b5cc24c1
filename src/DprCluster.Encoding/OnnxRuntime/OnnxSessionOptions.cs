namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>How to open an <see cref="OnnxSession"/>.</summary>
public sealed record OnnxSessionOptions
{
    /// <summary>Threads inside one operator; 0 lets ORT choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads across independent operators (parallel execution mode only); 0 lets ORT choose.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>Run independent branches of the graph in parallel (ORT_PARALLEL) instead of sequentially.</summary>
    public bool ParallelExecution { get; init; }

    /// <summary>Graph rewrites applied when the session is created.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.All;

    /// <summary>
    /// Whether idle intra-op threads spin before sleeping; null keeps ORT's default (spin). Turning it off saves CPU
    /// when several sessions share few cores.
    /// </summary>
    public bool? AllowSpinning { get; init; }

    /// <summary>CPU or CUDA.</summary>
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device ordinal when <see cref="ExecutionProvider"/> is CUDA.</summary>
    public int CudaDeviceId { get; init; }
}
