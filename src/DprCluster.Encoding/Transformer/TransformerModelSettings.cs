using System.Text.Json;
using DprCluster.Text.Tokenization;

namespace DprCluster.Encoders.Transformer;

/// <summary>
/// What a model directory says about encoding with it: the optional <c>config.json</c> (Hugging Face; model_type,
/// hidden_size, max_position_embeddings) and the optional <c>dprcluster.json</c> (pooling cls|mean|pooler, normalize,
/// max_length, token_types zeros|segments, query_prefix, passage_prefix). Absent settings follow DPR — [CLS] pooling,
/// no normalisation (dot product), 256 tokens, all-zero token types, no prefixes — and each one taken that way is
/// listed in <see cref="Assumed"/>, for the host to log: a wrong guess about pooling or normalisation is silent in the
/// vectors, so it must not be silent in the log.
/// </summary>
public sealed record TransformerModelSettings
{
    /// <summary>File name of DprCluster's optional per-model settings.</summary>
    public const string SettingsFileName = "dprcluster.json";

    /// <summary>DPR's maximum sequence length for questions and passages.</summary>
    public const int DprMaxLength = 256;

    private static readonly string[] KnownSettings = ["pooling", "normalize", "max_length", "token_types", "query_prefix", "passage_prefix"];

    /// <summary>Hugging Face <c>model_type</c> (e.g. "bert", "dpr"), or empty.</summary>
    public string ModelType { get; init; } = string.Empty;

    /// <summary><c>hidden_size</c> from config.json, or null.</summary>
    public int? HiddenSize { get; init; }

    /// <summary>Pooling named in dprcluster.json, or null to choose from the model's outputs.</summary>
    public Pooling? Pooling { get; init; }

    /// <summary>L2-normalise vectors (cosine models); DPR does not.</summary>
    public bool Normalize { get; init; }

    /// <summary>Most tokens per sequence, special tokens included.</summary>
    public int MaxLength { get; init; } = DprMaxLength;

    /// <summary>Token type ids: all zero (DPR) or BERT segments.</summary>
    public TokenTypeMode TokenTypes { get; init; } = TokenTypeMode.Zeros;

    /// <summary>Text put before every question (e.g. "query: " for E5 models).</summary>
    public string QueryPrefix { get; init; } = string.Empty;

    /// <summary>Text put before every passage's first segment (e.g. "passage: ").</summary>
    public string PassagePrefix { get; init; } = string.Empty;

    /// <summary>Settings neither file gave, each as "name: value (why)".</summary>
    public IReadOnlyList<string> Assumed { get; init; } = [];

    /// <summary>Reads config.json and dprcluster.json from <paramref name="directory"/>; either may be absent.</summary>
    public static TransformerModelSettings Read(string directory)
    {
        string configPath = Path.Combine(directory, "config.json");
        var settings = new TransformerModelSettings();
        int? maxPositions = null;
        if (File.Exists(configPath))
        {
            using JsonDocument config = ParseObject(configPath);
            maxPositions = OptionalInt(config.RootElement, "max_position_embeddings", configPath);
            settings = new TransformerModelSettings
            {
                ModelType = config.RootElement.TryGetProperty("model_type", out JsonElement type) && type.ValueKind == JsonValueKind.String
                    ? type.GetString()!
                    : string.Empty,
                HiddenSize = OptionalInt(config.RootElement, "hidden_size", configPath),
            };
        }
        string settingsPath = Path.Combine(directory, SettingsFileName);
        var given = new HashSet<string>();
        if (File.Exists(settingsPath))
        {
            settings = settings.With(settingsPath, given);
        }
        var assumed = new List<string>();
        if (!given.Contains("normalize"))
        {
            assumed.Add($"normalize: false (DPR's raw dot product; no 'normalize' in {SettingsFileName})");
        }
        if (!given.Contains("max_length"))
        {
            assumed.Add($"max_length: {Math.Min(DprMaxLength, maxPositions ?? DprMaxLength)} (DPR's {DprMaxLength}" +
                (maxPositions is int positions && positions < DprMaxLength ? $", cut to config.json's max_position_embeddings {positions})" : ")"));
        }
        if (maxPositions is int limit && settings.MaxLength > limit)
        {
            settings = settings with { MaxLength = limit };
        }
        return settings with { Assumed = assumed };
    }

    private TransformerModelSettings With(string path, HashSet<string> given)
    {
        using JsonDocument document = ParseObject(path);
        TransformerModelSettings result = this;
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            given.Add(property.Name);
            JsonElement value = property.Value;
            result = property.Name switch
            {
                "pooling" => result with { Pooling = ParsePooling(String(value, property.Name, path), path) },
                "normalize" => result with { Normalize = value.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? value.GetBoolean()
                    : throw Invalid(path, "normalize", "true or false") },
                "max_length" => result with { MaxLength = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= 3
                    ? n
                    : throw Invalid(path, "max_length", "an integer of at least 3") },
                "token_types" => result with { TokenTypes = String(value, property.Name, path) switch
                {
                    "zeros" => TokenTypeMode.Zeros,
                    "segments" => TokenTypeMode.Segments,
                    _ => throw Invalid(path, "token_types", "\"zeros\" or \"segments\""),
                } },
                "query_prefix" => result with { QueryPrefix = String(value, property.Name, path) },
                "passage_prefix" => result with { PassagePrefix = String(value, property.Name, path) },
                _ => throw new ModelFormatException(
                    $"{path}: unknown setting '{property.Name}'; known settings are {string.Join(", ", KnownSettings)}."),
            };
        }
        return result;
    }

    private static Pooling ParsePooling(string value, string path) => value switch
    {
        "cls" => Transformer.Pooling.Cls,
        "mean" => Transformer.Pooling.Mean,
        "pooler" => Transformer.Pooling.Pooler,
        "sentence_embedding" => Transformer.Pooling.SentenceEmbedding,
        _ => throw Invalid(path, "pooling", "\"cls\", \"mean\", \"pooler\" or \"sentence_embedding\""),
    };

    private static JsonDocument ParseObject(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path} is not valid JSON: {e.Message}", e);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new ModelFormatException($"{path} must hold a JSON object.");
        }
        return document;
    }

    private static int? OptionalInt(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n > 0
            ? n
            : throw Invalid(path, name, "a positive integer");
    }

    private static string String(JsonElement value, string name, string path) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Invalid(path, name, "a string");

    private static ModelFormatException Invalid(string path, string name, string expected) =>
        new($"{path}: '{name}' must be {expected}.");
}
