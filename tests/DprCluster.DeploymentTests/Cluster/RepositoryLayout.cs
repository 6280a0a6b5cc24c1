using DprCluster.Testing;

namespace DprCluster.DeploymentTests.Cluster;

/// <summary>The deployment files these tests check, under <see cref="RepositoryPaths.Deploy"/>.</summary>
internal static class RepositoryLayout
{
    public static string Dashboards => Path.Combine(RepositoryPaths.Deploy, "grafana", "dashboards");

    public static string AlertRules => Path.Combine(RepositoryPaths.Deploy, "prometheus", "alerts.yml");
}
