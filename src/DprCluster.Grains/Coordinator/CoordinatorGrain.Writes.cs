using System.Diagnostics;
using DprCluster.Abstractions;
using DprCluster.Core.Hashing;
using DprCluster.Core.Passages;
using DprCluster.Grains.Placement;
using DprCluster.Grains.Telemetry;

namespace DprCluster.Grains.Coordinator;

public sealed partial class CoordinatorGrain
{
    /// <inheritdoc />
    public async Task<UpsertResponse> UpsertAsync(Passage[] passages, CancellationToken cancellationToken)
    {
        ValidateBatch(passages);
        using Activity? span = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Upsert);
        span?.SetTag(DprClusterTelemetry.Attributes.Count, passages.Length);
        try
        {
            UpsertResponse response = await UpsertValidatedAsync(passages, cancellationToken);
            CoordinatorTelemetry.RecordUpserted(passages);
            return response;
        }
        catch (Exception e)
        {
            CoordinatorTelemetry.RecordFailure(CoordinatorTelemetry.Upsert, span, e);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<UpsertResponse> ImportAsync(EncodedPassage[] passages, CancellationToken cancellationToken)
    {
        var texts = new Passage[passages?.Length ?? 0];
        for (int i = 0; i < texts.Length; i++)
        {
            if (passages![i]?.Passage is null || passages[i].Vector is null)
            {
                throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"passages[{i}] needs a passage and a vector");
            }
            texts[i] = passages[i].Passage;
        }
        ValidateBatch(texts);
        for (int i = 0; i < passages!.Length; i++)
        {
            float[] vector = passages[i].Vector;
            if (vector.Length != _layout.Dimension)
            {
                throw new ClusterException(ClusterErrorCodes.DimensionMismatch,
                    $"passages[{i}].vector has {vector.Length} dimensions; the index stores {_layout.Dimension}");
            }
            if (PassageLimits.CheckVector(vector) is { } problem)
            {
                throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"passages[{i}].vector: {problem}");
            }
        }
        using Activity? span = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Upsert);
        span?.SetTag(DprClusterTelemetry.Attributes.Count, passages.Length);
        try
        {
            bool[] unchanged = await FindUnchangedAsync(texts, cancellationToken);
            var pending = new List<Passage>(passages.Length);
            var vectors = new List<float[]>(passages.Length);
            var touched = new HashSet<int>();
            for (int i = 0; i < passages.Length; i++)
            {
                touched.Add(Placement.ShardOf(texts[i].Id));
                if (!unchanged[i])
                {
                    pending.Add(texts[i]);
                    vectors.Add(passages[i].Vector);
                }
            }
            var writes = new List<Task>();
            WriteEncoded(pending, 0, [.. vectors], writes, cancellationToken);
            await Task.WhenAll(writes);
            CoordinatorTelemetry.RecordUpserted(texts);
            return new UpsertResponse(passages.Length, touched.Count, 0, passages.Length - pending.Count, 0);
        }
        catch (Exception e)
        {
            CoordinatorTelemetry.RecordFailure(CoordinatorTelemetry.Upsert, span, e);
            throw;
        }
    }

    /// <summary>
    /// Skips the passages every replica already holds unchanged, then encodes the rest in batches and hands each batch
    /// to its shards' writers as soon as it is encoded (the next batch encodes meanwhile). A request cut short by its
    /// deadline thus keeps what it wrote, and its retry encodes only what is missing.
    /// </summary>
    private async Task<UpsertResponse> UpsertValidatedAsync(Passage[] passages, CancellationToken cancellationToken)
    {
        bool[] unchanged = await FindUnchangedAsync(passages, cancellationToken);
        var pending = new List<Passage>(passages.Length);
        var touched = new HashSet<int>();
        for (int i = 0; i < passages.Length; i++)
        {
            touched.Add(Placement.ShardOf(passages[i].Id));
            if (!unchanged[i])
            {
                pending.Add(passages[i]);
            }
        }
        var writes = new List<Task>();
        TimeSpan encoding = TimeSpan.Zero;
        try
        {
            for (int start = 0; start < pending.Count; start += _options.EncodeBatch)
            {
                int count = Math.Min(_options.EncodeBatch, pending.Count - start);
                var texts = new PassageContent[count];
                for (int i = 0; i < count; i++)
                {
                    texts[i] = new PassageContent(pending[start + i].Title ?? "", pending[start + i].Text);
                }
                long batchStarted = Stopwatch.GetTimestamp();
                float[][] encoded;
                using (SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Encode))
                {
                    encoded = await EncodePassagesAsync(texts, cancellationToken);
                }
                encoding += Stopwatch.GetElapsedTime(batchStarted);
                WriteEncoded(pending, start, encoded, writes, cancellationToken);
            }
        }
        catch (Exception)
        {
            // Writes already sent finish (or fail) before the request answers, so a refusal never hides a write in flight.
            try
            {
                await Task.WhenAll(writes);
            }
            catch (Exception)
            {
                // The encoding failure is the one the caller hears.
            }
            throw;
        }
        await Task.WhenAll(writes);
        return new UpsertResponse(passages.Length, touched.Count, pending.Count, passages.Length - pending.Count, encoding.TotalMilliseconds);
    }

    private void WriteEncoded(List<Passage> pending, int start, float[][] vectors, List<Task> writes, CancellationToken cancellationToken)
    {
        var byShard = new Dictionary<int, List<EncodedPassage>>();
        for (int i = 0; i < vectors.Length; i++)
        {
            Passage p = pending[start + i];
            int shard = Placement.ShardOf(p.Id);
            if (!byShard.TryGetValue(shard, out List<EncodedPassage>? list))
            {
                byShard[shard] = list = [];
            }
            list.Add(new EncodedPassage(p with { Title = p.Title ?? "" }, vectors[i]));
        }
        foreach ((int shard, List<EncodedPassage> list) in byShard)
        {
            var request = new ShardUpsertRequest([.. list]);
            writes.Add(CallWriterAsync(CoordinatorTelemetry.Upsert, shard, (writer, token) => writer.UpsertAsync(request, token), cancellationToken));
        }
    }

    /// <summary>
    /// Which passages every replica of their shard already stores with the same content. Any replica that does not
    /// answer, or lacks one, makes those passages "changed": the check only ever saves work, never skips a write.
    /// </summary>
    private async Task<bool[]> FindUnchangedAsync(Passage[] passages, CancellationToken cancellationToken)
    {
        var byShard = new Dictionary<int, List<int>>();
        for (int i = 0; i < passages.Length; i++)
        {
            int shard = Placement.ShardOf(passages[i].Id);
            if (!byShard.TryGetValue(shard, out List<int>? list))
            {
                byShard[shard] = list = [];
            }
            list.Add(i);
        }
        var unchanged = new bool[passages.Length];
        var checks = new List<Task>(byShard.Count);
        foreach ((int shard, List<int> indices) in byShard)
        {
            checks.Add(CheckShardAsync(shard, indices));
        }
        await Task.WhenAll(checks);
        return unchanged;

        async Task CheckShardAsync(int shard, List<int> indices)
        {
            var ids = new string[indices.Count];
            var hashes = new ulong[indices.Count];
            for (int i = 0; i < ids.Length; i++)
            {
                Passage p = passages[indices[i]];
                ids[i] = p.Id;
                hashes[i] = PassageContentHash.Of(p.Title ?? "", p.Text, p.Metadata);
            }
            var check = new ShardContentCheck(ids, hashes);
            ReplicaRef[] replicas = _replicas[shard];
            var answers = new Task<bool[]>[replicas.Length];
            for (int r = 0; r < replicas.Length; r++)
            {
                answers[r] = CheckOneAsync(replicas[r].Grain, check, cancellationToken);
            }
            try
            {
                await Task.WhenAll(answers);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                return; // a replica that cannot say it holds them gets them written again
            }
            for (int i = 0; i < ids.Length; i++)
            {
                bool everywhere = true;
                foreach (Task<bool[]> answer in answers)
                {
                    everywhere &= answer.Result.Length == ids.Length && answer.Result[i];
                }
                unchanged[indices[i]] = everywhere;
            }
        }
    }

    private async Task<bool[]> CheckOneAsync(IShardReplicaGrain grain, ShardContentCheck check, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ShardTimeout);
        return await grain.HoldsAsync(check, deadline.Token);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        RequireId(id);
        using Activity? span = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Delete);
        var request = new ShardDeleteRequest([id]);
        try
        {
            ShardWriteResponse written = await CallWriterAsync(CoordinatorTelemetry.Delete, Placement.ShardOf(id), (writer, token) => writer.DeleteAsync(request, token),
                cancellationToken);
            CoordinatorTelemetry.RecordDeleted(written.Applied);
            return written.Applied > 0;
        }
        catch (Exception e)
        {
            CoordinatorTelemetry.RecordFailure(CoordinatorTelemetry.Delete, span, e);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<Passage?> GetAsync(string id, CancellationToken cancellationToken)
    {
        RequireId(id);
        int shard = Placement.ShardOf(id);
        // Wrapped so that "absent" (a null passage) differs from "no replica answered" (a null holder).
        PassageHolder? holder = await CallOneReplicaAsync(CoordinatorTelemetry.Get, shard, 0,
            async (grain, token) => new PassageHolder(await grain.GetAsync(id, token)),
            cancellationToken);
        if (holder is null)
        {
            throw new ClusterException(ClusterErrorCodes.ShardUnavailable, $"no replica of shard {shard} answered");
        }
        return holder.Passage;
    }

    /// <summary>
    /// Calls the shard's writer. When its silo went down the call fails until membership declares that silo dead and the
    /// writer activates elsewhere (seconds): retried meanwhile, within the request's deadline. A resent write is safe,
    /// since upserting the same passage or deleting an id twice leaves the same state.
    /// </summary>
    private async Task<ShardWriteResponse> CallWriterAsync(string operation, int shard, Func<IShardWriterGrain, CancellationToken, Task<ShardWriteResponse>> call,
        CancellationToken cancellationToken)
    {
        IShardWriterGrain writer = GrainFactory.GetGrain<IShardWriterGrain>(shard);
        long started = Stopwatch.GetTimestamp();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call(writer, cancellationToken);
            }
            catch (Exception e) when (e is not ClusterException && !cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                if (Stopwatch.GetElapsedTime(started) > _options.WriterFailover)
                {
                    throw new ClusterException(ClusterErrorCodes.ShardUnavailable,
                        $"shard {shard}: its writer could not be reached for {_options.WriterFailover.TotalSeconds:F0} s ({e.Message})", e);
                }
                CoordinatorTelemetry.RecordReplicaFailure(operation, shard, "writer", e, Activity.Current);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)), cancellationToken);
            }
        }
    }

    private void ValidateBatch(Passage[] passages)
    {
        if (passages is null || passages.Length == 0)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "passages must be a non-empty list");
        }
        if (passages.Length > _options.MaxBatch)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"at most {_options.MaxBatch} passages per request, got {passages.Length}");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (Passage passage in passages)
        {
            if (passage is null)
            {
                throw new ClusterException(ClusterErrorCodes.InvalidRequest, "passages must not contain null");
            }
            // Checked before encoding, so a batch the shards would refuse costs no encoder time.
            if (PassageLimits.CheckPassage(passage.Id, passage.Title, passage.Text, passage.Metadata) is { } problem)
            {
                throw new ClusterException(ClusterErrorCodes.InvalidRequest, problem);
            }
            if (!ids.Add(passage.Id))
            {
                throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"passage id '{passage.Id}' appears twice in one batch");
            }
        }
    }

    private static void RequireId(string id)
    {
        if (PassageLimits.CheckId(id) is { } problem)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, problem);
        }
    }

    private sealed record PassageHolder(Passage? Passage);
}
