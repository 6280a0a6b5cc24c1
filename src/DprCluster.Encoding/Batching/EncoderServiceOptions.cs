namespace DprCluster.Encoders.Batching;

/// <summary>Batching and back-pressure settings of an <see cref="EncoderService"/>.</summary>
public sealed record EncoderServiceOptions
{
    /// <summary>Most texts per encoder call.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>
    /// Longest a text waits for companions before a partial batch runs. Zero runs whatever is queued as soon as a
    /// worker is free.
    /// </summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Most texts queued (not yet running); one more is refused with <see cref="EncoderOverloadedException"/>.</summary>
    public int MaxQueueLength { get; init; } = 4096;

    /// <summary>
    /// Group texts of similar length into a batch (less padding for transformer models). Texts fall into buckets by
    /// character length (below 32, 64, 128, 256, 512, 1024 characters, and longer).
    /// </summary>
    public bool LengthBucketing { get; init; } = true;

    /// <summary>Called after every batch, on the worker thread; keep it cheap (counters, histograms).</summary>
    public Action<EncoderBatchMetrics>? OnBatch { get; init; }
}
