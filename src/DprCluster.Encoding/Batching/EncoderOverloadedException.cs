namespace DprCluster.Encoders.Batching;

/// <summary>
/// The encoder queue is full: the caller should back off or shed load (HTTP 429/503) rather than queue without bound.
/// </summary>
public sealed class EncoderOverloadedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EncoderOverloadedException(int queueLimit)
        : base($"The encoder is overloaded: {queueLimit} texts are already queued. Retry later or add encoder capacity.")
    {
        QueueLimit = queueLimit;
    }

    /// <summary>The queue limit that was reached.</summary>
    public int QueueLimit { get; }
}
