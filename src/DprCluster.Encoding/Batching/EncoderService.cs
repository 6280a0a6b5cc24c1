using System.Diagnostics;

namespace DprCluster.Encoders.Batching;

/// <summary>
/// Dynamic batching in front of one or more encoders (e.g. one ONNX session each): concurrent callers submit single
/// texts, worker threads (one per encoder) run them in batches of up to <see cref="EncoderServiceOptions.MaxBatchSize"/>,
/// waiting at most <see cref="EncoderServiceOptions.MaxDelay"/> for a batch to fill. Questions and passages batch
/// separately. The queue is bounded: past <see cref="EncoderServiceOptions.MaxQueueLength"/> texts a submission fails
/// at once (its task faults without queueing) with <see cref="EncoderOverloadedException"/>. The service owns the encoders and disposes them.
/// </summary>
public sealed class EncoderService : IDisposable
{
    private readonly IReadOnlyList<IEncoder> _encoders;
    private readonly EncoderServiceOptions _options;
    private readonly LengthBuckets _queries;
    private readonly LengthBuckets _passages;
    private readonly Thread[] _workers;
    private readonly object _gate = new(); // a Monitor: workers Wait on it for work or for a batch to fill
    private readonly long _maxDelayTicks;
    private bool _stopping;
    private long _queryBatches;
    private long _queryTexts;
    private long _passageBatches;
    private long _passageTexts;

