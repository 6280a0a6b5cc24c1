namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>Where a session runs its kernels.</summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's CPU kernels (every build).</summary>
    Cpu,
    /// <summary>NVIDIA CUDA; needs a GPU build of ONNX Runtime (see <see cref="OnnxRuntimeLibrary.PathEnvironmentVariable"/>).</summary>
    Cuda,
}
