using System.Text.Json;
using DprCluster.DeploymentTests.Cluster;
using DprCluster.Grains.Shard;
using DprCluster.Index.Quantization;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;
using DprCluster.Testing;

namespace DprCluster.DeploymentTests.Deployment;

/// <summary>
/// helm/dprcluster rendered by Helm's template engine (see <see cref="ChartRendering"/>) with its defaults and with
/// every optional part on: the manifests fit together, the options switch what they say, and every silo the chart
/// runs would start with the configuration it is given and find its peers through the chart's Services.
/// </summary>
public sealed class HelmChartTests(ChartRendering chart) : IClassFixture<ChartRendering>
{
    private const string ConfigMountPrefix = "/etc/";

    [Fact]
    public async Task Both_renderings_pass_the_manifest_checks()
    {
        string checker = Path.Combine(RepositoryPaths.Root, "tests", "DprCluster.DeploymentTests", "Deployment", "check_chart.py");
        (int code, string output) = await Tool.RunAsync("/usr/bin/python3", [checker, RepositoryPaths.Chart, chart.DefaultsFile, chart.FeaturesFile]);
        Assert.True(code == 0, output);
        Assert.Contains("0 problem(s)", output);
    }

    [Fact]
    public void Optional_parts_appear_exactly_when_their_values_switch_them_on()
    {
        // The defaults deploy the Redis membership store; the features use an existing one.
        Assert.Equal(["ConfigMap", "Deployment", "Deployment", "HorizontalPodAutoscaler", "HorizontalPodAutoscaler", "NetworkPolicy", "NetworkPolicy",
            "PodDisruptionBudget", "Role", "RoleBinding", "Service", "Service", "Service", "ServiceAccount", "StatefulSet", "StatefulSet"], Kinds(chart.Defaults));
        Assert.Equal(["ConfigMap", "Deployment", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "Service",
            "ServiceAccount", "ServiceMonitor", "StatefulSet"], Kinds(chart.Features));
        JsonElement redis = Container(Find(chart.Defaults, "StatefulSet", "dprcluster-redis"));
        Assert.Contains("--appendonly", redis.GetProperty("args").EnumerateArray().Select(a => a.GetString()));

        JsonElement plainEncoder = Container(Find(chart.Defaults, "Deployment", "dprcluster-encoder"));
        JsonElement gpuEncoder = Container(Find(chart.Features, "Deployment", "search-dprcluster-encoder"));
        Assert.False(plainEncoder.GetProperty("resources").GetProperty("limits").TryGetProperty("nvidia.com/gpu", out _));
        Assert.Equal(2, gpuEncoder.GetProperty("resources").GetProperty("limits").GetProperty("nvidia.com/gpu").GetInt32());
        Assert.Null(EnvValue(plainEncoder, "DPRCLUSTER_Encoder__ExecutionProvider"));
        Assert.Equal("cuda", EnvValue(gpuEncoder, "DPRCLUSTER_Encoder__ExecutionProvider"));
        JsonElement gpuPod = PodSpec(Find(chart.Features, "Deployment", "search-dprcluster-encoder"));
        Assert.Equal("true", gpuPod.GetProperty("nodeSelector").GetProperty("nvidia.com/gpu.present").GetString());
        Assert.Equal("registry", gpuPod.GetProperty("imagePullSecrets")[0].GetProperty("name").GetString());

        JsonElement plainShard = Container(Find(chart.Defaults, "StatefulSet", "dprcluster-shard"));
        JsonElement featureShard = Container(Find(chart.Features, "StatefulSet", "search-dprcluster-shard"));
        Assert.Null(EnvValue(plainShard, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        Assert.Equal("http://otel-collector.observability:4317", EnvValue(featureShard, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        Assert.Equal("256", EnvValue(featureShard, "DPRCLUSTER_Shard__EfSearch"));
        Assert.False(HasEnv(plainShard, "DPRCLUSTER_Api__ApiKey"));
        Assert.Equal("dprcluster-api", Env(featureShard, "DPRCLUSTER_Api__ApiKey").GetProperty("valueFrom").GetProperty("secretKeyRef")
            .GetProperty("name").GetString());
        Assert.Equal("fast-ssd", Find(chart.Features, "StatefulSet", "search-dprcluster-shard").GetProperty("spec")
            .GetProperty("volumeClaimTemplates")[0].GetProperty("spec").GetProperty("storageClassName").GetString());

        // Without an autoscaler the chart owns the replica count; with one it must leave it alone.
        Assert.False(Find(chart.Defaults, "Deployment", "dprcluster-gateway").GetProperty("spec").TryGetProperty("replicas", out _));
        Assert.Equal(2, Find(chart.Features, "Deployment", "search-dprcluster-gateway").GetProperty("spec").GetProperty("replicas").GetInt32());
        Assert.Equal("LoadBalancer", Find(chart.Features, "Service", "search-dprcluster-gateway").GetProperty("spec").GetProperty("type").GetString());
    }

    [Fact]
    public void Every_silo_the_chart_runs_loads_its_configuration_and_joins_one_cluster_through_the_membership_store()
    {
        foreach ((IReadOnlyList<JsonElement> objects, string ns) in new[] { (chart.Defaults, "default"), (chart.Features, ChartRendering.FeaturesNamespace) })
        {
            int silos = 0;
            foreach (JsonElement workload in objects.Where(o => Kind(o) is "Deployment" or "StatefulSet" && Component(o) is not "membership"))
            {
                string name = Name(workload);
                bool stateful = Kind(workload) == "StatefulSet";
                int pods = stateful ? workload.GetProperty("spec").GetProperty("replicas").GetInt32() : 1;
                for (int ordinal = 0; ordinal < pods; ordinal++)
                {
                    string pod = stateful ? $"{name}-{ordinal}" : $"{name}-7d9f8b6c5-x2x4q";
                    SiloPlan plan = Resolve(objects, workload, pod, ns, out SiloConfiguration configuration);
                    CheckSilo(objects, workload, plan, configuration, stateful ? ordinal : null, pod, ns);
                    silos++;
                }
            }
            Assert.True(silos >= 5, $"only {silos} silos rendered in {ns}");
        }
    }

    [Fact]
    public void The_network_policy_admits_only_the_release_silos_to_the_silo_port()
    {
        foreach (IReadOnlyList<JsonElement> objects in new[] { chart.Defaults, chart.Features })
        {
            JsonElement policy = objects.Single(o => Kind(o) == "NetworkPolicy" && Name(o).EndsWith("-silos", StringComparison.Ordinal)).GetProperty("spec");
            string release = Labels(objects.First(o => Kind(o) == "StatefulSet" && Component(o) == "shard")).GetProperty("app.kubernetes.io/instance").GetString()!;
            JsonElement[] rules = [.. policy.GetProperty("ingress").EnumerateArray()];
            JsonElement silo = rules.Single(r => r.GetProperty("ports").EnumerateArray().Any(p => p.GetProperty("port").GetInt32() == 11111));
            Assert.Single(silo.GetProperty("ports").EnumerateArray());
            JsonElement peers = Assert.Single(silo.GetProperty("from").EnumerateArray()).GetProperty("podSelector");
            foreach (JsonElement selector in new[] { policy.GetProperty("podSelector"), peers })
            {
                var expressions = selector.GetProperty("matchExpressions").EnumerateArray()
                    .ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("values").EnumerateArray().Select(v => v.GetString()!).Order().ToArray());
                Assert.Equal([release], expressions["app.kubernetes.io/instance"]);
                Assert.Equal(["encoder", "gateway", "shard"], expressions["app.kubernetes.io/component"]);
            }
            // Every other rule opens only the API port.
            Assert.All(rules.Where(r => !r.Equals(silo)), r => Assert.Equal([8080],
                r.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("port").GetInt32()).ToArray()));
        }
    }

    /// <summary>What `dprcluster serve` would resolve in <paramref name="pod"/>, from the container's env and args and the ConfigMap it mounts.</summary>
    private static SiloPlan Resolve(IReadOnlyList<JsonElement> objects, JsonElement workload, string pod, string ns,
        out SiloConfiguration configuration)
    {
        JsonElement container = Container(workload);
        string[] args = [.. container.GetProperty("args").EnumerateArray().Select(a => a.GetString()!)];
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (JsonElement variable in container.GetProperty("env").EnumerateArray())
        {
            environment[variable.GetProperty("name").GetString()!] = EnvironmentValue(variable, pod, ns);
        }
        // In the pod POD_NAME comes from the downward API (the env above); the silo reads it from the process environment.
        var platform = new Dictionary<string, string?> { ["Cluster:Kubernetes:PodName"] = environment["POD_NAME"] };
        return SiloLaunch.Resolve(args, environment, path => MountedFile(objects, workload, path), platform, out configuration);
    }

    private static void CheckSilo(IReadOnlyList<JsonElement> objects, JsonElement workload, SiloPlan plan, SiloConfiguration configuration,
        int? ordinal, string pod, string ns)
    {
        JsonElement container = Container(workload);
        // Silo links are mutual TLS: the certificate, key and CA the configuration names come from the release's Secret.
        Assert.True(configuration.Cluster.Tls.Enabled, pod);
        string tlsDirectory = Path.GetDirectoryName(configuration.Cluster.Tls.CertificatePath)!;
        Assert.All(new[] { configuration.Cluster.Tls.KeyPath, configuration.Cluster.Tls.CaPath }, p => Assert.Equal(tlsDirectory, Path.GetDirectoryName(p)));
        string tlsVolume = container.GetProperty("volumeMounts").EnumerateArray()
            .Single(m => m.GetProperty("mountPath").GetString() == tlsDirectory).GetProperty("name").GetString()!;
        string secret = PodSpec(workload).GetProperty("volumes").EnumerateArray().Single(v => v.GetProperty("name").GetString() == tlsVolume)
            .GetProperty("secret").GetProperty("secretName").GetString()!;
        Assert.Equal(ns == "default" ? "dprcluster-tls" : "cluster-certificates", secret);
        // Probes and Services reach the pod on its declared ports, on every interface; Orleans listens on the silo port.
        Assert.Equal(ContainerPort(container, "http"), plan.ApiUrl.Port);
        Assert.Equal(ContainerPort(container, "silo"), plan.SiloPort);
        Assert.Equal("0.0.0.0", plan.ApiUrl.Host);
        Assert.True(plan.Kubernetes, pod);
        Assert.Equal(pod, plan.SiloName);

        string component = Component(workload);
        Assert.Equal(component, string.Join(',', SiloRoleNames.Names(plan.Roles)));

        // Shard silo i is StatefulSet pod i: replicas are placed on the silo with that name.
        JsonElement shards = objects.Single(o => Kind(o) == "StatefulSet" && Component(o) == "shard");
        Assert.Equal(shards.GetProperty("spec").GetProperty("replicas").GetInt32(), plan.Placement.SiloCount);
        for (int i = 0; i < plan.Placement.SiloCount; i++)
        {
            Assert.Equal($"{Name(shards)}-{i}", plan.Placement.SiloNames[i]);
        }
        Assert.Equal(ordinal, plan.ShardOrdinal);
        if (ordinal is not null)
        {
            Assert.NotEmpty(plan.OwnedShards);
            string data = Path.GetFullPath(configuration.Silo.DataDirectory);
            Assert.Contains(container.GetProperty("volumeMounts").EnumerateArray(), m => m.GetProperty("mountPath").GetString() == data);
            ShardOptions shardOptions = configuration.ShardOptions(EncoderFactory.Dimension(configuration.Encoder));
            Assert.Equal(data, shardOptions.DataDirectory);
            // The default keeps float32 vectors; the features values ask for SQ8 and two search threads.
            bool features = ns == ChartRendering.FeaturesNamespace;
            Assert.Equal(features ? VectorQuantization.Sq8 : VectorQuantization.None, shardOptions.Quantization);
            Assert.Equal(features ? 2 : 0, shardOptions.SearchThreads);
        }

        // Every silo joins through Redis: the chart's own store (a Service forwarding to its redis port) or the one named by value.
        Assert.Equal(MembershipProvider.Redis, plan.Membership);
        string[] store = plan.MembershipConnectionString!.Split(',')[0].Split(':');
        if (objects.Any(o => Kind(o) == "StatefulSet" && Component(o) == "membership"))
        {
            JsonElement service = Find(objects, "Service", store[0]);
            JsonElement redis = objects.Single(o => Kind(o) == "StatefulSet" && Component(o) == "membership");
            Assert.True(Forwards(service, int.Parse(store[1], System.Globalization.CultureInfo.InvariantCulture), Container(redis), "redis"), pod);
        }
        else
        {
            Assert.Equal("redis.shared.svc.cluster.local", store[0]);
        }
        Assert.Equal(Name(Find(objects, "ServiceAccount", PodSpec(workload).GetProperty("serviceAccountName").GetString()!)),
            PodSpec(workload).GetProperty("serviceAccountName").GetString());
        Assert.True(EncoderFactory.Dimension(configuration.Encoder) > 0, pod);
    }

    private static string Component(JsonElement o) =>
        o.GetProperty("metadata").GetProperty("labels").GetProperty("app.kubernetes.io/component").GetString()!;

    private static string? EnvironmentValue(JsonElement variable, string pod, string ns)
    {
        if (variable.TryGetProperty("value", out JsonElement value))
        {
            return value.GetString();
        }
        JsonElement from = variable.GetProperty("valueFrom");
        if (from.TryGetProperty("fieldRef", out JsonElement field))
        {
            return field.GetProperty("fieldPath").GetString() switch
            {
                "metadata.name" => pod,
                "metadata.namespace" => ns,
                "status.podIP" => "10.1.2.3",
                string other => throw new Xunit.Sdk.XunitException($"unexpected fieldRef {other}"),
                null => null,
            };
        }
        Assert.True(from.TryGetProperty("secretKeyRef", out _), variable.ToString());
        return "secret-from-the-cluster";
    }

    /// <summary>The content of <paramref name="path"/> as the pod sees it: a key of a ConfigMap mounted above it.</summary>
    private static string MountedFile(IReadOnlyList<JsonElement> objects, JsonElement workload, string path)
    {
        Assert.StartsWith(ConfigMountPrefix, path);
        JsonElement mount = Container(workload).GetProperty("volumeMounts").EnumerateArray()
            .Single(m => path.StartsWith(m.GetProperty("mountPath").GetString()! + "/", StringComparison.Ordinal));
        string volumeName = mount.GetProperty("name").GetString()!;
        JsonElement volume = PodSpec(workload).GetProperty("volumes").EnumerateArray().Single(v => v.GetProperty("name").GetString() == volumeName);
        string configMap = volume.GetProperty("configMap").GetProperty("name").GetString()!;
        string key = path[(mount.GetProperty("mountPath").GetString()!.Length + 1)..];
        return Find(objects, "ConfigMap", configMap).GetProperty("data").GetProperty(key).GetString()!;
    }

    private static int ContainerPort(JsonElement container, string name) =>
        container.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name).GetProperty("containerPort").GetInt32();

    /// <summary>Whether <paramref name="service"/>'s port <paramref name="port"/> forwards to the container port named <paramref name="name"/>.</summary>
    private static bool Forwards(JsonElement service, int port, JsonElement container, string name)
    {
        JsonElement entry = service.GetProperty("spec").GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("port").GetInt32() == port);
        JsonElement target = entry.GetProperty("targetPort");
        return target.ValueKind == JsonValueKind.Number ? target.GetInt32() == ContainerPort(container, name) : target.GetString() == name;
    }

