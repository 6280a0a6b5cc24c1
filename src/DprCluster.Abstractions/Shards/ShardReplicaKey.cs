using System.Globalization;

namespace DprCluster.Abstractions;

/// <summary>The key of a shard-replica grain, <c>shard-{s}/replica-{r}</c>.</summary>
/// <param name="Shard">Shard s.</param>
/// <param name="Replica">Replica r (0 ≤ r &lt; R).</param>
public readonly record struct ShardReplicaKey(int Shard, int Replica)
{
    /// <summary>The grain key string.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"shard-{Shard}/replica-{Replica}");

    /// <summary>Parses a grain key; false when it is not of the form <c>shard-{s}/replica-{r}</c>.</summary>
    public static bool TryParse(string? key, out ShardReplicaKey parsed)
    {
        parsed = default;
        if (key is null || !key.StartsWith("shard-", StringComparison.Ordinal))
        {
            return false;
        }
        int slash = key.IndexOf("/replica-", StringComparison.Ordinal);
        if (slash < 0 ||
            !int.TryParse(key.AsSpan(6, slash - 6), NumberStyles.None, CultureInfo.InvariantCulture, out int shard) ||
            !int.TryParse(key.AsSpan(slash + 9), NumberStyles.None, CultureInfo.InvariantCulture, out int replica))
        {
            return false;
        }
        parsed = new ShardReplicaKey(shard, replica);
        return true;
    }
}
