using Microsoft.ML.OnnxRuntime;

namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// An ONNX Runtime inference session over a model file (ONNX Runtime's own packages): the model's input and output
/// metadata, the thread and provider settings of <see cref="OnnxSessionOptions"/>, and <see cref="Bind"/> for runs
/// over caller-owned buffers. Runs on different bindings may be issued concurrently.
/// </summary>
public sealed class OnnxSession : IDisposable
{
    private readonly InferenceSession _session;

    private OnnxSession(string modelPath, InferenceSession session, ExecutionProvider provider)
    {
        ModelPath = modelPath;
        _session = session;
        ExecutionProvider = provider;
        Inputs = Describe(session.InputNames, session.InputMetadata);
        Outputs = Describe(session.OutputNames, session.OutputMetadata);
    }

    /// <summary>Version of the loaded ONNX Runtime library, e.g. "1.31.1".</summary>
    public static string RuntimeVersion => OrtEnv.Instance().GetVersionString();

    /// <summary>Execution providers the loaded library was built with.</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>Full path of the model file.</summary>
    public string ModelPath { get; }

    /// <summary>Where the session runs.</summary>
    public ExecutionProvider ExecutionProvider { get; }

    /// <summary>The model's inputs, in ORT's order.</summary>
    public IReadOnlyList<TensorMetadata> Inputs { get; }

    /// <summary>The model's outputs, in ORT's order.</summary>
    public IReadOnlyList<TensorMetadata> Outputs { get; }

    internal InferenceSession Inner => _session;

    /// <summary>
    /// Opens <paramref name="modelPath"/>. Throws <see cref="FileNotFoundException"/> when the file is missing,
    /// <see cref="OnnxSessionException"/> with ORT's message and the path when the model is malformed, and
    /// <see cref="ExecutionProviderUnavailableException"/> when CUDA is asked for and cannot run here.
    /// </summary>
    public static OnnxSession Open(string modelPath, OnnxSessionOptions? options = null)
    {
        options ??= new OnnxSessionOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads, nameof(options.IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InterOpThreads, nameof(options.InterOpThreads));
        string fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"ONNX model not found: {fullPath}", fullPath);
        }
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            ExecutionMode = options.ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = (Microsoft.ML.OnnxRuntime.GraphOptimizationLevel)options.OptimizationLevel,
        };
        if (options.AllowSpinning is bool spinning)
        {
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
        }
        if (options.ExecutionProvider == ExecutionProvider.Cuda)
        {
            CudaExecutionProvider.Append(sessionOptions, options.CudaDeviceId);
        }
        InferenceSession session;
        try
        {
            session = new InferenceSession(fullPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxSessionException($"Cannot load ONNX model {fullPath}: {e.Message}", e);
        }
        try
        {
            return new OnnxSession(fullPath, session, options.ExecutionProvider);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Position of the input called <paramref name="name"/>, or -1.</summary>
    public int FindInput(string name) => IndexOf(Inputs, name);

    /// <summary>Position of the output called <paramref name="name"/>, or -1.</summary>
    public int FindOutput(string name) => IndexOf(Outputs, name);

    /// <summary>A binding for runs of this session over the caller's buffers; one per concurrent runner.</summary>
    public SessionBinding Bind() => new(this);

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private static TensorMetadata[] Describe(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var result = new TensorMetadata[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            NodeMetadata node = metadata[names[i]];
            if (!node.IsTensor)
            {
                result[i] = new TensorMetadata(names[i], false, default, Array.Empty<long>());
                continue;
            }
            var dimensions = new long[node.Dimensions.Length];
            for (int d = 0; d < dimensions.Length; d++)
            {
                dimensions[d] = node.Dimensions[d];
            }
            result[i] = new TensorMetadata(names[i], true, node.ElementDataType, dimensions);
        }
        return result;
    }

    private static int IndexOf(IReadOnlyList<TensorMetadata> tensors, string name)
    {
        for (int i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }
}
