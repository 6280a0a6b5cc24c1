namespace DprCluster.Silo.Configuration;

/// <summary>The membership store a silo joins through.</summary>
public enum MembershipProvider
{
    /// <summary>Orleans' development clustering: one silo, no store (the embedded default).</summary>
    Localhost,

    /// <summary>Microsoft.Orleans.Clustering.Redis.</summary>
    Redis,

    /// <summary>Microsoft.Orleans.Clustering.AdoNet over PostgreSQL (Npgsql).</summary>
    Postgres,
}
