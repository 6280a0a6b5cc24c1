namespace DprCluster.Encoders.Batching;

/// <summary>What one batch did: its side, size, how long its oldest text queued, and how long the encoder ran.</summary>
/// <param name="Kind">Questions or passages.</param>
/// <param name="BatchSize">Texts in the batch.</param>
/// <param name="QueueWait">Time from the oldest text's arrival to the start of the run.</param>
/// <param name="RunTime">Time spent in the encoder.</param>
/// <param name="Worker">Index of the worker (encoder session) that ran it.</param>
/// <param name="Failed">Whether the encoder threw (every text in the batch then fails with that exception).</param>
public readonly record struct EncoderBatchMetrics(EncoderKind Kind, int BatchSize, TimeSpan QueueWait, TimeSpan RunTime, int Worker, bool Failed);
