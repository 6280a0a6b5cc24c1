using DprCluster.Encoders;
using DprCluster.Grains.Contracts;
using DprCluster.Silo.Transport.Protos;

namespace DprCluster.Silo.Transport;

/// <summary>
/// A reference to the encoder silos: calls go to one silo, rotating per call, and move on to the next when a silo
/// cannot be reached (encoders are stateless, so any one will do).
/// </summary>
internal sealed class RemoteEncoderGrain : IEncoderGrain
{
    private readonly IReadOnlyList<SiloConnection> _silos;
    private int _next;

    public RemoteEncoderGrain(IReadOnlyList<SiloConnection> silos, int dimension)
    {
        if (silos.Count == 0)
        {
            throw new ArgumentException("At least one encoder silo is needed.", nameof(silos));
        }
        _silos = silos;
        Dimension = dimension;
    }

    public int Dimension { get; }

    public async Task<float[][]> EncodeQueriesAsync(IReadOnlyList<string> queries, CancellationToken cancellationToken)
    {
        var request = new EncodeQueriesRequestMessage();
        request.Queries.AddRange(queries);
        return await EncodeAsync(TransportRoutes.EncodeQueries, request, cancellationToken).ConfigureAwait(false);
    }

    public async Task<float[][]> EncodePassagesAsync(IReadOnlyList<PassageText> passages, CancellationToken cancellationToken) =>
        await EncodeAsync(TransportRoutes.EncodePassages, MessageMapping.ToMessage(passages), cancellationToken).ConfigureAwait(false);

    private async Task<float[][]> EncodeAsync(string path, Google.Protobuf.IMessage request, CancellationToken cancellationToken)
    {
        int first = (int)((uint)Interlocked.Increment(ref _next) % (uint)_silos.Count);
        for (int attempt = 0; ; attempt++)
        {
            SiloConnection silo = _silos[(first + attempt) % _silos.Count];
            try
            {
                VectorsMessage response = await silo.CallAsync(path, request, VectorsMessage.Parser,
                    ClusterErrorCodes.ShardUnavailable, cancellationToken).ConfigureAwait(false);
                float[][] vectors = MessageMapping.FromMessage(response);
                if (response.Dimension != Dimension)
                {
                    throw new ClusterException(ClusterErrorCodes.DimensionMismatch,
                        $"Encoder silo {silo.Name} produces {response.Dimension}-d vectors; the cluster is configured for {Dimension}.");
                }
                return vectors;
            }
            catch (ClusterException e) when (e.Code == ClusterErrorCodes.ShardUnavailable && attempt + 1 < _silos.Count)
            {
                // Unreachable: try the next encoder silo.
            }
        }
    }
}
