using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// ONNX Runtime's I/O binding for one runner: inputs are tensors laid over the caller's pinned buffers (no copy),
/// outputs are allocated by ORT in CPU memory (copied back from the GPU under CUDA), and one run options object is
/// reused for cancellation. Tensor memory is never allocated per run; a run creates only ORT's small value handles.
/// Not thread-safe: one binding per concurrent runner.
/// </summary>
public sealed class SessionBinding : IDisposable
{
    private readonly OnnxSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue?[] _inputs;
    private readonly List<string> _outputs = [];
    private readonly long[] _shape = new long[2]; // ORT copies the dimensions when a tensor is created, so one array serves every run

    internal SessionBinding(OnnxSession session)
    {
        _session = session;
        _binding = session.Inner.CreateIoBinding();
        _inputs = new OrtValue?[session.Inputs.Count];
    }

    /// <summary>
    /// Binds input <paramref name="input"/> to the first <paramref name="rows"/> × <paramref name="width"/> elements
    /// of <paramref name="buffer"/>, read in place by the next run.
    /// </summary>
    public unsafe void BindMatrix<T>(int input, PinnedBuffer<T> buffer, int rows, int width)
        where T : unmanaged
    {
        TensorMetadata metadata = _session.Inputs[input];
        TensorElementType type = typeof(T) == typeof(long) ? TensorElementType.Int64
            : typeof(T) == typeof(int) ? TensorElementType.Int32
            : throw new ArgumentException($"Input buffers hold int64 or int32, not {typeof(T).Name}.");
        if (type != metadata.ElementType)
        {
            throw new ArgumentException($"Input '{metadata.Name}' of {Path.GetFileName(_session.ModelPath)} takes {metadata.ElementType}, not {type}.");
        }
        long cells = (long)rows * width;
        if (rows < 1 || width < 1 || cells > buffer.Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} x {width} does not fit a buffer of {buffer.Capacity}.");
        }
        _shape[0] = rows;
        _shape[1] = width;
        OrtValue value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, type, _shape, (nint)buffer.Pointer, cells * sizeof(T));
        try
        {
            _binding.BindInput(metadata.Name, value);
        }
        catch
        {
            value.Dispose();
            throw;
        }
        _inputs[input]?.Dispose();
        _inputs[input] = value;
    }

    /// <summary>Asks for output <paramref name="output"/>, allocated by ORT in CPU memory on every run.</summary>
    public void BindOutput(int output) => _outputs.Add(_session.Outputs[output].Name);

    /// <summary>
    /// Runs the session over the bound inputs and returns the bound outputs in binding order; dispose them after
    /// reading. Cancelling <paramref name="cancellationToken"/> terminates the run with <see cref="OperationCanceledException"/>.
    /// </summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, _runOptions)
            : default;
        try
        {
            // Bound afresh each run: after a run the binding holds that run's outputs, whose shapes the next batch need not have.
            foreach (string output in _outputs)
            {
                _binding.BindOutputToDevice(output, OrtMemoryInfo.DefaultInstance);
            }
            return _session.Inner.RunWithBoundResults(_runOptions, _binding);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The ONNX Runtime run was cancelled.", cancellationToken);
        }
        finally
        {
            // Disposing waits for a running callback, so the flag is cleared after any late Terminate.
            registration.Dispose();
            _runOptions.Terminate = false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _binding.Dispose();
        _runOptions.Dispose();
        foreach (OrtValue? value in _inputs)
        {
            value?.Dispose();
        }
    }
}
