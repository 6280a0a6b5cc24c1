using System.Text.Json;
using System.Text.Json.Serialization;
using DprCluster.Text.Tokenization;

namespace DprCluster.Text.Tests.Tokenization;

/// <summary>One line of tests/golden/tokenizer/golden.jsonl: an input and Hugging Face's ids for it.</summary>
internal sealed record GoldenCase(
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("variant")] string? Variant,
    [property: JsonPropertyName("a")] string First,
    [property: JsonPropertyName("b")] string? Second,
    [property: JsonPropertyName("max_length")] int? MaxLength,
    [property: JsonPropertyName("truncation")] string? Truncation,
    [property: JsonPropertyName("ids")] int[]? Ids,
    [property: JsonPropertyName("type_ids")] int[]? TypeIds,
    [property: JsonPropertyName("error")] string? Error)
{
    public static IReadOnlyList<GoldenCase> ReadAll() =>
        [.. File.ReadLines(TokenizerTestFiles.GoldenSet)
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<GoldenCase>(line)!)];

    public TokenizerOptions Options => new()
    {
        MaxLength = MaxLength ?? int.MaxValue,
        Truncation = Truncation switch
        {
            null or "longest_first" => TruncationStrategy.LongestFirst,
            "only_first" => TruncationStrategy.OnlyFirst,
            "only_second" => TruncationStrategy.OnlySecond,
            _ => throw new InvalidDataException($"Unknown truncation '{Truncation}'."),
        },
    };

    public override string ToString() =>
        $"[{Group}{(Variant is null ? "" : "/" + Variant)}] {JsonSerializer.Serialize(First)}{(Second is null ? "" : " | " + JsonSerializer.Serialize(Second))}"
        + (MaxLength is null ? "" : $" (max {MaxLength}, {Truncation})");
}
