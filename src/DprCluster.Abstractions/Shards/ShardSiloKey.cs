using System.Globalization;

namespace DprCluster.Abstractions;

/// <summary>The key of a shard silo's <see cref="IShardSiloGrain"/>: <c>shard-silo-{n}</c>, n the silo's ordinal among the shard silos.</summary>
/// <param name="Silo">Ordinal of the shard silo.</param>
public readonly record struct ShardSiloKey(int Silo)
{
    private const string Prefix = "shard-silo-";

    /// <summary>The grain key string.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Silo}");

    /// <summary>Parses a grain key; false when it is not of the form <c>shard-silo-{n}</c>.</summary>
    public static bool TryParse(string? key, out ShardSiloKey parsed)
    {
        parsed = default;
        if (key is null || !key.StartsWith(Prefix, StringComparison.Ordinal) ||
            !int.TryParse(key.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int silo))
        {
            return false;
        }
        parsed = new ShardSiloKey(silo);
        return true;
    }
}
