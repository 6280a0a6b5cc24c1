namespace DprCluster.Encoders.Batching;

/// <summary>
/// The queue of one side (questions or passages): FIFO buckets by text length. A batch starts from the oldest
/// request and is filled from its bucket first, then from the nearest buckets, so rows padded together are of
/// similar length. Cancelled requests are removed lazily when they reach a bucket's head. Not thread-safe: the
/// service calls it under its lock.
/// </summary>
internal sealed class LengthBuckets
{
    private static readonly int[] UpperBounds = [32, 64, 128, 256, 512, 1024, int.MaxValue];

    private readonly Queue<EncodeRequest>[] _buckets;
    private readonly bool _bucketing;

    public LengthBuckets(bool bucketing)
    {
        _bucketing = bucketing;
        _buckets = new Queue<EncodeRequest>[bucketing ? UpperBounds.Length : 1];
        for (int i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = new Queue<EncodeRequest>();
        }
    }

    /// <summary>Requests queued and not cancelled.</summary>
    public int Count { get; private set; }

    public void Add(EncodeRequest request)
    {
        _buckets[BucketOf(request.Length)].Enqueue(request);
        Count++;
    }

    /// <summary>Accounts for a request cancelled while queued (it stays in its bucket until it reaches the head).</summary>
    public void Forget() => Count--;

    /// <summary>Arrival time of the oldest live request, or null when empty.</summary>
    public long? OldestArrival()
    {
        long? oldest = null;
        foreach (Queue<EncodeRequest> bucket in _buckets)
        {
            if (Head(bucket) is { } head && (oldest is null || head.ArrivalTimestamp < oldest))
            {
                oldest = head.ArrivalTimestamp;
            }
        }
        return oldest;
    }

    /// <summary>Moves up to <paramref name="batch"/>.Length requests into <paramref name="batch"/>; returns how many.</summary>
    public int TakeBatch(Span<EncodeRequest?> batch)
    {
        int start = -1;
        long oldest = long.MaxValue;
        for (int i = 0; i < _buckets.Length; i++)
        {
            if (Head(_buckets[i]) is { } head && head.ArrivalTimestamp < oldest)
            {
                oldest = head.ArrivalTimestamp;
                start = i;
            }
        }
        if (start < 0)
        {
            return 0;
        }
        int taken = Drain(_buckets[start], batch, 0);
        for (int distance = 1; taken < batch.Length && distance < _buckets.Length; distance++)
        {
            if (start - distance >= 0)
            {
                taken = Drain(_buckets[start - distance], batch, taken);
            }
            if (start + distance < _buckets.Length)
            {
                taken = Drain(_buckets[start + distance], batch, taken);
            }
        }
        return taken;
    }

    private int Drain(Queue<EncodeRequest> bucket, Span<EncodeRequest?> batch, int taken)
    {
        while (taken < batch.Length && Head(bucket) is { } request)
        {
            bucket.Dequeue();
            request.Dequeued = true;
            Count--;
            batch[taken++] = request;
        }
        return taken;
    }

    private static EncodeRequest? Head(Queue<EncodeRequest> bucket)
    {
        while (bucket.TryPeek(out EncodeRequest? head))
        {
            if (!head.Dequeued)
            {
                return head;
            }
            bucket.Dequeue();
        }
        return null;
    }

    private int BucketOf(int length)
    {
        if (!_bucketing)
        {
            return 0;
        }
        int bucket = 0;
        while (length >= UpperBounds[bucket])
        {
            bucket++;
        }
        return bucket;
    }
}
