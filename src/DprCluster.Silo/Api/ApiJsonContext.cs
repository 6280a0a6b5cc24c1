using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using DprCluster.Abstractions;

namespace DprCluster.Silo.Api;

/// <summary>
/// Source-generated JSON for the REST API: snake_case names, enums as strings, nulls left out, and unknown request
/// members rejected so a misspelt field is an error instead of a silent default.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters = [typeof(SnakeCaseEnumConverter<ShardState>)],
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    MaxDepth = 16)]
[JsonSerializable(typeof(SearchBody))]
[JsonSerializable(typeof(PassagesBody))]
[JsonSerializable(typeof(PassageBody))]
[JsonSerializable(typeof(SearchResponseBody))]
[JsonSerializable(typeof(MultiSearchResponse))]
[JsonSerializable(typeof(UpsertResponseBody))]
[JsonSerializable(typeof(DeleteResponse))]
[JsonSerializable(typeof(ClusterBody))]
[JsonSerializable(typeof(ProjectionBody))]
[JsonSerializable(typeof(ProjectionResponseBody))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ProblemDocument))]
public sealed partial class ApiJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Writer settings for response bodies: quotes and apostrophes stay readable (the API answers JSON, never HTML,
    /// so HTML-safe escaping buys nothing).
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
