using System.Text.Json;
using DprCluster.DeploymentTests.Cluster;
using DprCluster.Silo.Configuration;
using DprCluster.Testing;

namespace DprCluster.DeploymentTests.Deployment;

/// <summary>
/// What can be validated here of the deployment files without a Docker engine, a Kubernetes cluster or Helm:
/// docker-compose's own parser (and every silo service's configuration, loaded as `dprcluster serve` would in the
/// image), promtool (configuration, rules and the rules' unit tests), kubectl's kustomize and the dashboards' JSON
/// (the Helm chart has <see cref="HelmChartTests"/>).
/// </summary>
public sealed class DeploymentFileTests
{
    private static string ComposeFile => Path.Combine(RepositoryPaths.Root, "docker-compose.yml");

    [Fact]
    public async Task Compose_file_parses_and_runs_the_cluster_with_its_observability_stack()
    {
        (int code, string output) = await Tool.RunAsync("docker-compose", ["-f", ComposeFile, "config", "-q"]);
        Assert.True(code == 0, output);

        (_, string services) = await Tool.RunAsync("docker-compose", ["-f", ComposeFile, "config", "--services"]);
        string[] expected = ["certs", "gateway", "encoder", "shard-0", "shard-1", "shard-2", "redis", "prometheus", "grafana", "otel-collector", "jaeger"];
        Assert.Equal(expected.Order(), services.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order());

        (_, string resolved) = await Tool.RunAsync("docker-compose", ["-f", ComposeFile, "config"]);
        for (int i = 0; i < 3; i++)
        {
            Assert.Contains($"- shard-{i}-data:/data", resolved);
            Assert.Contains($"DPRCLUSTER_Silo__Index: '{i}'", resolved);
        }
        Assert.Contains("DPRCLUSTER_Cluster__ReplicationFactor: '2'", resolved);
        // The membership store persists: an append-only file on a volume (Orleans membership freezes if its key is lost).
        Assert.Contains("--appendonly", resolved);
        Assert.Contains("redis-data:/data", resolved);
    }

