namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>Where a session runs its kernels.</summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's CPU kernels (every build).</summary>
    Cpu,
    /// <summary>NVIDIA CUDA; needs the GPU build (<c>-p:DprOnnxRuntime=gpu</c>) and the CUDA 13 runtime libraries.</summary>
    Cuda,
}
