using System.Numerics.Tensors;
using DprCluster.Encoders.OnnxRuntime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using DprCluster.Text.Tokenization;

namespace DprCluster.Encoders.Transformer;

/// <summary>
/// One ONNX encoder model with its tokenizer: tokenises a batch straight into pinned input buffers, runs ONNX Runtime
/// over them in place (I/O binding), and pools the output into the caller's memory. The rows of a call are run
/// shortest first in runs of at most <see cref="TokensPerRun"/> token positions, each padded only to its longest row,
/// so mixed lengths cost little padding. Its buffers are reused across calls, so calls are serialised per instance
/// (open several for parallel runs, as <see cref="Batching.EncoderService"/> does).
/// </summary>
public sealed class TransformerModel : IDisposable
{
    /// <summary>
    /// Most token positions (rows × width) in one ONNX Runtime run of a sorted call: enough rows for CPU kernels to stay
    /// efficient, few enough that one long row does not pad many short ones.
    /// </summary>
    public const int TokensPerRun = 8192;

    private static readonly string[] KnownInputs = ["input_ids", "attention_mask", "token_type_ids"];

    private readonly BertTokenizer _tokenizer;
    private readonly TokenizerOptions _tokenizerOptions;
    private readonly int _idsInput;
    private readonly int _maskInput;
    private readonly int _typesInput;
    private readonly int _output;
    private readonly bool _int32Inputs;
    private readonly int _maxBatchSize;
    private readonly Lock _gate = new();
    private readonly PinnedBuffer<long> _ids;
    private readonly PinnedBuffer<long> _mask;
    private readonly PinnedBuffer<long> _types;
    private readonly PinnedBuffer<int>? _ids32;
    private readonly PinnedBuffer<int>? _mask32;
    private readonly PinnedBuffer<int>? _types32;
    private readonly long[] _stagedIds;    // tokenised rows at stride MaxLength, in the caller's order
    private readonly long[] _stagedTypes;
    private readonly int[] _lengths;       // tokens of each staged row
    private readonly int[] _order;         // staged rows, shortest first
    private readonly int[] _sortKeys;
    private readonly int[] _runRows;       // staged row of each row of the run being laid out
    private readonly SessionBinding _binding;
    private char[] _prefixed = new char[256];
    private long _realTokens;
    private long _paddedTokens;

    private TransformerModel(string directory, OnnxSession session, BertTokenizer tokenizer, TransformerModelSettings settings,
        int maxBatchSize)
    {
        Directory = directory;
        Session = session;
        Settings = settings;
        _tokenizer = tokenizer;
        _tokenizerOptions = new TokenizerOptions { MaxLength = settings.MaxLength, TokenTypes = settings.TokenTypes };
        _maxBatchSize = maxBatchSize;
        string where = $"Model {Path.Combine(directory, Path.GetFileName(session.ModelPath))}";
        foreach (TensorMetadata input in session.Inputs)
        {
            if (Array.IndexOf(KnownInputs, input.Name) < 0)
            {
                throw new ModelFormatException(
                    $"{where} takes an input '{input.Name}' that a BERT encoder does not provide; known inputs are {string.Join(", ", KnownInputs)} " +
                    $"(the model's inputs: {string.Join(", ", session.Inputs)}).");
            }
            if (!input.IsTensor || input.ElementType is not (TensorElementType.Int64 or TensorElementType.Int32) || input.Dimensions.Count != 2)
            {
                throw new ModelFormatException($"{where}: input {input} must be an int64 or int32 matrix [batch, sequence].");
            }
        }
        _idsInput = RequireInput(session, "input_ids", where);
        _maskInput = RequireInput(session, "attention_mask", where);
        _typesInput = session.FindInput("token_type_ids");
        _int32Inputs = session.Inputs[_idsInput].ElementType == TensorElementType.Int32;
        (Pooling, _output) = ChooseOutput(session, settings, where);
        Assumptions = settings.Pooling is null
            ? [.. settings.Assumed, $"pooling: {Pooling} (from the model's outputs {string.Join(", ", session.Outputs.Select(o => o.Name))}; no 'pooling' in {TransformerModelSettings.SettingsFileName})"]
            : settings.Assumed;
        Dimension = ReadDimension(session.Outputs[_output], settings, where);
        int capacity = maxBatchSize * settings.MaxLength;
        _ids = new PinnedBuffer<long>(capacity);
        _mask = new PinnedBuffer<long>(capacity);
        _types = new PinnedBuffer<long>(capacity);
        if (_int32Inputs)
        {
            _ids32 = new PinnedBuffer<int>(capacity);
            _mask32 = new PinnedBuffer<int>(capacity);
            _types32 = new PinnedBuffer<int>(capacity);
        }
        _stagedIds = new long[capacity];
        _stagedTypes = new long[capacity];
        _lengths = new int[maxBatchSize];
        _order = new int[maxBatchSize];
        _sortKeys = new int[maxBatchSize];
        _runRows = new int[maxBatchSize];
        _binding = session.Bind();
        _binding.BindOutput(_output);
    }