    [Fact]
    public async Task Every_silo_service_loads_its_configuration_and_joins_one_cluster_through_the_membership_store()
    {
        JsonElement services = (await ResolvedComposeFile()).GetProperty("services");
        var silos = new Dictionary<string, SiloPlan>(StringComparer.Ordinal);
        foreach (JsonProperty service in services.EnumerateObject())
        {
            if (service.Value.GetProperty("image").GetString() != "dprcluster:local" || service.Value.TryGetProperty("entrypoint", out _))
            {
                continue; // not a silo: another image, or the one-shot certificate job
            }
            string[] command = service.Value.TryGetProperty("command", out JsonElement given)
                ? [.. given.EnumerateArray().Select(a => a.GetString()!)]
                : [.. SiloLaunch.ImageCommand];
            var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (JsonProperty variable in service.Value.GetProperty("environment").EnumerateObject())
            {
                environment[variable.Name] = variable.Value.GetString();
            }
            SiloPlan plan = SiloLaunch.Resolve(command, environment, readFile: null, new Dictionary<string, string?>(), out SiloConfiguration configuration);
            Assert.Equal(("0.0.0.0", 8080, 11111), (plan.ApiUrl.Host, plan.ApiUrl.Port, plan.SiloPort));
            if (plan.ShardOrdinal is not null)
            {
                string data = Path.GetFullPath(configuration.Silo.DataDirectory);
                // Volumes read "source:target[:mode]".
                Assert.Contains(service.Value.GetProperty("volumes").EnumerateArray(), v => v.GetString()!.Split(':')[1] == data);
            }
            // Silo links are mutual TLS, with the certificates the certs job wrote into the volume mounted here.
            Assert.True(configuration.Cluster.Tls.Enabled, $"{service.Name} runs without Cluster:Tls");
            string certificates = Path.GetDirectoryName(configuration.Cluster.Tls.CertificatePath)!;
            Assert.Contains(service.Value.GetProperty("volumes").EnumerateArray(), v => v.GetString() == $"certs:{certificates}:ro");
            silos[service.Name] = plan;
        }
        Assert.Equal(5, silos.Count);
        string certsJob = string.Join(' ', services.GetProperty("certs").GetProperty("command").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("dprcluster certs --out /certs", certsJob);

        // Replicas are placed by silo name: shard silo i must be the service that runs as the i-th name. Every silo
        // joins through the same Redis, a service of the file.
        foreach (SiloPlan plan in silos.Values)
        {
            Assert.Equal(MembershipProvider.Redis, plan.Membership);
            string host = plan.MembershipConnectionString!.Split(',')[0].Split(':')[0];
            Assert.True(services.TryGetProperty(host, out JsonElement store), $"no service {host} for the membership store");
            Assert.StartsWith("redis:", store.GetProperty("image").GetString());
            for (int i = 0; i < plan.Placement.SiloCount; i++)
            {
                SiloPlan shard = silos.Values.Single(p => p.ShardOrdinal == i);
                Assert.Equal(plan.Placement.SiloNames[i], shard.SiloName);
            }
        }
        Assert.Equal(silos.Count, silos.Values.Select(p => p.SiloName).Distinct().Count());
        Assert.Contains(silos, s => s.Value.Roles == SiloRoles.Gateway
            && services.GetProperty(s.Key).GetProperty("ports").EnumerateArray().Any(p => p.ToString().Contains("8080", StringComparison.Ordinal)));

        // Prometheus scrapes every silo's API port under the role its dashboards select on.
        string scrape = File.ReadAllText(Path.Combine(RepositoryPaths.Deploy, "prometheus", "prometheus.yml"));
        foreach ((string name, SiloPlan plan) in silos)
        {
            Assert.Contains($"\"{name}:{plan.ApiUrl.Port}\"", scrape);
        }
    }

    [Fact]
    public async Task Prometheus_configuration_and_alert_rules_pass_promtool_and_their_unit_tests()
    {
        string prometheus = Path.Combine(RepositoryPaths.Deploy, "prometheus");
        foreach (string[] command in new[]
        {
            new[] { "check", "config", "prometheus.yml" },
            new[] { "check", "rules", "alerts.yml" },
            new[] { "test", "rules", "alerts.test.yml" },
        })
        {
            (int code, string output) = await Tool.RunAsync("promtool", command, prometheus);
            Assert.True(code == 0, $"promtool {string.Join(' ', command)}:\n{output}");
        }
    }

    [Fact]
    public async Task Kustomization_makes_config_maps_of_every_dashboard_the_rules_and_the_collector_configuration()
    {
        (int code, string output) = await Tool.RunAsync("kubectl", ["kustomize", RepositoryPaths.Deploy]);
        Assert.True(code == 0, output);
        foreach (string dashboard in Directory.GetFiles(RepositoryLayout.Dashboards, "*.json"))
        {
            Assert.Contains($"  {Path.GetFileName(dashboard)}: |", output);
        }
        Assert.Contains("  alerts.yml: |", output);
        Assert.Contains("  config.yaml: |", output);
        Assert.Contains("grafana_dashboard: \"1\"", output);
    }

    [Fact]
    public void Dashboards_have_unique_ids_and_every_target_queries_the_selected_data_source()
    {
        var uids = new HashSet<string>();
        foreach (string file in Directory.GetFiles(RepositoryLayout.Dashboards, "*.json"))
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
            JsonElement root = document.RootElement;
            Assert.True(uids.Add(root.GetProperty("uid").GetString()!), $"{file}: duplicate uid");
            Assert.Contains("dprcluster", root.GetProperty("tags").EnumerateArray().Select(tag => tag.GetString()));
            var panelIds = new HashSet<int>();
            foreach (JsonElement panel in root.GetProperty("panels").EnumerateArray())
            {
                string title = panel.GetProperty("title").GetString()!;
                Assert.True(panelIds.Add(panel.GetProperty("id").GetInt32()), $"{file}: duplicate panel id ({title})");
                Assert.False(string.IsNullOrWhiteSpace(panel.GetProperty("description").GetString()), $"{file}: {title} has no description");
                Assert.NotEmpty(panel.GetProperty("targets").EnumerateArray());
                foreach (JsonElement target in panel.GetProperty("targets").EnumerateArray())
                {
                    Assert.Equal("${datasource}", target.GetProperty("datasource").GetProperty("uid").GetString());
                    Assert.False(string.IsNullOrWhiteSpace(target.GetProperty("expr").GetString()), $"{file}: {title} has an empty query");
                }
            }
        }
        Assert.Equal(5, uids.Count);
    }

    /// <summary>`docker-compose config` (anchors and merges resolved), as JSON.</summary>
    private static async Task<JsonElement> ResolvedComposeFile()
    {
        string file = Path.Combine(Path.GetTempPath(), $"dprcluster-compose-{Guid.NewGuid():N}.json");
        try
        {
            const string ToJson = "import json, subprocess, sys, yaml; " +
                "json.dump(yaml.safe_load(subprocess.check_output(['docker-compose', '-f', sys.argv[1], 'config'])), open(sys.argv[2], 'w'))";
            (int code, string output) = await Tool.RunAsync("/usr/bin/python3", ["-c", ToJson, ComposeFile, file]);
            Assert.True(code == 0, output);
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
            return document.RootElement.Clone();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
