namespace DprCluster.Encoders.Batching;

/// <summary>One queued text and the task its caller awaits.</summary>
internal sealed class EncodeRequest
{
    public EncodeRequest(EncoderKind kind, string first, string second, long arrivalTimestamp)
    {
        Kind = kind;
        First = first;
        Second = second;
        ArrivalTimestamp = arrivalTimestamp;
    }

    public EncoderKind Kind { get; }

    /// <summary>The question, or the passage title.</summary>
    public string First { get; }

    /// <summary>The passage text (empty for questions).</summary>
    public string Second { get; }

    public long ArrivalTimestamp { get; }

    public int Length => First.Length + Second.Length;

    public TaskCompletionSource<float[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set under the service lock when the request leaves the queue (taken into a batch, or cancelled).</summary>
    public bool Dequeued { get; set; }

    public CancellationTokenRegistration Cancellation { get; set; }
}