    /// <summary>The model directory.</summary>
    public string Directory { get; }

    /// <summary>The ONNX Runtime session.</summary>
    public OnnxSession Session { get; }

    /// <summary>Settings read from the directory.</summary>
    public TransformerModelSettings Settings { get; }

    /// <summary>How vectors are taken from the outputs.</summary>
    public Pooling Pooling { get; }

    /// <summary>Length of the vectors.</summary>
    public int Dimension { get; }

    /// <summary>Settings this model runs with that its directory did not state (see <see cref="TransformerModelSettings.Assumed"/>).</summary>
    public IReadOnlyList<string> Assumptions { get; }

    /// <summary>Tokens of the texts encoded so far (special tokens included, padding not).</summary>
    public long RealTokens => Interlocked.Read(ref _realTokens);

    /// <summary>Token positions run so far: rows × batch width, padding included. Divided by <see cref="RealTokens"/>, the padding overhead.</summary>
    public long PaddedTokens => Interlocked.Read(ref _paddedTokens);

    /// <summary>
    /// Opens a Hugging Face-layout directory: <c>model.onnx</c> or <c>onnx/model.onnx</c>, <c>tokenizer.json</c> or
    /// <c>vocab.txt</c>, optional <c>config.json</c> and <c>dprcluster.json</c> (the vector length comes from the graph;
    /// settings neither file gives are listed in <see cref="TransformerModelSettings.Assumed"/>). Throws
    /// <see cref="ModelFormatException"/> when something is missing or wrong.
    /// </summary>
    public static TransformerModel Open(string directory, TransformerEncoderOptions? options = null)
    {
        options ??= new TransformerEncoderOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBatchSize, nameof(options.MaxBatchSize));
        string fullDirectory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(fullDirectory))
        {
            throw new ModelFormatException($"Model directory {fullDirectory} does not exist.");
        }
        string modelPath = FindModelFile(fullDirectory);
        TransformerModelSettings settings = TransformerModelSettings.Read(fullDirectory);
        BertTokenizer tokenizer;
        try
        {
            tokenizer = BertTokenizer.FromDirectory(fullDirectory);
        }
        catch (Exception e) when (e is FileNotFoundException or TokenizerFormatException)
        {
            throw new ModelFormatException($"Model directory {fullDirectory}: cannot load its tokenizer: {e.Message}", e);
        }
        OnnxSession session;
        try
        {
            session = OnnxSession.Open(modelPath, options.Session);
        }
        catch (OnnxSessionException e)
        {
            throw new ModelFormatException($"{modelPath} is not a usable ONNX model: {e.InnerException?.Message ?? e.Message}", e);
        }
        try
        {
            return new TransformerModel(fullDirectory, session, tokenizer, settings, options.MaxBatchSize);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Encodes single sequences (questions), each preceded by <paramref name="prefix"/>.</summary>
    public void EncodeSingles(ReadOnlySpan<string> texts, string prefix, Span<float> destination, CancellationToken cancellationToken = default)
    {
        RequireDestination(texts.Length, destination);
        lock (_gate)
        {
            for (int start = 0; start < texts.Length; start += _maxBatchSize)
            {
                int rows = Math.Min(_maxBatchSize, texts.Length - start);
                for (int r = 0; r < rows; r++)
                {
                    string text = texts[start + r] ?? throw new ArgumentNullException(nameof(texts), $"Text {start + r} is null.");
                    _lengths[r] = _tokenizer.Encode(Prefixed(prefix, text), _tokenizerOptions, IdsRow(r), TypesRow(r));
                }
                RunSorted(rows, destination.Slice(start * Dimension, rows * Dimension), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Encodes passages: the pair (title, text) as <c>[CLS] title [SEP] text [SEP]</c>, or the text alone when the title
    /// is empty (as DPR's tensorizer does); <paramref name="prefix"/> precedes the first segment.
    /// </summary>
    public void EncodePassages(ReadOnlySpan<PassageText> passages, string prefix, Span<float> destination, CancellationToken cancellationToken = default)
    {
        RequireDestination(passages.Length, destination);
        lock (_gate)
        {
            for (int start = 0; start < passages.Length; start += _maxBatchSize)
            {
                int rows = Math.Min(_maxBatchSize, passages.Length - start);
                for (int r = 0; r < rows; r++)
                {
                    PassageText passage = passages[start + r];
                    string text = passage.Text ?? throw new ArgumentNullException(nameof(passages), $"Passage {start + r} has no text.");
                    _lengths[r] = string.IsNullOrEmpty(passage.Title)
                        ? _tokenizer.Encode(Prefixed(prefix, text), _tokenizerOptions, IdsRow(r), TypesRow(r))
                        : _tokenizer.EncodePair(Prefixed(prefix, passage.Title), text, _tokenizerOptions, IdsRow(r), TypesRow(r));
                }
                RunSorted(rows, destination.Slice(start * Dimension, rows * Dimension), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Encodes rows that are already token ids (e.g. from another tokenizer, or a benchmark that keeps tokenisation
    /// out of the measurement): row r is <paramref name="inputIds"/>[r * width .. r * width + lengths[r]); the
    /// rest of each row is ignored. Token types are all zero. At most MaxBatchSize rows of at most MaxLength tokens.
    /// </summary>
    public void EncodeTokenized(ReadOnlySpan<long> inputIds, ReadOnlySpan<int> lengths, int width, Span<float> destination,
        CancellationToken cancellationToken = default)
    {
        int rows = lengths.Length;
        if (rows > _maxBatchSize || width < 1 || width > Settings.MaxLength || inputIds.Length != rows * width)
        {
            throw new ArgumentException(
                $"Expected at most {_maxBatchSize} rows of width 1..{Settings.MaxLength} with rows x width ids; got {rows} rows, width {width}, {inputIds.Length} ids.");
        }
        RequireDestination(rows, destination);
        lock (_gate)
        {
            for (int r = 0; r < rows; r++)
            {
                if ((uint)lengths[r] > (uint)width)
                {
                    throw new ArgumentOutOfRangeException(nameof(lengths), $"Row {r} has length {lengths[r]}, outside 0..{width}.");
                }
                _lengths[r] = lengths[r];
                _runRows[r] = r;
                inputIds.Slice(r * width, lengths[r]).CopyTo(_stagedIds.AsSpan(r * Settings.MaxLength));
                _stagedTypes.AsSpan(r * Settings.MaxLength, lengths[r]).Clear();
            }
            RunAndPool(rows, width, destination, cancellationToken);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _binding.Dispose();
        Session.Dispose();
    }

    private Span<long> IdsRow(int row) => _stagedIds.AsSpan(row * Settings.MaxLength, Settings.MaxLength);

    private Span<long> TypesRow(int row) =>
        _typesInput < 0 ? default : _stagedTypes.AsSpan(row * Settings.MaxLength, Settings.MaxLength);

    private ReadOnlySpan<char> Prefixed(string prefix, string text)
    {
        if (prefix.Length == 0)
        {
            return text;
        }
        int length = prefix.Length + text.Length;
        if (_prefixed.Length < length)
        {
            _prefixed = new char[Math.Max(length, _prefixed.Length * 2)];
        }
        prefix.CopyTo(_prefixed);
        text.CopyTo(_prefixed.AsSpan(prefix.Length));
        return _prefixed.AsSpan(0, length);
    }

    /// <summary>Runs the staged rows shortest first, in runs of at most <see cref="TokensPerRun"/> token positions.</summary>
    private void RunSorted(int rows, Span<float> destination, CancellationToken cancellationToken)
    {
        for (int r = 0; r < rows; r++)
        {
            _order[r] = r;
            _sortKeys[r] = _lengths[r];
        }
        Array.Sort(_sortKeys, _order, 0, rows);
        int first = 0;
        while (first < rows)
        {
            int end = first + 1;
            while (end < rows && (long)(end - first + 1) * Math.Max(_sortKeys[end], 1) <= TokensPerRun)
            {
                end++;
            }
            for (int k = first; k < end; k++)
            {
                _runRows[k - first] = _order[k];
            }
            RunAndPool(end - first, Math.Max(_sortKeys[end - 1], 1), destination, cancellationToken);
            first = end;
        }
    }

    /// <summary>
    /// Runs the staged rows <c>_runRows[0..rows)</c> as one batch of <paramref name="width"/> tokens and writes each
    /// vector to its staged row's place in <paramref name="destination"/>.
    /// </summary>
    private void RunAndPool(int rows, int width, Span<float> destination, CancellationToken cancellationToken)
    {
        LayOut(rows, width);
        if (_int32Inputs)
        {
            int cells = rows * width;
            for (int i = 0; i < cells; i++)
            {
                _ids32!.Span[i] = (int)_ids.Span[i];
                _mask32!.Span[i] = (int)_mask.Span[i];
                _types32!.Span[i] = (int)_types.Span[i];
            }
            _binding.BindMatrix(_idsInput, _ids32!, rows, width);
            _binding.BindMatrix(_maskInput, _mask32!, rows, width);
            if (_typesInput >= 0)
            {
                _binding.BindMatrix(_typesInput, _types32!, rows, width);
            }
        }
        else
        {
            _binding.BindMatrix(_idsInput, _ids, rows, width);
            _binding.BindMatrix(_maskInput, _mask, rows, width);
            if (_typesInput >= 0)
            {
                _binding.BindMatrix(_typesInput, _types, rows, width);
            }
        }
        using (IDisposableReadOnlyCollection<OrtValue> outputs = _binding.Run(cancellationToken))
        {
            Pool(outputs[0], rows, width, destination);
        }
        long real = 0;
        for (int r = 0; r < rows; r++)
        {
            real += _lengths[_runRows[r]];
        }
        Interlocked.Add(ref _realTokens, real);
        Interlocked.Add(ref _paddedTokens, (long)rows * width);
        if (Settings.Normalize)
        {
            for (int r = 0; r < rows; r++)
            {
                Span<float> row = destination.Slice(_runRows[r] * Dimension, Dimension);
                float norm = TensorPrimitives.Norm(row);
                if (norm > 0)
                {
                    TensorPrimitives.Divide(row, norm, row);
                }
            }
        }
    }

    /// <summary>Copies the run's staged rows into the input buffers at a stride of the batch width, padding ids and building the mask.</summary>
    private void LayOut(int rows, int width)
    {
        Span<long> ids = _ids.Span;
        Span<long> mask = _mask.Span;
        Span<long> types = _types.Span;
        for (int r = 0; r < rows; r++)
        {
            int staged = _runRows[r];
            int length = _lengths[staged];
            int from = staged * Settings.MaxLength;
            int to = r * width;
            _stagedIds.AsSpan(from, length).CopyTo(ids.Slice(to, length));
            ids.Slice(to + length, width - length).Fill(_tokenizer.PadId);
            mask.Slice(to, length).Fill(1);
            mask.Slice(to + length, width - length).Clear();
            if (_typesInput >= 0)
            {
                _stagedTypes.AsSpan(from, length).CopyTo(types.Slice(to, length));
                types.Slice(to + length, width - length).Clear();
            }
        }
    }

    private void Pool(OrtValue output, int rows, int width, Span<float> destination)
    {
        OrtTensorTypeAndShapeInfo info = output.GetTensorTypeAndShape();
        if (info.ElementDataType != TensorElementType.Float)
        {
            throw new ModelFormatException($"Output '{Session.Outputs[_output].Name}' holds {info.ElementDataType}; an encoder's output holds floats.");
        }
        ReadOnlySpan<float> values = output.GetTensorDataAsSpan<float>();
        long[] shape = info.Shape;
        if (Pooling is Pooling.Cls or Pooling.Mean)
        {
            if (shape.Length != 3 || shape[0] != rows || shape[1] != width || shape[2] != Dimension)
            {
                throw new ModelFormatException(
                    $"Output '{Session.Outputs[_output].Name}' has shape [{string.Join(", ", shape)}]; expected [{rows}, {width}, {Dimension}].");
            }
            int rowSize = width * Dimension;
            for (int r = 0; r < rows; r++)
            {
                Span<float> target = destination.Slice(_runRows[r] * Dimension, Dimension);
                ReadOnlySpan<float> tokens = values.Slice(r * rowSize, rowSize);
                if (Pooling == Pooling.Cls)
                {
                    tokens[..Dimension].CopyTo(target);
                    continue;
                }
                int length = Math.Max(_lengths[_runRows[r]], 1);
                tokens[..Dimension].CopyTo(target);
                for (int t = 1; t < length; t++)
                {
                    TensorPrimitives.Add(target, tokens.Slice(t * Dimension, Dimension), target);
                }
                TensorPrimitives.Divide(target, length, target);
            }
            return;
        }
        if (shape.Length != 2 || shape[0] != rows || shape[1] != Dimension)
        {
            throw new ModelFormatException(
                $"Output '{Session.Outputs[_output].Name}' has shape [{string.Join(", ", shape)}]; expected [{rows}, {Dimension}].");
        }
        for (int r = 0; r < rows; r++)
        {
            values.Slice(r * Dimension, Dimension).CopyTo(destination.Slice(_runRows[r] * Dimension, Dimension));
        }
    }

    private void RequireDestination(int count, Span<float> destination)
    {
        if (destination.Length != count * Dimension)
        {
            throw new ArgumentException($"{count} texts need {count * Dimension} floats; the destination holds {destination.Length}.", nameof(destination));
        }
    }

    private static string FindModelFile(string directory)
    {
        foreach (string candidate in new[] { "model.onnx", Path.Combine("onnx", "model.onnx") })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new ModelFormatException($"Model directory {directory} has neither model.onnx nor onnx/model.onnx.");
    }

    private static int RequireInput(OnnxSession session, string name, string where)
    {
        int index = session.FindInput(name);
        return index >= 0
            ? index
            : throw new ModelFormatException($"{where} has no input '{name}'; its inputs are {string.Join(", ", session.Inputs)}.");
    }

    private static (Pooling, int) ChooseOutput(OnnxSession session, TransformerModelSettings settings, string where)
    {
        int lastHidden = session.FindOutput("last_hidden_state");
        int pooler = session.FindOutput("pooler_output");
        int sentence = session.FindOutput("sentence_embedding");
        Pooling pooling = settings.Pooling
            ?? (sentence >= 0 ? Pooling.SentenceEmbedding
                : lastHidden >= 0 ? Pooling.Cls
                : pooler >= 0 && settings.ModelType == "dpr" ? Pooling.Pooler
                : Pooling.Cls);
        int output = pooling switch
        {
            Pooling.Cls or Pooling.Mean => lastHidden,
            Pooling.Pooler => pooler,
            _ => sentence,
        };
        if (output < 0)
        {
            string needed = pooling switch
            {
                Pooling.Cls or Pooling.Mean => "last_hidden_state",
                Pooling.Pooler => "pooler_output",
                _ => "sentence_embedding",
            };
            throw new ModelFormatException(
                $"{where}: pooling '{pooling}' needs an output '{needed}', but the model's outputs are {string.Join(", ", session.Outputs)}. " +
                "Known outputs are last_hidden_state, pooler_output and sentence_embedding.");
        }
        return (pooling, output);
    }

    private static int ReadDimension(TensorMetadata output, TransformerModelSettings settings, string where)
    {
        long fromOutput = output.Dimensions.Count > 0 ? output.Dimensions[^1] : -1;
        if (fromOutput > 0 && settings.HiddenSize is int hidden && hidden != fromOutput)
        {
            throw new ModelFormatException($"{where}: output {output} ends in {fromOutput} but config.json says hidden_size {hidden}.");
        }
        if (fromOutput > 0)
        {
            return (int)fromOutput;
        }
        return settings.HiddenSize
            ?? throw new ModelFormatException($"{where}: output {output} has no fixed last dimension and config.json gives no hidden_size.");
    }
}
