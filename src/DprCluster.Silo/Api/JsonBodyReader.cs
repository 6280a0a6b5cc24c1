using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DprCluster.Abstractions;
using Microsoft.AspNetCore.Http;

namespace DprCluster.Silo.Api;

/// <summary>
/// Reads a JSON request body no larger than a limit (413 past it, checked against Content-Length before reading and
/// against the bytes read for chunked bodies) and deserializes it without copying it out of the request pipe.
/// </summary>
public static class JsonBodyReader
{
    /// <summary>Reads and parses the body; malformed or empty JSON is a <see cref="ClusterErrorCodes.InvalidRequest"/> error.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, long limit, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > limit)
        {
            throw TooLarge(request.ContentLength.Value, limit);
        }
        PipeReader reader = request.BodyReader;
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                throw TooLarge(buffer.Length, limit);
            }
            if (result.IsCompleted)
            {
                try
                {
                    return Parse(buffer, typeInfo);
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static T Parse<T>(ReadOnlySequence<byte> body, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (body.IsEmpty)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "The request body is empty; send a JSON object.");
        }
        try
        {
            var json = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
            return JsonSerializer.Deserialize(ref json, typeInfo)
                ?? throw new ClusterException(ClusterErrorCodes.InvalidRequest, "The request body is null; send a JSON object.");
        }
        catch (JsonException e)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"Malformed JSON: {e.Message}", e);
        }
    }

    private static ClusterException TooLarge(long length, long limit) =>
        new(ClusterErrorCodes.PayloadTooLarge, $"The request body has at least {length} bytes; the limit is {limit}.");
}
