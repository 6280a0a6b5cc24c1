using System.Text.Json;
using System.Text.Json.Serialization;
using DprCluster.Encoders.Transformer;

namespace DprCluster.Encoders.Trained;

/// <summary>What <c>dprcluster train</c> trained: word-vector towers, or adapters on a frozen model.</summary>
public enum TrainedKind
{
    /// <summary>Separate question and passage word-vector towers (base: the static vectors).</summary>
    StaticTowers,
    /// <summary>Linear adapters on a frozen pretrained encoder's outputs.</summary>
    Adapter,
}

/// <summary>
/// The <c>dprcluster.json</c> of a trained model directory: what was trained, on which base model, and the files
/// holding the trained weights (names relative to the directory). A directory is a trained one when its
/// dprcluster.json has a <c>trained</c> member; a transformer directory's dprcluster.json holds encoding settings instead.
/// </summary>
public sealed record TrainedModelManifest
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>What was trained.</summary>
    public required TrainedKind Trained { get; init; }

    /// <summary>The frozen base: <c>static</c>, a pretrained model's name, or a model directory (absolute path).</summary>
    public required string Base { get; init; }

    /// <summary>Length of the vectors.</summary>
    public required int Dimension { get; init; }

    /// <summary>Word-vector rows the question tower changed (a word-vector file), or null.</summary>
    public string? QuestionVectors { get; init; }

    /// <summary>Word-vector rows the passage tower changed, or null.</summary>
    public string? PassageVectors { get; init; }

    /// <summary>The question side's linear map (<see cref="LinearMap"/> file), or null.</summary>
    public string? QuestionMap { get; init; }

    /// <summary>The passage side's linear map, or null for an unchanged passage side.</summary>
    public string? PassageMap { get; init; }

    /// <summary>The question tower's weight per frequency bucket (multiplying SIF), or null.</summary>
    public float[]? QuestionFrequencyWeights { get; init; }

    /// <summary>The passage tower's weight per frequency bucket, or null.</summary>
    public float[]? PassageFrequencyWeights { get; init; }

    /// <summary>The towers' hashed-word channels, or null for towers without them.</summary>
    public TrainedHashedWords? HashedWords { get; init; }

    /// <summary>True when <paramref name="directory"/> holds a trained model's manifest.</summary>
    public static bool IsTrainedDirectory(string directory)
    {
        string path = Path.Combine(directory, TransformerModelSettings.SettingsFileName);
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("trained", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads and checks the manifest of <paramref name="directory"/>; a bad one throws <see cref="ModelFormatException"/>.</summary>
    public static TrainedModelManifest Read(string directory)
    {
        string path = Path.Combine(directory, TransformerModelSettings.SettingsFileName);
        TrainedModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<TrainedModelManifest>(File.ReadAllBytes(path), Json)
                ?? throw new ModelFormatException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path} is not a trained model's manifest: {e.Message}", e);
        }
        if (string.IsNullOrWhiteSpace(manifest.Base) || manifest.Dimension <= 0)
        {
            throw new ModelFormatException($"{path}: 'base' must name the base model and 'dimension' be positive.");
        }
        foreach (float[]? weights in new[] { manifest.QuestionFrequencyWeights, manifest.PassageFrequencyWeights })
        {
            if (weights is not null && (weights.Length != Static.FrequencyBuckets.Count || !Array.TrueForAll(weights, w => float.IsFinite(w) && w >= 0)))
            {
                throw new ModelFormatException($"{path}: frequency weights must be {Static.FrequencyBuckets.Count} finite, non-negative numbers.");
            }
        }
        if (manifest.HashedWords is { } hashed)
        {
            if (hashed.QuestionFrequencyWeights is null || hashed.PassageFrequencyWeights is null
                || !Array.TrueForAll([.. hashed.QuestionFrequencyWeights, .. hashed.PassageFrequencyWeights], w => float.IsFinite(w) && w >= 0))
            {
                throw new ModelFormatException($"{path}: hashed-word frequency weights must be finite, non-negative numbers.");
            }
            try
            {
                hashed.QuestionChannel().Validate();
                hashed.PassageChannel().Validate();
            }
            catch (ArgumentException e)
            {
                throw new ModelFormatException($"{path}: 'hashed_words' is not valid: {e.Message}", e);
            }
        }
        foreach (string? file in new[] { manifest.QuestionVectors, manifest.PassageVectors, manifest.QuestionMap, manifest.PassageMap })
        {
            if (file is not null && !File.Exists(Path.Combine(directory, file)))
            {
                throw new ModelFormatException($"{path} names {file}, which is not in {directory}.");
            }
        }
        return manifest;
    }

    /// <summary>Writes the manifest into <paramref name="directory"/>.</summary>
    public void Write(string directory) =>
        File.WriteAllText(Path.Combine(directory, TransformerModelSettings.SettingsFileName), JsonSerializer.Serialize(this, Json) + "\n");
}
