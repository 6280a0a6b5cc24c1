using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using DprCluster.Encoders.Batching;
using DprCluster.Grains.Contracts;
using DprCluster.Silo.Transport.Protos;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DprCluster.Silo.Transport;

/// <summary>
/// The server side of one transport call: reads the protobuf request, applies the caller's deadline (cancelling the
/// grain call when it passes or when the caller goes away), runs the grain, and writes the protobuf answer or an
/// <see cref="ErrorMessage"/> with the failure's stable code.
/// </summary>
internal static class TransportCall
{
    public static async Task HandleAsync<TRequest, TResponse>(HttpContext context, MessageParser<TRequest> parser,
        Func<TRequest, CancellationToken, Task<TResponse>> handler, ILogger logger)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        CancellationToken aborted = context.RequestAborted;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        if (context.Request.Headers.TryGetValue(TransportHeaders.Deadline, out var header) &&
            long.TryParse(header.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out long milliseconds))
        {
            TimeSpan budget = TimeSpan.FromMilliseconds(milliseconds);
            deadline.CancelAfter(budget);
            CallDeadline.Set(budget);
        }
        try
        {
            TRequest request = await ReadAsync(context.Request.BodyReader, parser, deadline.Token).ConfigureAwait(false);
            TResponse response = await handler(request, deadline.Token).ConfigureAwait(false);
            await WriteAsync(context.Response, StatusCodes.Status200OK, response, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The caller gave up; nobody reads the answer.
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await WriteErrorAsync(context, ClusterErrorCodes.DeadlineExceeded,
                $"{context.Request.Path} ran past the caller's deadline.").ConfigureAwait(false);
        }
        catch (ClusterException e)
        {
            await WriteErrorAsync(context, e.Code, e.Message).ConfigureAwait(false);
        }
        catch (EncoderOverloadedException e)
        {
            await WriteErrorAsync(context, ClusterErrorCodes.Overloaded, e.Message).ConfigureAwait(false);
        }
        catch (InvalidProtocolBufferException e)
        {
            await WriteErrorAsync(context, ClusterErrorCodes.InvalidRequest, $"Malformed transport message: {e.Message}")
                .ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await WriteErrorAsync(context, ClusterErrorCodes.InvalidRequest, e.Message).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            await WriteErrorAsync(context, ClusterErrorCodes.ShardUnavailable, "The silo is shutting down.").ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Transport call {Path} failed", context.Request.Path);
            await WriteErrorAsync(context, ClusterErrorCodes.Internal, e.Message).ConfigureAwait(false);
        }
    }

    private static async Task<TRequest> ReadAsync<TRequest>(PipeReader reader, MessageParser<TRequest> parser,
        CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCompleted)
            {
                TRequest request = parser.ParseFrom(buffer);
                reader.AdvanceTo(buffer.End);
                return request;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static Task WriteErrorAsync(HttpContext context, string code, string message) =>
        context.Response.HasStarted
            ? Task.CompletedTask
            : WriteAsync(context.Response, ClusterErrorStatus.Of(code), new ErrorMessage { Code = code, Message = message },
                context.RequestAborted);

    private static async Task WriteAsync(HttpResponse response, int status, IMessage message, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = TransportHeaders.ProtobufMediaType;
        int size = message.CalculateSize();
        response.ContentLength = size;
        // One span of the exact size: protobuf's IBufferWriter path advances before asking for memory, which Kestrel refuses.
        Span<byte> body = response.BodyWriter.GetSpan(size)[..size];
        message.WriteTo(body);
        response.BodyWriter.Advance(size);
        await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
