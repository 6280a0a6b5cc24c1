namespace DprCluster.Silo.Configuration;

/// <summary>Parses and prints role lists such as <c>gateway,encoder</c> or <c>all</c>.</summary>
public static class SiloRoleNames
{
    /// <summary>Parses a comma- or plus-separated role list; throws <see cref="ClusterConfigurationException"/> on unknown names.</summary>
    public static SiloRoles Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ClusterConfigurationException("Silo:Roles is empty; give one or more of gateway, shard, encoder, or all.");
        }
        SiloRoles roles = SiloRoles.None;
        foreach (string part in text.Split([',', '+', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= part.ToLowerInvariant() switch
            {
                "gateway" => SiloRoles.Gateway,
                "shard" => SiloRoles.Shard,
                "encoder" => SiloRoles.Encoder,
                "all" => SiloRoles.All,
                _ => throw new ClusterConfigurationException(
                    $"Unknown silo role '{part}'; the roles are gateway, shard, encoder, and all."),
            };
        }
        return roles;
    }

    /// <summary>The lower-case names of the roles in <paramref name="roles"/>.</summary>
    public static IReadOnlyList<string> Names(SiloRoles roles)
    {
        var names = new List<string>(3);
        if (roles.HasFlag(SiloRoles.Gateway))
        {
            names.Add("gateway");
        }
        if (roles.HasFlag(SiloRoles.Shard))
        {
            names.Add("shard");
        }
        if (roles.HasFlag(SiloRoles.Encoder))
        {
            names.Add("encoder");
        }
        return names;
    }
}
