using System.Numerics.Tensors;
using DprCluster.Encoders.OnnxRuntime;
using DprCluster.Text.Tokenization;

namespace DprCluster.Encoders.Transformer;

/// <summary>
/// One ONNX encoder model with its tokenizer: tokenises a batch straight into pinned input buffers, runs ONNX Runtime
/// over them in place, and pools the output into the caller's memory. Its buffers are reused across calls, so calls
/// are serialised per instance (open several for parallel runs, as <see cref="Batching.EncoderService"/> does).
/// </summary>
public sealed class TransformerModel : IDisposable
{
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
    private readonly int[] _lengths;
    private char[] _prefixed = new char[256];

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
        _lengths = new int[maxBatchSize];
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

    /// <summary>
    /// Opens a Hugging Face-layout directory: <c>model.onnx</c> or <c>onnx/model.onnx</c>, <c>tokenizer.json</c> or
    /// <c>vocab.txt</c>, <c>config.json</c>, optional <c>dprcluster.json</c>. Throws <see cref="ModelFormatException"/>
    /// (or the tokenizer's and ONNX Runtime's own exceptions, wrapped with the directory) when something is missing or wrong.
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
        catch (OnnxRuntimeException e) when (e.ErrorCode is OnnxRuntimeErrorCode.InvalidProtobuf or OnnxRuntimeErrorCode.InvalidGraph
                                              or OnnxRuntimeErrorCode.NoModel or OnnxRuntimeErrorCode.Fail)
        {
            throw new ModelFormatException($"{modelPath} is not a usable ONNX model: {e.Message}", e);
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
                RunAndPool(rows, BatchWidth(rows), Settings.MaxLength, destination.Slice(start * Dimension, rows * Dimension), cancellationToken);
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
                RunAndPool(rows, BatchWidth(rows), Settings.MaxLength, destination.Slice(start * Dimension, rows * Dimension), cancellationToken);
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
            }
            inputIds.CopyTo(_ids.Span);
            if (_typesInput >= 0)
            {
                _types.Span[..inputIds.Length].Clear();
            }
            RunAndPool(rows, width, stride: width, destination, cancellationToken);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Session.Dispose();

    private Span<long> IdsRow(int row) => _ids.Span.Slice(row * Settings.MaxLength, Settings.MaxLength);

    private Span<long> TypesRow(int row) =>
        _typesInput < 0 ? default : _types.Span.Slice(row * Settings.MaxLength, Settings.MaxLength);

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

    private int BatchWidth(int rows)
    {
        int width = 1;
        for (int r = 0; r < rows; r++)
        {
            width = Math.Max(width, _lengths[r]);
        }
        return width;
    }

    private void RunAndPool(int rows, int width, int stride, Span<float> destination, CancellationToken cancellationToken)
    {
        LayOut(rows, width, stride);
        Span<long> shape = [rows, width];
        Span<InputTensor> inputs = stackalloc InputTensor[3];
        int count = 0;
        if (_int32Inputs)
        {
            int cells = rows * width;
            for (int i = 0; i < cells; i++)
            {
                _ids32!.Span[i] = (int)_ids.Span[i];
                _mask32!.Span[i] = (int)_mask.Span[i];
                _types32!.Span[i] = (int)_types.Span[i];
            }
            inputs[count++] = InputTensor.Create(_idsInput, _ids32!, shape);
            inputs[count++] = InputTensor.Create(_maskInput, _mask32!, shape);
            if (_typesInput >= 0)
            {
                inputs[count++] = InputTensor.Create(_typesInput, _types32!, shape);
            }
        }
        else
        {
            inputs[count++] = InputTensor.Create(_idsInput, _ids, shape);
            inputs[count++] = InputTensor.Create(_maskInput, _mask, shape);
            if (_typesInput >= 0)
            {
                inputs[count++] = InputTensor.Create(_typesInput, _types, shape);
            }
        }
        using SessionOutputs outputs = Session.Run(inputs[..count], [_output], cancellationToken);
        OutputTensor output = outputs[0];
        Pool(output, rows, width, destination);
        if (Settings.Normalize)
        {
            for (int r = 0; r < rows; r++)
            {
                Span<float> row = destination.Slice(r * Dimension, Dimension);
                float norm = TensorPrimitives.Norm(row);
                if (norm > 0)
                {
                    TensorPrimitives.Divide(row, norm, row);
                }
            }
        }
    }

    /// <summary>
    /// Moves the rows, tokenised at <paramref name="stride"/> (MaxLength, or the width itself), to a stride of the batch
    /// width, padding ids and building the mask. Rows move towards the start, so copying in increasing order never
    /// overwrites a row not yet moved.
    /// </summary>
    private void LayOut(int rows, int width, int stride)
    {
        Span<long> ids = _ids.Span;
        Span<long> mask = _mask.Span;
        Span<long> types = _types.Span;
        for (int r = 0; r < rows; r++)
        {
            int length = _lengths[r];
            int from = r * stride;
            int to = r * width;
            ids.Slice(from, length).CopyTo(ids.Slice(to, length));
            ids.Slice(to + length, width - length).Fill(_tokenizer.PadId);
            mask.Slice(to, length).Fill(1);
            mask.Slice(to + length, width - length).Clear();
            if (_typesInput >= 0)
            {
                types.Slice(from, length).CopyTo(types.Slice(to, length));
                types.Slice(to + length, width - length).Clear();
            }
        }
    }

    private void Pool(OutputTensor output, int rows, int width, Span<float> destination)
    {
        ReadOnlySpan<float> values = output.AsFloats();
        TensorShape shape = output.Shape;
        if (Pooling is Pooling.Cls or Pooling.Mean)
        {
            if (shape.Rank != 3 || shape[0] != rows || shape[1] != width || shape[2] != Dimension)
            {
                throw new ModelFormatException($"Output '{output.Name}' has shape {shape}; expected [{rows}, {width}, {Dimension}].");
            }
            int rowSize = width * Dimension;
            for (int r = 0; r < rows; r++)
            {
                Span<float> target = destination.Slice(r * Dimension, Dimension);
                ReadOnlySpan<float> tokens = values.Slice(r * rowSize, rowSize);
                if (Pooling == Pooling.Cls)
                {
                    tokens[..Dimension].CopyTo(target);
                    continue;
                }
                int length = Math.Max(_lengths[r], 1);
                tokens[..Dimension].CopyTo(target);
                for (int t = 1; t < length; t++)
                {
                    TensorPrimitives.Add(target, tokens.Slice(t * Dimension, Dimension), target);
                }
                TensorPrimitives.Divide(target, length, target);
            }
            return;
        }
        if (shape.Rank != 2 || shape[0] != rows || shape[1] != Dimension)
        {
            throw new ModelFormatException($"Output '{output.Name}' has shape {shape}; expected [{rows}, {Dimension}].");
        }
        values[..(rows * Dimension)].CopyTo(destination);
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
