using DprCluster.Encoders.OnnxRuntime;

namespace DprCluster.Encoders.Transformer;

/// <summary>How to run a <see cref="TransformerEncoder"/>.</summary>
public sealed record TransformerEncoderOptions
{
    /// <summary>ONNX Runtime session settings (threads, optimisation level, CPU or CUDA, library path).</summary>
    public OnnxSessionOptions Session { get; init; } = new();

    /// <summary>Most sequences per ONNX Runtime run; larger calls are split, which bounds the input buffers.</summary>
    public int MaxBatchSize { get; init; } = 128;
}
