using System.Text.Json;
using System.Text.Json.Serialization;

namespace DprCluster.Silo.Api;

/// <summary>Writes and reads <typeparamref name="TEnum"/> values as snake_case strings (<c>serving</c>, <c>bm25</c>).</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
