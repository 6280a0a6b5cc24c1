using System.Text.Json;
using System.Text.Json.Serialization;
using DprCluster.Testing;

namespace DprCluster.Encoders.Tests;

/// <summary>tests/golden/encoder/tiny-bert.json, written by tools/encoder/golden.mjs with onnxruntime-node.</summary>
internal sealed class GoldenFile
{
    public static GoldenFile TinyBert { get; } = JsonSerializer.Deserialize<GoldenFile>(
        File.ReadAllText(Path.Combine(Path.Combine(RepositoryPaths.Golden, "encoder"), "tiny-bert.json")))!;

    [JsonPropertyName("onnxruntime")] public string OnnxRuntime { get; init; } = "";
    [JsonPropertyName("max_length")] public int MaxLength { get; init; }
    [JsonPropertyName("cases")] public GoldenCase[] Cases { get; init; } = [];
    [JsonPropertyName("batch")] public GoldenBatch Batch { get; init; } = new();
}

internal sealed class GoldenCase
{
    [JsonPropertyName("kind")] public string Kind { get; init; } = "";
    [JsonPropertyName("text")] public string Text { get; init; } = "";
    [JsonPropertyName("title")] public string? Title { get; init; }
    [JsonPropertyName("ids")] public int[] Ids { get; init; } = [];
    [JsonPropertyName("cls")] public float[] Cls { get; init; } = [];
    [JsonPropertyName("pooler")] public float[] Pooler { get; init; } = [];
    [JsonPropertyName("mean")] public float[] Mean { get; init; } = [];

    public override string ToString() => Kind == "query" ? $"query '{Shorten(Text)}'" : $"passage '{Title}' / '{Shorten(Text)}'";

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}

internal sealed class GoldenBatch
{
    [JsonPropertyName("cases")] public int[] Cases { get; init; } = [];
    [JsonPropertyName("shape")] public long[] Shape { get; init; } = [];
    [JsonPropertyName("width")] public int Width { get; init; }
    [JsonPropertyName("last_hidden_state")] public float[] LastHiddenState { get; init; } = [];
    [JsonPropertyName("pooler_output")] public float[] PoolerOutput { get; init; } = [];
}
