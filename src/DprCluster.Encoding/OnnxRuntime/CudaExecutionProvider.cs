using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// Adds CUDA to a session, first checking what ONNX Runtime's own error would leave vague: that this build carries the
/// GPU library at all, and that its CUDA provider library loads — naming the first CUDA library that does not.
/// </summary>
internal static partial class CudaExecutionProvider
{
    private const string ProviderName = "CUDAExecutionProvider";
    private const string ProviderLibrary = "libonnxruntime_providers_cuda.so";

    public static void Append(SessionOptions options, int deviceId)
    {
        IReadOnlyList<string> available = OnnxSession.AvailableProviders;
        string? providerPath = FindProviderLibrary();
        if (!available.Contains(ProviderName) || providerPath is null)
        {
            throw new ExecutionProviderUnavailableException(
                $"CUDA was requested but this build carries the CPU ONNX Runtime {OnnxSession.RuntimeVersion} (providers: " +
                $"{string.Join(", ", available)}; no {ProviderLibrary} beside the application). Build the encoder with " +
                "-p:DprOnnxRuntime=gpu (Microsoft.ML.OnnxRuntime.Gpu.Linux) or use the GPU image.");
        }
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(providerPath));
        }
        catch (DllNotFoundException e)
        {
            throw new ExecutionProviderUnavailableException(
                $"CUDA was requested but {providerPath} cannot load: {MissingLibrary(e.Message)} is missing. Install the " +
                "CUDA 13 runtime libraries (cuDNN 9, cuBLAS, cuFFT, cuRAND) on the host or use the GPU image; loader said: " + e.Message, e);
        }
        try
        {
            options.AppendExecutionProvider_CUDA(deviceId);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ExecutionProviderUnavailableException($"CUDA device {deviceId} cannot be used: {e.Message}", e);
        }
    }

    /// <summary>The shared object the dynamic loader could not find, taken from its message (dlerror).</summary>
    internal static string MissingLibrary(string loaderMessage)
    {
        foreach (Match match in SharedObjectName().Matches(loaderMessage))
        {
            if (!match.Value.Contains(ProviderLibrary, StringComparison.Ordinal)
                && loaderMessage.AsSpan(match.Index + match.Length).StartsWith(": cannot open shared object file"))
            {
                return match.Value;
            }
        }
        return "a library it depends on";
    }

    private static string? FindProviderLibrary()
    {
        string architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        foreach (string directory in new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", $"linux-{architecture}", "native") })
        {
            string path = Path.Combine(directory, ProviderLibrary);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    [GeneratedRegex(@"[\w.+-]+\.so(\.\d+)*")]
    private static partial Regex SharedObjectName();
}
