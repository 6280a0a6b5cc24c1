using System.Runtime.InteropServices;

namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// An ONNX Runtime inference session over a model file: its input/output metadata and <see cref="Run"/>.
/// Runs may be issued concurrently (ORT sessions are thread-safe for Run).
/// </summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private const string CudaProviderName = "CUDAExecutionProvider";
    private const string CudaProviderLibrary = "libonnxruntime_providers_cuda.so";

    private readonly OrtHandle _session;
    private readonly Utf8NameTable _inputNames;
    private readonly Utf8NameTable _outputNames;
    private readonly string[] _outputNameStrings;
    private readonly TensorElementType[] _inputTypes;

    private OnnxSession(OnnxRuntimeLibrary library, string modelPath, OrtHandle session)
    {
        Library = library;
        ModelPath = modelPath;
        _session = session;
        nint raw = session.DangerousGetHandle();
        Inputs = ReadMetadata(raw, isInput: true);
        Outputs = ReadMetadata(raw, isInput: false);
        _inputNames = new Utf8NameTable(Inputs);
        _outputNames = new Utf8NameTable(Outputs);
        _inputTypes = new TensorElementType[Inputs.Count];
        for (int i = 0; i < Inputs.Count; i++)
        {
            _inputTypes[i] = Inputs[i].ElementType;
        }
        _outputNameStrings = new string[Outputs.Count];
        for (int i = 0; i < Outputs.Count; i++)
        {
            _outputNameStrings[i] = Outputs[i].Name;
        }
    }

    /// <summary>The library the session runs on.</summary>
    public OnnxRuntimeLibrary Library { get; }

    /// <summary>Full path of the model file.</summary>
    public string ModelPath { get; }

    /// <summary>The model's inputs, in ORT's order.</summary>
    public IReadOnlyList<TensorMetadata> Inputs { get; }

    /// <summary>The model's outputs, in ORT's order.</summary>
    public IReadOnlyList<TensorMetadata> Outputs { get; }

    /// <summary>
    /// Opens <paramref name="modelPath"/>. Throws <see cref="FileNotFoundException"/> when the file is missing and
    /// <see cref="OnnxRuntimeException"/> with ORT's message when the model is malformed or an option is unusable
    /// (e.g. CUDA requested from a library built without it).
    /// </summary>
    public static OnnxSession Open(string modelPath, OnnxSessionOptions? options = null)
    {
        options ??= new OnnxSessionOptions();
        string fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"ONNX model not found: {fullPath}", fullPath);
        }
        OnnxRuntimeLibrary library = OnnxRuntimeLibrary.Load(options.LibraryPath);
        OrtApi api = library.Api;
        nint sessionOptions;
        library.Check(api.CreateSessionOptions(&sessionOptions));
        try
        {
            Configure(library, sessionOptions, options);
            nint session;
            byte[] pathBytes = NullTerminated(fullPath);
            fixed (byte* path = pathBytes)
            {
                library.Check(api.CreateSession(library.Environment, path, sessionOptions, &session),
                    $"Cannot load ONNX model {fullPath}");
            }
            var handle = new OrtHandle(session, api.ReleaseSession);
            try
            {
                return new OnnxSession(library, fullPath, handle);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
        finally
        {
            api.ReleaseSessionOptions(sessionOptions);
        }
    }

    /// <summary>Position of the input called <paramref name="name"/>, or -1.</summary>
    public int FindInput(string name) => IndexOf(Inputs, name);

    /// <summary>Position of the output called <paramref name="name"/>, or -1.</summary>
    public int FindOutput(string name) => IndexOf(Outputs, name);

    /// <summary>
    /// Runs the model on <paramref name="inputs"/> and returns the outputs at <paramref name="outputIndices"/>.
    /// The input memory is read in place. Cancelling <paramref name="cancellationToken"/> asks ORT to terminate the run
    /// and raises <see cref="OperationCanceledException"/>. Dispose the result to release the outputs.
    /// </summary>
    public SessionOutputs Run(scoped ReadOnlySpan<InputTensor> inputs, scoped ReadOnlySpan<int> outputIndices,
        CancellationToken cancellationToken = default)
    {
        if (inputs.Length == 0 || inputs.Length > Inputs.Count)
        {
            throw new ArgumentException($"A run takes 1 to {Inputs.Count} inputs; {inputs.Length} were given.", nameof(inputs));
        }
        if (outputIndices.Length == 0 || outputIndices.Length > SessionOutputs.MaxOutputs)
        {
            throw new ArgumentException($"A run requests 1 to {SessionOutputs.MaxOutputs} outputs.", nameof(outputIndices));
        }
        cancellationToken.ThrowIfCancellationRequested();
        OrtApi api = Library.Api;
        nint* names = stackalloc nint[inputs.Length];
        nint* values = stackalloc nint[inputs.Length];
        nint* outputNames = stackalloc nint[outputIndices.Length];
        var result = new SessionOutputs(this, outputIndices);
        for (int i = 0; i < outputIndices.Length; i++)
        {
            int index = outputIndices[i];
            if ((uint)index >= (uint)Outputs.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(outputIndices), $"Output index {index} is out of range (model has {Outputs.Count}).");
            }
            outputNames[i] = _outputNames[index];
        }
        int created = 0;
        nint runOptions = 0;
        bool addedRef = false;
        CancellationTokenRegistration registration = default;
        nint status;
        try
        {
            _session.DangerousAddRef(ref addedRef);
            fixed (InputTensor* input = inputs)
            {
                for (; created < inputs.Length; created++)
                {
                    InputTensor tensor = input[created];
                    if ((uint)tensor.InputIndex >= (uint)Inputs.Count)
                    {
                        throw new ArgumentOutOfRangeException(nameof(inputs), $"Input index {tensor.InputIndex} is out of range (model has {Inputs.Count}).");
                    }
                    if (tensor.ElementType != _inputTypes[tensor.InputIndex])
                    {
                        throw new OnnxRuntimeException(OnnxRuntimeErrorCode.InvalidArgument,
                            $"Input '{Inputs[tensor.InputIndex].Name}' of {Path.GetFileName(ModelPath)} takes {_inputTypes[tensor.InputIndex]}, not {tensor.ElementType}.");
                    }
                    names[created] = _inputNames[tensor.InputIndex];
                    ReadOnlySpan<long> shape = tensor.Shape.AsSpan();
                    nint tensorStatus;
                    fixed (long* dims = shape)
                    {
                        tensorStatus = api.CreateTensorWithDataAsOrtValue(Library.CpuMemoryInfo, tensor.Data, (nuint)tensor.ByteLength,
                            dims, (nuint)shape.Length, (int)tensor.ElementType, &values[created]);
                    }
                    if (tensorStatus != 0)
                    {
                        Library.Check(tensorStatus, $"Input '{Inputs[tensor.InputIndex].Name}'");
                    }
                }
            }
            if (cancellationToken.CanBeCanceled)
            {
                Library.Check(api.CreateRunOptions(&runOptions));
                registration = cancellationToken.UnsafeRegister(static state => ((RunTermination)state!).Terminate(),
                    new RunTermination(api, runOptions));
            }
            fixed (nint* outputValues = result.ValueSlots)
            {
                status = api.Run(_session.DangerousGetHandle(), runOptions, names, values, (nuint)inputs.Length,
                    outputNames, (nuint)outputIndices.Length, outputValues);
            }
        }
        finally
        {
            if (addedRef)
            {
                _session.DangerousRelease();
            }
            // Disposing the registration waits for a running callback, so the run options outlive any Terminate call.
            registration.Dispose();
            if (runOptions != 0)
            {
                api.ReleaseRunOptions(runOptions);
            }
            for (int i = 0; i < created; i++)
            {
                api.ReleaseValue(values[i]);
            }
        }
        if (status != 0)
        {
            result.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                api.ReleaseStatus(status);
                throw new OperationCanceledException("The ONNX Runtime run was cancelled.", cancellationToken);
            }
            Library.Check(status, $"Running {Path.GetFileName(ModelPath)}");
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    internal OutputTensor DescribeOutput(nint value, int outputIndex)
    {
        OrtApi api = Library.Api;
        nint info;
        Library.Check(api.GetTensorTypeAndShape(value, &info));
        try
        {
            int elementType;
            nuint rank;
            Library.Check(api.GetTensorElementType(info, &elementType));
            Library.Check(api.GetDimensionsCount(info, &rank));
            if (rank > TensorShape.MaxRank)
            {
                throw new OnnxRuntimeException(OnnxRuntimeErrorCode.Ok,
                    $"Output '{_outputNameStrings[outputIndex]}' has rank {rank}, above the supported {TensorShape.MaxRank}.");
            }
            long* dims = stackalloc long[TensorShape.MaxRank];
            Library.Check(api.GetDimensions(info, dims, rank));
            void* data;
            Library.Check(api.GetTensorMutableData(value, &data));
            return new OutputTensor(_outputNameStrings[outputIndex], (TensorElementType)elementType,
                new TensorShape(new ReadOnlySpan<long>(dims, (int)rank)), data);
        }
        finally
        {
            api.ReleaseTensorTypeAndShapeInfo(info);
        }
    }

    private static void Configure(OnnxRuntimeLibrary library, nint sessionOptions, OnnxSessionOptions options)
    {
        OrtApi api = library.Api;
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads, nameof(options.IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InterOpThreads, nameof(options.InterOpThreads));
        library.Check(api.SetIntraOpNumThreads(sessionOptions, options.IntraOpThreads));
        library.Check(api.SetInterOpNumThreads(sessionOptions, options.InterOpThreads));
        library.Check(api.SetSessionExecutionMode(sessionOptions, options.ParallelExecution ? 1 : 0));
        library.Check(api.SetSessionGraphOptimizationLevel(sessionOptions, (int)options.OptimizationLevel));
        if (options.AllowSpinning is bool spinning)
        {
            fixed (byte* key = "session.intra_op.allow_spinning"u8)
            fixed (byte* value = spinning ? "1"u8 : "0"u8)
            {
                library.Check(api.AddSessionConfigEntry(sessionOptions, key, value));
            }
        }
        if (options.ExecutionProvider == ExecutionProvider.Cuda)
        {
            AppendCuda(library, sessionOptions, options.CudaDeviceId);
        }
    }

    private static void AppendCuda(OnnxRuntimeLibrary library, nint sessionOptions, int deviceId)
    {
        if (!library.AvailableProviders.Contains(CudaProviderName))
        {
            throw new OnnxRuntimeException(OnnxRuntimeErrorCode.NotImplemented,
                $"CUDA was requested but the ONNX Runtime library {library.Path} ({library.Version}) has no CUDA execution " +
                $"provider (it offers: {string.Join(", ", library.AvailableProviders)}). Point " +
                $"{OnnxRuntimeLibrary.PathEnvironmentVariable} or the configured library path at a GPU build of ONNX Runtime.");
        }
        string providerPath = Path.Combine(Path.GetDirectoryName(library.Path) ?? ".", CudaProviderLibrary);
        if (!File.Exists(providerPath))
        {
            // CPU packages such as onnxruntime-node list CUDA (the provider bridge is compiled in) but ship no provider.
            throw new OnnxRuntimeException(OnnxRuntimeErrorCode.NotImplemented,
                $"CUDA was requested but the ONNX Runtime library {library.Path} ({library.Version}) has no CUDA execution " +
                $"provider beside it ({CudaProviderLibrary} is missing). Point {OnnxRuntimeLibrary.PathEnvironmentVariable} " +
                "or the configured library path at a GPU build of ONNX Runtime.");
        }
        const string context = "Enabling the CUDA execution provider";
        OrtApi api = library.Api;
        nint cudaOptions;
        library.Check(api.CreateCudaProviderOptions(&cudaOptions), context);
        try
        {
            byte[] device = NullTerminated(deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            fixed (byte* key = "device_id"u8)
            fixed (byte* value = device)
            {
                byte* keys = key;
                byte* values = value;
                library.Check(api.UpdateCudaProviderOptions(cudaOptions, &keys, &values, 1), $"{context} (device {deviceId})");
            }
            library.Check(api.SessionOptionsAppendExecutionProviderCudaV2(sessionOptions, cudaOptions), $"{context} (device {deviceId})");
        }
        finally
        {
            api.ReleaseCudaProviderOptions(cudaOptions);
        }
    }

    private TensorMetadata[] ReadMetadata(nint session, bool isInput)
    {
        OrtApi api = Library.Api;
        nuint count;
        Library.Check(isInput ? api.SessionGetInputCount(session, &count) : api.SessionGetOutputCount(session, &count));
        var result = new TensorMetadata[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            Library.Check(isInput
                ? api.SessionGetInputName(session, i, Library.DefaultAllocator, &rawName)
                : api.SessionGetOutputName(session, i, Library.DefaultAllocator, &rawName));
            string name = Marshal.PtrToStringUTF8((nint)rawName) ?? string.Empty;
            Library.Check(api.AllocatorFree(Library.DefaultAllocator, rawName));
            nint typeInfo;
            Library.Check(isInput
                ? api.SessionGetInputTypeInfo(session, i, &typeInfo)
                : api.SessionGetOutputTypeInfo(session, i, &typeInfo));
            try
            {
                result[(int)i] = DescribeType(name, typeInfo);
            }
            finally
            {
                api.ReleaseTypeInfo(typeInfo);
            }
        }
        return result;
    }

    private TensorMetadata DescribeType(string name, nint typeInfo)
    {
        const int OnnxTypeTensor = 1;
        OrtApi api = Library.Api;
        int onnxType;
        Library.Check(api.GetOnnxTypeFromTypeInfo(typeInfo, &onnxType));
        if (onnxType != OnnxTypeTensor)
        {
            return new TensorMetadata(name, false, TensorElementType.Undefined, Array.Empty<long>());
        }
        nint tensorInfo; // owned by typeInfo: not released separately
        Library.Check(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo));
        int elementType;
        nuint rank;
        Library.Check(api.GetTensorElementType(tensorInfo, &elementType));
        Library.Check(api.GetDimensionsCount(tensorInfo, &rank));
        var dims = new long[(int)rank];
        fixed (long* d = dims)
        {
            Library.Check(api.GetDimensions(tensorInfo, d, rank));
        }
        return new TensorMetadata(name, true, (TensorElementType)elementType, dims);
    }

    private static byte[] NullTerminated(string value)
    {
        byte[] bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(value) + 1];
        System.Text.Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
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

    /// <summary>Cancellation callback state: terminates one run through its run options.</summary>
    private sealed class RunTermination(OrtApi api, nint runOptions)
    {
        public void Terminate()
        {
            nint status = api.RunOptionsSetTerminate(runOptions);
            if (status != 0)
            {
                api.ReleaseStatus(status);
            }
        }
    }
}
