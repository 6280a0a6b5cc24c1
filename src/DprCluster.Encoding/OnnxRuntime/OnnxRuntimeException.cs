namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// A failure reported by ONNX Runtime (its <c>OrtStatus</c> code and message) or detected by the binding around it
/// (library not found, version too old, execution provider missing).
/// </summary>
public sealed class OnnxRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxRuntimeException(OnnxRuntimeErrorCode errorCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = errorCode;
    }

    /// <summary>ORT's error code, or <see cref="OnnxRuntimeErrorCode.Ok"/> when the binding raised the error itself.</summary>
    public OnnxRuntimeErrorCode ErrorCode { get; }
}