    private static List<string> Kinds(IReadOnlyList<JsonElement> objects) => [.. objects.Select(Kind).Order(StringComparer.Ordinal)];

    private static string Kind(JsonElement o) => o.GetProperty("kind").GetString()!;

    private static string Name(JsonElement o) => o.GetProperty("metadata").GetProperty("name").GetString()!;

    private static JsonElement Find(IReadOnlyList<JsonElement> objects, string kind, string name) =>
        objects.Single(o => Kind(o) == kind && Name(o) == name);

    private static JsonElement PodSpec(JsonElement workload) => workload.GetProperty("spec").GetProperty("template").GetProperty("spec");

    private static JsonElement Labels(JsonElement workload) =>
        workload.GetProperty("spec").GetProperty("template").GetProperty("metadata").GetProperty("labels");

    private static JsonElement Container(JsonElement workload) => Assert.Single(PodSpec(workload).GetProperty("containers").EnumerateArray());

    private static bool HasEnv(JsonElement container, string name) =>
        container.GetProperty("env").EnumerateArray().Any(e => e.GetProperty("name").GetString() == name);

    private static JsonElement Env(JsonElement container, string name) =>
        container.GetProperty("env").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);

    private static string? EnvValue(JsonElement container, string name) =>
        HasEnv(container, name) ? Env(container, name).GetProperty("value").GetString() : null;
}
