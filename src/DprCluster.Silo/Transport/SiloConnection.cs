using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using DprCluster.Grains.Contracts;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Transport.Protos;
using Google.Protobuf;

namespace DprCluster.Silo.Transport;

/// <summary>
/// The client side of the transport to one silo: HTTP/2 cleartext with prior knowledge (one multiplexed connection,
/// more when streams run out), one POST per call carrying one protobuf message, the remaining deadline in
/// <see cref="TransportHeaders.Deadline"/>, and <see cref="ClusterException"/> codes carried back from the callee.
/// </summary>
internal sealed class SiloConnection : IDisposable
{
    private static readonly MediaTypeHeaderValue ProtobufContentType = new(TransportHeaders.ProtobufMediaType);

    private readonly HttpClient _http;
    private readonly TimeSpan _defaultTimeout;

    /// <summary>Opens (lazily) a connection to the silo at <paramref name="address"/>.</summary>
    public SiloConnection(string name, Uri address, TransportOptions options)
    {
        Name = name;
        Address = address;
        _defaultTimeout = TimeSpan.FromMilliseconds(options.CallTimeoutMs);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(options.ConnectTimeoutMs),
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            UseProxy = false,
            // No HttpClient span per call (the coordinator's shard-call span stands for it); CallAsync sends traceparent.
            ActivityHeadersPropagator = null,
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The silo's name in the cluster view.</summary>
    public string Name { get; }

    /// <summary>The silo's internal URL.</summary>
    public Uri Address { get; }

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="path"/> and parses the answer. Failures surface as
    /// <see cref="ClusterException"/>: the callee's own code, <paramref name="unreachableCode"/> when the silo cannot be
    /// reached, or <see cref="ClusterErrorCodes.DeadlineExceeded"/>; cancellation by <paramref name="cancellationToken"/>
    /// stays an <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<TResponse> CallAsync<TResponse>(string path, IMessage request, MessageParser<TResponse> parser,
        string unreachableCode, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        TimeSpan budget = CallDeadline.Remaining is TimeSpan remaining && remaining < _defaultTimeout ? remaining : _defaultTimeout;
        if (budget <= TimeSpan.Zero)
        {
            throw new ClusterException(ClusterErrorCodes.DeadlineExceeded,
                $"The deadline passed before {path} could be sent to {Name}.");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(budget);
        using var message = new HttpRequestMessage(HttpMethod.Post, path)
        {
            // A hand-made request does not inherit the client's default version: h2c with prior knowledge, no fallback.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(request.ToByteArray()) { Headers = { ContentType = ProtobufContentType } },
        };
        // W3C trace context of the caller's span, which the callee's ASP.NET Core request span continues.
        DistributedContextPropagator.Current.Inject(Activity.Current, message,
            static (carrier, name, value) => ((HttpRequestMessage)carrier!).Headers.TryAddWithoutValidation(name, value));
        message.Headers.TryAddWithoutValidation(TransportHeaders.Deadline,
            ((long)Math.Ceiling(budget.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture));
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token)
                .ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return parser.ParseFrom(body);
            }
            throw ErrorFrom(response, body, path, unreachableCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClusterException(ClusterErrorCodes.DeadlineExceeded,
                $"{Name} did not answer {path} within {budget.TotalMilliseconds:F0} ms.");
        }
        catch (HttpRequestException e)
        {
            throw new ClusterException(unreachableCode, $"{Name} ({Address}) is unreachable: {e.Message}", e);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ClusterException(ClusterErrorCodes.Internal, $"{Name} answered {path} with a malformed message: {e.Message}", e);
        }
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose() => _http.Dispose();

    private ClusterException ErrorFrom(HttpResponseMessage response, byte[] body, string path, string unreachableCode)
    {
        if (response.Content.Headers.ContentType?.MediaType == TransportHeaders.ProtobufMediaType)
        {
            try
            {
                ErrorMessage error = ErrorMessage.Parser.ParseFrom(body);
                return new ClusterException(error.Code, error.Message);
            }
            catch (InvalidProtocolBufferException)
            {
                // Fall through: report the status instead of the unreadable body.
            }
        }
        string code = response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway
            ? unreachableCode
            : ClusterErrorCodes.Internal;
        return new ClusterException(code, $"{Name} answered {path} with HTTP {(int)response.StatusCode}.");
    }
}
