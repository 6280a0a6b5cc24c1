using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DprCluster.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace DprCluster.Silo.Api;

/// <summary>
/// Reads a JSON request body no larger than a limit (413 past it, checked against Content-Length before reading and
/// against the bytes read — after decompression — for chunked or compressed bodies) and deserializes it. The body must
/// be declared JSON (<c>application/json</c> or <c>+json</c>, UTF-8) and may be sent with <c>Content-Encoding</c>
/// gzip, deflate or br; anything else is 415. One JSON value and nothing after it.
/// </summary>
public static class JsonBodyReader
{
    /// <summary>Reads and parses the body; malformed or empty JSON is a <see cref="ClusterErrorCodes.InvalidRequest"/> error.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, long limit, CancellationToken cancellationToken)
        where T : class
    {
        RequireJson(request.ContentType);
        // Kestrel counts the raw bytes too, so a compressed body cannot stream forever however little it inflates to.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }
        string? encoding = request.Headers.ContentEncoding.Count switch
        {
            0 => null,
            1 => request.Headers.ContentEncoding[0]?.Trim().ToLowerInvariant(),
            _ => throw Unsupported("Only one Content-Encoding is read; send gzip, deflate or br, or none."),
        };
        if (encoding is null or "identity")
        {
            if (request.ContentLength > limit)
            {
                throw TooLarge(request.ContentLength.Value, limit);
            }
            return await ReadPipeAsync(request.BodyReader, typeInfo, limit, cancellationToken).ConfigureAwait(false);
        }
        await using Stream decompressed = encoding switch
        {
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "br" => new BrotliStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            _ => throw Unsupported($"Content-Encoding '{encoding}' is not supported; send gzip, deflate or br, or none."),
        };
        PipeReader inflated = PipeReader.Create(decompressed);
        try
        {
            return await ReadPipeAsync(inflated, typeInfo, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"The body is not valid {encoding} data: {e.Message}", e);
        }
        finally
        {
            await inflated.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static async Task<T> ReadPipeAsync<T>(PipeReader reader, JsonTypeInfo<T> typeInfo, long limit, CancellationToken cancellationToken)
        where T : class
    {
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

    private static void RequireJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            throw Unsupported("The request has no Content-Type; send the body as application/json.");
        }
        if (!MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? type)
            || type.MediaType.Value is not { } media
            || !(media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            throw Unsupported($"Content-Type '{contentType}' is not JSON; send application/json.");
        }
        if (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            throw Unsupported($"The body's charset is '{type.Charset}'; JSON is read as UTF-8.");
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
            T value = JsonSerializer.Deserialize(ref json, typeInfo)
                ?? throw new ClusterException(ClusterErrorCodes.InvalidRequest, "The request body is null; send a JSON object.");
            // Deserialize stops after one value; anything but whitespace after it makes the reader throw or read on.
            if (json.Read())
            {
                throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"The body holds more than one JSON value (data after byte {json.TokenStartIndex}).");
            }
            return value;
        }
        catch (JsonException e)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"Malformed JSON: {e.Message}", e);
        }
    }

    private static ClusterException Unsupported(string message) => new(ClusterErrorCodes.UnsupportedMediaType, message);

    private static ClusterException TooLarge(long length, long limit) =>
        new(ClusterErrorCodes.PayloadTooLarge, $"The request body has at least {length} bytes; the limit is {limit}.");
}
