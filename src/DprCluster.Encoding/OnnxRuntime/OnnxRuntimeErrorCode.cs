namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>ONNX Runtime's <c>OrtErrorCode</c>, carried by <see cref="OnnxRuntimeException"/>.</summary>
public enum OnnxRuntimeErrorCode
{
    /// <summary>Not an ORT status: the binding itself detected the problem.</summary>
    Ok = 0,
    /// <summary>Unspecified failure.</summary>
    Fail = 1,
    /// <summary>An argument (shape, type, name) was not acceptable.</summary>
    InvalidArgument = 2,
    /// <summary>A file did not exist.</summary>
    NoSuchFile = 3,
    /// <summary>No model was loaded.</summary>
    NoModel = 4,
    /// <summary>The execution engine failed.</summary>
    EngineError = 5,
    /// <summary>A runtime error, including a run cancelled through its run options.</summary>
    RuntimeException = 6,
    /// <summary>The model file is not a valid ONNX protobuf.</summary>
    InvalidProtobuf = 7,
    /// <summary>The model was already loaded.</summary>
    ModelLoaded = 8,
    /// <summary>The operation is not implemented in this build.</summary>
    NotImplemented = 9,
    /// <summary>The model graph is invalid.</summary>
    InvalidGraph = 10,
    /// <summary>An execution provider failed.</summary>
    ExecutionProviderFail = 11,
}
