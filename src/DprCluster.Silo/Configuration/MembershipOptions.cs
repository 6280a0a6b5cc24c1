namespace DprCluster.Silo.Configuration;

/// <summary>
/// Where silos find each other (section <c>Cluster:Membership</c>) and how fast a dead one is declared dead. One silo
/// alone needs no store (<c>localhost</c>); several use Redis (persistent: AOF and a volume, since a lost membership
/// key freezes the cluster) or PostgreSQL.
/// </summary>
public sealed record MembershipOptions
{
    /// <summary><c>localhost</c> (one silo, no store), <c>redis</c> or <c>postgres</c>; default localhost for one silo.</summary>
    public string? Provider { get; init; }

    /// <summary>Redis configuration string (<c>host:6379</c>) or PostgreSQL connection string.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>How long a silo waits for a probe answer before counting it missed (Orleans default 5 s).</summary>
    public int ProbeTimeoutMs { get; init; } = 2_000;

    /// <summary>Missed probes before a silo votes another dead (Orleans default 3).</summary>
    public int NumMissedProbesLimit { get; init; } = 2;
}