    /// <summary>Starts one worker per encoder. All encoders must produce vectors of the same dimension.</summary>
    public EncoderService(IReadOnlyList<IEncoder> encoders, EncoderServiceOptions? options = null)
    {
        if (encoders.Count == 0)
        {
            throw new ArgumentException("At least one encoder is needed.", nameof(encoders));
        }
        options ??= new EncoderServiceOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBatchSize, nameof(options.MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxQueueLength, nameof(options.MaxQueueLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDelay, TimeSpan.Zero, nameof(options.MaxDelay));
        foreach (IEncoder encoder in encoders)
        {
            if (encoder.Dimension != encoders[0].Dimension)
            {
                throw new ArgumentException("All encoders of a service must produce vectors of the same dimension.", nameof(encoders));
            }
        }
        _encoders = encoders;
        _options = options;
        _queries = new LengthBuckets(options.LengthBucketing);
        _passages = new LengthBuckets(options.LengthBucketing);
        _maxDelayTicks = (long)(options.MaxDelay.TotalSeconds * Stopwatch.Frequency);
        Dimension = encoders[0].Dimension;
        _workers = new Thread[encoders.Count];
        for (int i = 0; i < _workers.Length; i++)
        {
            int worker = i;
            _workers[i] = new Thread(() => Work(worker)) { IsBackground = true, Name = $"dprcluster-encoder-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>Length of the vectors.</summary>
    public int Dimension { get; }

    /// <summary>
    /// Token positions run ÷ real tokens over the transformer encoders so far (1 means no padding), or null when the
    /// encoders are not transformers.
    /// </summary>
    public double? PaddingRatio
    {
        get
        {
            long real = 0;
            long padded = 0;
            bool any = false;
            foreach (IEncoder encoder in _encoders)
            {
                Transformer.TransformerEncoder? transformer = encoder switch
                {
                    Transformer.TransformerEncoder plain => plain,
                    Trained.AdaptedEncoder { Inner: Transformer.TransformerEncoder adapted } => adapted,
                    _ => null,
                };
                if (transformer is not null)
                {
                    real += transformer.RealTokens;
                    padded += transformer.PaddedTokens;
                    any = true;
                }
            }
            return !any ? null : real == 0 ? 1 : (double)padded / real;
        }
    }

    /// <summary>Batches run so far, per kind (query, passage).</summary>
    public (long Queries, long Passages) Batches => (Interlocked.Read(ref _queryBatches), Interlocked.Read(ref _passageBatches));

    /// <summary>Texts encoded so far in those batches, per kind.</summary>
    public (long Queries, long Passages) BatchedTexts => (Interlocked.Read(ref _queryTexts), Interlocked.Read(ref _passageTexts));

    /// <summary>Queue length past which submissions are refused (<see cref="EncoderServiceOptions.MaxQueueLength"/>).</summary>
    public int MaxQueueLength => _options.MaxQueueLength;

    /// <summary>Texts queued and not yet running.</summary>
    public int QueueLength
    {
        get
        {
            lock (_gate)
            {
                return _queries.Count + _passages.Count;
            }
        }
    }

    /// <summary>Creates <paramref name="sessions"/> encoders with <paramref name="factory"/> and serves them.</summary>
    public static EncoderService Create(Func<IEncoder> factory, int sessions, EncoderServiceOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sessions);
        var encoders = new List<IEncoder>(sessions);
        try
        {
            for (int i = 0; i < sessions; i++)
            {
                encoders.Add(factory());
            }
            return new EncoderService(encoders, options);
        }
        catch
        {
            foreach (IEncoder encoder in encoders)
            {
                encoder.Dispose();
            }
            throw;
        }
    }

    /// <summary>Encodes one question, batched with concurrent ones.</summary>
    public Task<float[]> EncodeQueryAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Submit(EncoderKind.Query, query, string.Empty, cancellationToken);
    }

    /// <summary>Encodes one (title, text) passage, batched with concurrent ones.</summary>
    public Task<float[]> EncodePassageAsync(PassageText passage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(passage.Text, nameof(passage));
        return Submit(EncoderKind.Passage, passage.Title ?? string.Empty, passage.Text, cancellationToken);
    }

    /// <summary>Encodes many passages (ingestion): each is queued and batched; the result keeps their order.</summary>
    public Task<float[][]> EncodePassagesAsync(IReadOnlyList<PassageText> passages, CancellationToken cancellationToken = default)
    {
        var tasks = new Task<float[]>[passages.Count];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = EncodePassageAsync(passages[i], cancellationToken);
        }
        return Task.WhenAll(tasks);
    }

    /// <summary>Stops the workers after the batches in flight, fails queued texts, and disposes the encoders.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        foreach (Thread worker in _workers)
        {
            worker.Join();
        }
        Span<EncodeRequest?> rest = new EncodeRequest?[Math.Max(1, _options.MaxQueueLength)];
        foreach (LengthBuckets queue in new[] { _queries, _passages })
        {
            int count;
            lock (_gate)
            {
                count = queue.TakeBatch(rest);
            }
            for (int i = 0; i < count; i++)
            {
                rest[i]!.Cancellation.Dispose();
                rest[i]!.Completion.TrySetException(new ObjectDisposedException(nameof(EncoderService)));
            }
        }
        var disposed = new HashSet<IEncoder>(ReferenceEqualityComparer.Instance);
        foreach (IEncoder encoder in _encoders)
        {
            if (disposed.Add(encoder))
            {
                encoder.Dispose();
            }
        }
    }

