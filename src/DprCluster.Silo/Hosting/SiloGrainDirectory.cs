using DprCluster.Grains.Contracts;
using DprCluster.Grains.Placement;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Transport;

namespace DprCluster.Silo.Hosting;

/// <summary>
/// The grain directory of a silo: replicas this process hosts are the local objects (direct calls), the others are
/// transport proxies to their silos; the encoder is local when this silo has the encoder role, else the encoder silos.
/// </summary>
public sealed class SiloGrainDirectory : IGrainDirectory, IDisposable
{
    private readonly ShardReplica[][] _replicas;
    private readonly List<SiloConnection> _connections = [];

    /// <summary>Resolves every shard's replicas from <paramref name="map"/>.</summary>
    /// <param name="map">The cluster map.</param>
    /// <param name="local">Replicas hosted here (null without the shard role).</param>
    /// <param name="localEncoder">The encoder hosted here; null uses the map's encoder silos (there must be some).</param>
    /// <param name="dimension">Vector dimension, for remote encoders.</param>
    /// <param name="transport">Transport settings for the proxies.</param>
    public SiloGrainDirectory(ClusterMap map, LocalShards? local, IEncoderGrain? localEncoder, int dimension, TransportOptions transport)
    {
        Placement = map.Placement;
        var shardSilos = new SiloConnection?[map.ShardSilos.Count];
        _replicas = new ShardReplica[Placement.ShardCount][];
        for (int shard = 0; shard < _replicas.Length; shard++)
        {
            IReadOnlyList<int> silos = Placement.SilosOf(shard);
            var replicas = new ShardReplica[silos.Count];
            for (int r = 0; r < replicas.Length; r++)
            {
                int silo = silos[r];
                string name = map.ShardSiloName(silo);
                if (silo == map.ShardSiloIndex && local?.Find(shard) is { } grain)
                {
                    replicas[r] = new ShardReplica(name, grain);
                    continue;
                }
                SiloConnection connection = shardSilos[silo] ??= Track(new SiloConnection(name, map.ShardSilos[silo], transport));
                replicas[r] = new ShardReplica(name, new RemoteShardGrain(connection, shard));
            }
            _replicas[shard] = replicas;
        }

        if (localEncoder is not null)
        {
            Encoder = localEncoder;
        }
        else
        {
            var encoders = new SiloConnection[map.EncoderSilos.Count];
            for (int i = 0; i < encoders.Length; i++)
            {
                encoders[i] = Track(new SiloConnection($"encoder-{i}", map.EncoderSilos[i], transport));
            }
            Encoder = new RemoteEncoderGrain(encoders, dimension);
        }
        Silos = ListSilos(map);
    }

    /// <inheritdoc />
    public ShardPlacement Placement { get; }

    /// <inheritdoc />
    public IEncoderGrain Encoder { get; }

    /// <inheritdoc />
    public IReadOnlyList<SiloStatus> Silos { get; }

    /// <inheritdoc />
    public IReadOnlyList<ShardReplica> ReplicasOf(int shard) => _replicas[shard];

    /// <summary>Closes the connections to other silos.</summary>
    public void Dispose()
    {
        foreach (SiloConnection connection in _connections)
        {
            connection.Dispose();
        }
    }

    private SiloConnection Track(SiloConnection connection)
    {
        _connections.Add(connection);
        return connection;
    }

    private static List<SiloStatus> ListSilos(ClusterMap map)
    {
        var silos = new List<SiloStatus> { new(map.SiloName, map.ApiUrl.ToString(), SiloRoleNames.Names(map.Roles)) };
        foreach (Uri gateway in map.Gateways)
        {
            if (gateway != map.ApiUrl)
            {
                silos.Add(new SiloStatus($"gateway@{gateway.Authority}", gateway.ToString(), ["gateway"]));
            }
        }
        for (int i = 0; i < map.ShardSilos.Count; i++)
        {
            if (i != map.ShardSiloIndex)
            {
                silos.Add(new SiloStatus(map.ShardSiloName(i), map.ShardSilos[i].ToString(), ["shard"]));
            }
        }
        for (int i = 0; i < map.EncoderSilos.Count; i++)
        {
            silos.Add(new SiloStatus($"encoder-{i}", map.EncoderSilos[i].ToString(), ["encoder"]));
        }
        return silos;
    }
}
