namespace DprCluster.Silo.Configuration;

/// <summary>The encoder a silo with the encoder role hosts (section <c>Encoder</c>).</summary>
public sealed record EncoderOptions
{
    /// <summary>
    /// The model by name: <c>arctic-embed-xs</c> or <c>all-minilm-l6-v2</c> (pretrained retrieval encoders taken from
    /// their NuGet packages), <c>static</c>, or a model directory. When set it replaces <see cref="Kind"/> and
    /// <see cref="QuestionModel"/>; <see cref="PassageModel"/> still names a separate passage tower.
    /// </summary>
    public string? Model { get; init; }

    /// <summary>
    /// <c>static</c> (the GloVe-derived word vectors) or <c>onnx</c> (the model directory <see cref="QuestionModel"/>);
    /// null, with neither <see cref="Model"/> nor <see cref="QuestionModel"/> set, is the embedded default pretrained
    /// transformer (all-MiniLM-L6-v2).
    /// </summary>
    public string? Kind { get; init; }

    /// <summary>ONNX question-encoder directory (or the one model for both sides).</summary>
    public string? QuestionModel { get; init; }

    /// <summary>ONNX passage-encoder directory; null uses <see cref="QuestionModel"/>.</summary>
    public string? PassageModel { get; init; }

    /// <summary>
    /// Length of the vectors. Shard silos and gateways without a local encoder need it; null derives it from the
    /// static vectors (100) or the ONNX model's config.json <c>hidden_size</c>.
    /// </summary>
    public int? Dimension { get; init; }

    /// <summary>
    /// Encoder instances (one batching worker each); 0 chooses from the cores: one session per four cores on CPU
    /// (so a batch's matrix products keep several cores busy and several batches run at once on big machines), one on CUDA.
    /// </summary>
    public int Sessions { get; init; }

    /// <summary>Most texts per encoder call.</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>Longest wait, in milliseconds, for a batch to fill; 0 batches whatever queued while the encoder was busy.</summary>
    public double MaxDelayMs { get; init; }

    /// <summary>Most queued texts before requests are refused as overloaded.</summary>
    public int MaxQueueLength { get; init; } = 16384;

    /// <summary>ONNX Runtime intra-op threads per session; 0 divides the cores among the sessions.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// <c>cpu</c> or <c>cuda</c>: where ONNX Runtime runs the model. CUDA needs the GPU build (<c>-p:DprOnnxRuntime=gpu</c>,
    /// the GPU image) and the CUDA 13 libraries; otherwise the silo fails at start naming what is missing.
    /// </summary>
    public string ExecutionProvider { get; init; } = "cpu";

    /// <summary>GPU the CUDA provider uses.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>Folder of the word-vector cache; null uses the machine cache (DPRCLUSTER_CACHE, XDG, ~/.cache).</summary>
    public string? CacheDirectory { get; init; }
}
