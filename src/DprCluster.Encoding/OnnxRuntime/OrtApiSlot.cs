namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// Positions of the functions this binding calls in ONNX Runtime's <c>OrtApi</c> table
/// (include/onnxruntime/core/session/onnxruntime_c_api.h, ORT_API_VERSION 30). The table only ever grows at its end,
/// so a slot never moves; ORT's own static_asserts pin the checkpoints ReleaseCustomOpDomain = 101 (API 1),
/// ReleaseModelMetadata = 118 (2), ReleaseAvailableProviders = 126 (4), SetGlobalSpinControl = 149 (5),
/// ReleaseArenaCfg = 157 (6) and CreateSessionFromArrayWithPrepackedWeightsContainer = 169 (8), which these values agree with.
/// </summary>
internal static class OrtApiSlot
{
    public const int GetErrorCode = 1;
    public const int GetErrorMessage = 2;
    public const int CreateEnv = 3;
    public const int CreateSession = 7;
    public const int Run = 9;
    public const int CreateSessionOptions = 10;
    public const int SetSessionExecutionMode = 13;
    public const int SetSessionGraphOptimizationLevel = 23;
    public const int SetIntraOpNumThreads = 24;
    public const int SetInterOpNumThreads = 25;
    public const int SessionGetInputCount = 30;
    public const int SessionGetOutputCount = 31;
    public const int SessionGetInputTypeInfo = 33;
    public const int SessionGetOutputTypeInfo = 34;
    public const int SessionGetInputName = 36;
    public const int SessionGetOutputName = 37;
    public const int CreateRunOptions = 39;
    public const int RunOptionsSetTerminate = 46;
    public const int CreateTensorWithDataAsOrtValue = 49;
    public const int GetTensorMutableData = 51;
    public const int CastTypeInfoToTensorInfo = 55;
    public const int GetOnnxTypeFromTypeInfo = 56;
    public const int GetTensorElementType = 60;
    public const int GetDimensionsCount = 61;
    public const int GetDimensions = 62;
    public const int GetTensorTypeAndShape = 65;
    public const int CreateCpuMemoryInfo = 69;
    public const int AllocatorFree = 76;
    public const int GetAllocatorWithDefaultOptions = 78;
    public const int ReleaseStatus = 93;
    public const int ReleaseSession = 95;
    public const int ReleaseValue = 96;
    public const int ReleaseRunOptions = 97;
    public const int ReleaseTypeInfo = 98;
    public const int ReleaseTensorTypeAndShapeInfo = 99;
    public const int ReleaseSessionOptions = 100;
    public const int GetAvailableProviders = 125;
    public const int ReleaseAvailableProviders = 126;
    public const int AddSessionConfigEntry = 130;
    public const int SessionOptionsAppendExecutionProviderCudaV2 = 204;
    public const int CreateCudaProviderOptions = 205;
    public const int UpdateCudaProviderOptions = 206;
    public const int ReleaseCudaProviderOptions = 208;

    /// <summary>The API version whose table holds every slot above (CUDA V2 options arrived in API 11).</summary>
    public const uint RequiredApiVersion = 11;
}