    private Task<float[]> Submit(EncoderKind kind, string first, string second, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<float[]>(cancellationToken);
        }
        var request = new EncodeRequest(kind, first, second, Stopwatch.GetTimestamp());
        LengthBuckets queue = kind == EncoderKind.Query ? _queries : _passages;
        lock (_gate)
        {
            if (_stopping)
            {
                return Task.FromException<float[]>(new ObjectDisposedException(nameof(EncoderService)));
            }
            if (_queries.Count + _passages.Count >= _options.MaxQueueLength)
            {
                return Task.FromException<float[]>(new EncoderOverloadedException(_options.MaxQueueLength));
            }
            queue.Add(request);
            Monitor.Pulse(_gate);
        }
        if (cancellationToken.CanBeCanceled)
        {
            request.Cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((EncoderService)((object[])state!)[0]).Cancel(
                (EncodeRequest)((object[])state!)[1], token), new object[] { this, request });
        }
        return request.Completion.Task;
    }

    private void Cancel(EncodeRequest request, CancellationToken token)
    {
        lock (_gate)
        {
            if (request.Dequeued)
            {
                return; // already running: the batch finishes, the caller gets its result unless it stopped waiting
            }
            request.Dequeued = true;
            (request.Kind == EncoderKind.Query ? _queries : _passages).Forget();
        }
        request.Completion.TrySetCanceled(token);
    }

    private void Work(int worker)
    {
        IEncoder encoder = _encoders[worker];
        int batchSize = _options.MaxBatchSize;
        var batch = new EncodeRequest?[batchSize];
        var queries = new string[batchSize];
        var passages = new PassageText[batchSize];
        var vectors = new float[batchSize * Dimension];
        while (NextBatch(batch, out int count, out EncoderKind kind, out long oldestArrival))
        {
            long started = Stopwatch.GetTimestamp();
            Exception? failure = null;
            try
            {
                Span<float> output = vectors.AsSpan(0, count * Dimension);
                if (kind == EncoderKind.Query)
                {
                    for (int i = 0; i < count; i++)
                    {
                        queries[i] = batch[i]!.First;
                    }
                    encoder.EncodeQueries(queries.AsSpan(0, count), output);
                }
                else
                {
                    for (int i = 0; i < count; i++)
                    {
                        passages[i] = new PassageText(batch[i]!.First, batch[i]!.Second);
                    }
                    encoder.EncodePassages(passages.AsSpan(0, count), output);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
            long finished = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                EncodeRequest request = batch[i]!;
                request.Cancellation.Dispose();
                if (failure is null)
                {
                    request.Completion.TrySetResult(vectors.AsSpan(i * Dimension, Dimension).ToArray());
                }
                else
                {
                    request.Completion.TrySetException(failure);
                }
                batch[i] = null;
            }
            Array.Clear(queries, 0, count);
            Array.Clear(passages, 0, count);
            if (kind == EncoderKind.Query)
            {
                Interlocked.Increment(ref _queryBatches);
                Interlocked.Add(ref _queryTexts, count);
            }
            else
            {
                Interlocked.Increment(ref _passageBatches);
                Interlocked.Add(ref _passageTexts, count);
            }
            _options.OnBatch?.Invoke(new EncoderBatchMetrics(kind, count, Stopwatch.GetElapsedTime(oldestArrival, started),
                Stopwatch.GetElapsedTime(started, finished), worker, failure is not null));
        }
    }

    /// <summary>
    /// Waits until a batch is due: the side with the oldest text has a full batch, or that text has waited
    /// MaxDelay. Returns false when the service stops.
    /// </summary>
    private bool NextBatch(EncodeRequest?[] batch, out int count, out EncoderKind kind, out long oldestArrival)
    {
        lock (_gate)
        {
            while (true)
            {
                if (_stopping)
                {
                    count = 0;
                    kind = default;
                    oldestArrival = 0;
                    return false;
                }
                long? oldestQuery = _queries.OldestArrival();
                long? oldestPassage = _passages.OldestArrival();
                if (oldestQuery is null && oldestPassage is null)
                {
                    Monitor.Wait(_gate);
                    continue;
                }
                kind = oldestPassage is null || (oldestQuery is not null && oldestQuery <= oldestPassage)
                    ? EncoderKind.Query
                    : EncoderKind.Passage;
                LengthBuckets queue = kind == EncoderKind.Query ? _queries : _passages;
                oldestArrival = (kind == EncoderKind.Query ? oldestQuery : oldestPassage)!.Value;
                long waited = Stopwatch.GetTimestamp() - oldestArrival;
                if (queue.Count >= batch.Length || waited >= _maxDelayTicks)
                {
                    count = queue.TakeBatch(batch);
                    if (queue.Count > 0 || OtherSide(kind).Count > 0)
                    {
                        Monitor.Pulse(_gate); // more work remains: wake another idle worker
                    }
                    return true;
                }
                long remainingMs = Math.Max(1, (long)Math.Ceiling((_maxDelayTicks - waited) * 1000.0 / Stopwatch.Frequency));
                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(remainingMs));
            }
        }
    }

    private LengthBuckets OtherSide(EncoderKind kind) => kind == EncoderKind.Query ? _passages : _queries;
}
