namespace DprCluster.Silo.Configuration;

/// <summary>Silo-to-silo calls (section <c>Transport</c>).</summary>
public sealed record TransportOptions
{
    /// <summary>Deadline of a call made outside any request deadline, in milliseconds.</summary>
    public int CallTimeoutMs { get; init; } = 30_000;

    /// <summary>How long to wait for a TCP connection to a silo, in milliseconds.</summary>
    public int ConnectTimeoutMs { get; init; } = 2_000;
}
