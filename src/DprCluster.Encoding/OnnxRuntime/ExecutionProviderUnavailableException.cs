namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// An execution provider was asked for and cannot run here: the build carries the CPU ONNX Runtime, or a library the
/// provider needs (e.g. <c>libcublasLt.so.13</c>) cannot be loaded. The message names what is missing.
/// </summary>
public sealed class ExecutionProviderUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
