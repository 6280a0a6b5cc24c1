using DprCluster.Encoders.Batching;
using DprCluster.Grains.Contracts;
using DprCluster.Grains.Coordinator;
using DprCluster.Grains.Encoder;
using DprCluster.Grains.Placement;
using DprCluster.Grains.Shard;

namespace DprCluster.Cli.Cluster;

/// <summary>
/// A whole cluster in this process (the demo, and the in-process side of <c>bench search</c>): S shard grains over
/// one data directory, an encoder grain and a coordinator, wired by a <see cref="LocalGrainDirectory"/> so every call
/// is direct.
/// </summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private readonly ShardGrain[] _shards;
    private readonly EncoderService _encoder;

    private InProcessCluster(ShardGrain[] shards, EncoderService encoder, ICoordinatorGrain coordinator)
    {
        _shards = shards;
        _encoder = encoder;
        Coordinator = coordinator;
    }

    /// <summary>The coordinator.</summary>
    public ICoordinatorGrain Coordinator { get; }

    /// <summary>The shard grains.</summary>
    public IReadOnlyList<ShardGrain> Shards => _shards;

    /// <summary>
    /// Opens (recovering from snapshots and logs) <paramref name="shardCount"/> shards under
    /// <paramref name="dataDirectory"/>; takes ownership of <paramref name="encoder"/>. Throws
    /// <see cref="InvalidDataException"/> when a shard fails recovery.
    /// </summary>
    public static async Task<InProcessCluster> OpenAsync(string dataDirectory, int shardCount, EncoderService encoder)
    {
        var options = new ShardOptions(Path.GetFullPath(dataDirectory), encoder.Dimension);
        var shards = new ShardGrain[shardCount];
        var replicas = new IReadOnlyList<ShardReplica>[shardCount];
        for (int s = 0; s < shardCount; s++)
        {
            shards[s] = new ShardGrain(s, options);
            replicas[s] = [new ShardReplica("local", shards[s])];
        }
        var starts = new Task[shardCount];
        for (int s = 0; s < shardCount; s++)
        {
            starts[s] = shards[s].StartAsync();
        }
        await Task.WhenAll(starts).ConfigureAwait(false);
        foreach (ShardGrain shard in shards)
        {
            if (shard.State != ShardState.Serving)
            {
                foreach (ShardGrain opened in shards)
                {
                    await opened.DisposeAsync().ConfigureAwait(false);
                }
                throw new InvalidDataException($"shard {shard.ShardId} failed recovery: {shard.Error}");
            }
        }
        var directory = new LocalGrainDirectory(new ShardPlacement(shardCount, 1, 1), replicas, new EncoderGrain(encoder),
            [new SiloStatus("local", "in-process", ["gateway", "shard", "encoder"])]);
        return new InProcessCluster(shards, encoder, new CoordinatorGrain(directory, new CoordinatorOptions()));
    }

    /// <summary>Passages held by all shards.</summary>
    public async Task<int> CountPassagesAsync()
    {
        int count = 0;
        foreach (ShardGrain shard in _shards)
        {
            count += (await shard.GetStatsAsync(CancellationToken.None).ConfigureAwait(false)).Passages;
        }
        return count;
    }

    /// <summary>Finishes queued writes, closes the logs and the encoder.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (ShardGrain shard in _shards)
        {
            await shard.DisposeAsync().ConfigureAwait(false);
        }
        _encoder.Dispose();
    }
}
