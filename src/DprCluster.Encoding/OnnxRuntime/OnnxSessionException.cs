namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>ONNX Runtime could not open a model (malformed file, unsupported operator); the message names the file.</summary>
public sealed class OnnxSessionException(string message, Exception inner) : Exception(message, inner);
