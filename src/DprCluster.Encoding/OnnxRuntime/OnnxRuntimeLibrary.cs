using System.Runtime.InteropServices;

namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// One loaded ONNX Runtime shared library: its <c>OrtApi</c> table, version, process-wide environment and CPU memory
/// description. Resolution order: the configured path, then <see cref="PathEnvironmentVariable"/>, then the copy the
/// build places next to the assemblies. Loaded libraries are cached per path and live for the process, because ORT
/// sessions must not outlive their environment.
/// </summary>
public sealed unsafe class OnnxRuntimeLibrary
{
    /// <summary>Environment variable naming the library to load (e.g. a GPU build with the CUDA provider).</summary>
    public const string PathEnvironmentVariable = "DPRCLUSTER_ONNXRUNTIME";

    /// <summary>File name of the library the build copies next to the assemblies.</summary>
    public const string BundledFileName = "libonnxruntime.so.1";

    private const int LoggingLevelWarning = 2;
    private const int ArenaAllocator = 1;
    private const int MemTypeDefault = 0;

    private static readonly Dictionary<string, OnnxRuntimeLibrary> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock LoadLock = new();

    private OnnxRuntimeLibrary(string path, string version, OrtApi api)
    {
        Path = path;
        Version = version;
        Api = api;
        nint env;
        fixed (byte* logId = "dprcluster"u8)
        {
            Check(api.CreateEnv(LoggingLevelWarning, logId, &env));
        }
        Environment = env;
        nint memoryInfo;
        Check(api.CreateCpuMemoryInfo(ArenaAllocator, MemTypeDefault, &memoryInfo));
        CpuMemoryInfo = memoryInfo;
        nint allocator;
        Check(api.GetAllocatorWithDefaultOptions(&allocator));
        DefaultAllocator = allocator;
        AvailableProviders = ReadAvailableProviders();
    }

    /// <summary>Full path of the loaded library.</summary>
    public string Path { get; }

    /// <summary>The version the library reports, e.g. "1.30.0".</summary>
    public string Version { get; }

    /// <summary>Execution providers compiled into this library, e.g. "CPUExecutionProvider", "CUDAExecutionProvider".</summary>
    public IReadOnlyList<string> AvailableProviders { get; }

    internal OrtApi Api { get; }

    internal nint Environment { get; }

    internal nint CpuMemoryInfo { get; }

    internal nint DefaultAllocator { get; }

    /// <summary>
    /// Loads (once per path) the library at <paramref name="configuredPath"/>, else at $DPRCLUSTER_ONNXRUNTIME, else
    /// the bundled copy. Throws <see cref="OnnxRuntimeException"/> naming the path when it is missing, not loadable,
    /// or older than the API this binding needs.
    /// </summary>
    public static OnnxRuntimeLibrary Load(string? configuredPath = null)
    {
        string path = ResolvePath(configuredPath);
        lock (LoadLock)
        {
            // Failures are not cached: a library fixed on disk loads on the next call.
            if (!Loaded.TryGetValue(path, out OnnxRuntimeLibrary? library))
            {
                library = LoadFrom(path);
                Loaded.Add(path, library);
            }
            return library;
        }
    }

    /// <summary>The path <see cref="Load"/> would use, without loading it.</summary>
    public static string ResolvePath(string? configuredPath = null)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return RequireFile(System.IO.Path.GetFullPath(configuredPath), "the configured ONNX Runtime path");
        }
        string? fromEnvironment = System.Environment.GetEnvironmentVariable(PathEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return RequireFile(System.IO.Path.GetFullPath(fromEnvironment), $"${PathEnvironmentVariable}");
        }
        foreach (string? folder in new[] { AppContext.BaseDirectory, System.IO.Path.GetDirectoryName(typeof(OnnxRuntimeLibrary).Assembly.Location) })
        {
            if (!string.IsNullOrEmpty(folder))
            {
                string candidate = System.IO.Path.Combine(folder, BundledFileName);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new OnnxRuntimeException(OnnxRuntimeErrorCode.Ok,
            $"No ONNX Runtime library found: none configured, ${PathEnvironmentVariable} is unset, and no {BundledFileName} " +
            $"lies next to the application ({AppContext.BaseDirectory}). The build copies it from the npm package " +
            "onnxruntime-node@1.30.0 on linux-x64; elsewhere set the path explicitly.");
    }

    private static string RequireFile(string path, string source) =>
        File.Exists(path)
            ? path
            : throw new OnnxRuntimeException(OnnxRuntimeErrorCode.NoSuchFile, $"ONNX Runtime library not found at {path} ({source}).");

    private static OnnxRuntimeLibrary LoadFrom(string path)
    {
        nint handle;
        try
        {
            handle = NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new OnnxRuntimeException(OnnxRuntimeErrorCode.Ok,
                $"Cannot load the ONNX Runtime library {path}: {e.Message}", e);
        }
        if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out nint getApiBase))
        {
            throw new OnnxRuntimeException(OnnxRuntimeErrorCode.Ok,
                $"{path} is not an ONNX Runtime library: it exports no OrtGetApiBase.");
        }
        // OrtApiBase is { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }.
        void** apiBase = ((delegate* unmanaged<void**>)getApiBase)();
        string version = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<byte*>)apiBase[1])()) ?? "unknown";
        void** table = ((delegate* unmanaged<uint, void**>)apiBase[0])(OrtApiSlot.RequiredApiVersion);
        if (table == null)
        {
            throw new OnnxRuntimeException(OnnxRuntimeErrorCode.NotImplemented,
                $"ONNX Runtime {version} at {path} does not provide C API version {OrtApiSlot.RequiredApiVersion}; " +
                "DprCluster needs ONNX Runtime 1.11 or newer (it is built and tested against 1.30.0).");
        }
        return new OnnxRuntimeLibrary(path, version, new OrtApi(table));
    }

    /// <summary>Throws the ORT error carried by a non-zero <c>OrtStatus*</c>, releasing the status.</summary>
    internal void Check(nint status)
    {
        if (status != 0)
        {
            throw ToException(status, null);
        }
    }

    /// <summary>Like <see cref="Check(nint)"/>, with what the binding was doing prefixed to ORT's message.</summary>
    internal void Check(nint status, string context)
    {
        if (status != 0)
        {
            throw ToException(status, context);
        }
    }

    private OnnxRuntimeException ToException(nint status, string? context)
    {
        var code = (OnnxRuntimeErrorCode)Api.GetErrorCode(status);
        string message = Marshal.PtrToStringUTF8((nint)Api.GetErrorMessage(status)) ?? "(no message)";
        Api.ReleaseStatus(status);
        return new OnnxRuntimeException(code, context is null ? $"ONNX Runtime: {message}" : $"{context}: {message}");
    }

    private string[] ReadAvailableProviders()
    {
        byte** names;
        int count;
        Check(Api.GetAvailableProviders(&names, &count));
        var providers = new string[count];
        for (int i = 0; i < count; i++)
        {
            providers[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? string.Empty;
        }
        Check(Api.ReleaseAvailableProviders(names, count));
        return providers;
    }
}
