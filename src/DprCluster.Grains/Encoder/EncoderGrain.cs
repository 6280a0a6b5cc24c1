using System.Diagnostics;
using DprCluster.Encoders;
using DprCluster.Encoders.Batching;
using DprCluster.Grains.Contracts;
using DprCluster.Grains.Telemetry;

namespace DprCluster.Grains.Encoder;

/// <summary>
/// Hosts an <see cref="EncoderService"/> (question and passage encoders with dynamic batching). Concurrent callers'
/// questions are batched together by the service; an over-full queue is reported as <see cref="ClusterErrorCodes.Overloaded"/>.
/// </summary>
public sealed class EncoderGrain : IEncoderGrain
{
    private readonly EncoderService _service;

    /// <summary>Serves <paramref name="service"/> and reports its queue in the encoder metrics.</summary>
    public EncoderGrain(EncoderService service)
    {
        _service = service;
        EncoderTelemetry.Observe(service);
    }

    /// <inheritdoc />
    public int Dimension => _service.Dimension;

    /// <inheritdoc />
    public async Task<float[][]> EncodeQueriesAsync(IReadOnlyList<string> queries, CancellationToken cancellationToken)
    {
        using Activity? span = StartSpan(questions: true, queries.Count);
        var tasks = new Task<float[]>[queries.Count];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = _service.EncodeQueryAsync(queries[i], cancellationToken);
        }
        try
        {
            return await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (EncoderOverloadedException e)
        {
            throw Overloaded(span, e);
        }
    }

    /// <inheritdoc />
    public async Task<float[][]> EncodePassagesAsync(IReadOnlyList<PassageText> passages, CancellationToken cancellationToken)
    {
        using Activity? span = StartSpan(questions: false, passages.Count);
        try
        {
            return await _service.EncodePassagesAsync(passages, cancellationToken).ConfigureAwait(false);
        }
        catch (EncoderOverloadedException e)
        {
            throw Overloaded(span, e);
        }
    }

    private static Activity? StartSpan(bool questions, int count)
    {
        Activity? span = SampledSpans.Start(EncoderTelemetry.Source, DprClusterTelemetry.Spans.EncoderEncode);
        if (span is not null)
        {
            KeyValuePair<string, object?> kind = EncoderTelemetry.KindTag(questions);
            span.SetTag(kind.Key, kind.Value);
            span.SetTag(DprClusterTelemetry.Attributes.Count, count);
        }
        return span;
    }

    private static ClusterException Overloaded(Activity? span, EncoderOverloadedException e)
    {
        span?.SetStatus(ActivityStatusCode.Error, e.Message);
        return new ClusterException(ClusterErrorCodes.Overloaded, e.Message, e);
    }
}
