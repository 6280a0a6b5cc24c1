using System.Diagnostics;
using DprCluster.Encoders;
using DprCluster.Encoders.Batching;
using DprCluster.Abstractions;
using DprCluster.Grains.Telemetry;
using Orleans.Concurrency;

namespace DprCluster.Grains.Encoder;

/// <summary>
/// A stateless worker on encoder silos over the silo's one <see cref="EncoderService"/> (question and passage
/// encoders with dynamic batching), so concurrent callers' questions are batched together whichever activation they
/// reach. Only encoder silos register the class, so a stateless worker called from any other silo is placed on an
/// encoder silo. An over-full queue is reported as <see cref="ClusterErrorCodes.Overloaded"/>.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class EncoderGrain(EncoderService service) : Grain, IEncoderGrain
{
    private readonly EncoderService _service = service;

    /// <inheritdoc />
    public Task<EncoderStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        (long queryBatches, long passageBatches) = _service.Batches;
        (long queryTexts, long passageTexts) = _service.BatchedTexts;
        return Task.FromResult(new EncoderStats(RuntimeIdentity, _service.QueueLength, _service.MaxQueueLength,
            queryBatches, queryBatches == 0 ? 0 : (double)queryTexts / queryBatches,
            passageBatches, passageBatches == 0 ? 0 : (double)passageTexts / passageBatches));
    }

    /// <inheritdoc />
    public async Task<float[][]> EncodeQueriesAsync(string[] queries, CancellationToken cancellationToken)
    {
        using Activity? span = StartSpan(questions: true, queries.Length);
        var tasks = new Task<float[]>[queries.Length];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = _service.EncodeQueryAsync(queries[i], cancellationToken);
        }
        try
        {
            return await Task.WhenAll(tasks);
        }
        catch (EncoderOverloadedException e)
        {
            throw Overloaded(span, e);
        }
    }

    /// <inheritdoc />
    public async Task<float[][]> EncodePassagesAsync(PassageContent[] passages, CancellationToken cancellationToken)
    {
        using Activity? span = StartSpan(questions: false, passages.Length);
        var texts = new PassageText[passages.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            texts[i] = new PassageText(passages[i].Title, passages[i].Text);
        }
        try
        {
            return await _service.EncodePassagesAsync(texts, cancellationToken);
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
