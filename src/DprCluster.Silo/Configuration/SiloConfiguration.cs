using DprCluster.Grains.Coordinator;
using DprCluster.Grains.Shard;
using Microsoft.Extensions.Configuration;

namespace DprCluster.Silo.Configuration;

/// <summary>
/// Everything a silo reads from configuration. Sources, later ones winning: built-in defaults, the JSON file,
/// environment variables prefixed <c>DPRCLUSTER_</c> (<c>DPRCLUSTER_Cluster__ShardCount=8</c>), then explicit
/// overrides (command-line options such as <c>--role</c>).
/// </summary>
public sealed record SiloConfiguration
{
    /// <summary>Prefix of the environment variables read.</summary>
    public const string EnvironmentPrefix = "DPRCLUSTER_";

    /// <summary>The merged configuration (also handed to ASP.NET Core, e.g. for <c>Logging</c>).</summary>
    public required IConfiguration Root { get; init; }

    /// <summary>Section <c>Silo</c>.</summary>
    public required SiloOptions Silo { get; init; }

    /// <summary>Section <c>Cluster</c>.</summary>
    public required ClusterOptions Cluster { get; init; }

    /// <summary>Section <c>Encoder</c>.</summary>
    public required EncoderOptions Encoder { get; init; }

    /// <summary>Section <c>Api</c>.</summary>
    public required ApiOptions Api { get; init; }

    /// <summary>Section <c>Coordinator</c>.</summary>
    public required CoordinatorOptions Coordinator { get; init; }

    /// <summary>Reads the sources; <paramref name="configFile"/> may be null (defaults and environment only).</summary>
    public static SiloConfiguration Load(string? configFile, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new ClusterConfigurationException($"Configuration file '{configFile}' does not exist.");
            }
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new ClusterConfigurationException($"Configuration file '{configFile}' is not valid JSON: {e.Message}");
        }
        return FromConfiguration(root);
    }

    /// <summary>Binds the sections of an already built configuration.</summary>
    public static SiloConfiguration FromConfiguration(IConfiguration root)
    {
        try
        {
            return new SiloConfiguration
            {
                Root = root,
                Silo = Bind<SiloOptions>(root, "Silo"),
                Cluster = Bind<ClusterOptions>(root, "Cluster"),
                Encoder = Bind<EncoderOptions>(root, "Encoder"),
                Api = Bind<ApiOptions>(root, "Api"),
                Coordinator = Bind<CoordinatorOptions>(root, "Coordinator"),
            };
        }
        catch (InvalidOperationException e)
        {
            throw new ClusterConfigurationException($"Configuration value of the wrong type: {e.Message}");
        }
    }

    /// <summary>
    /// Options of this silo's shard replicas: data directory and vector dimension from the other sections, HNSW, log
    /// and snapshot settings from section <c>Shard</c>.
    /// </summary>
    public ShardOptions ShardOptions(int dimensions)
    {
        var options = new ShardOptions(Path.GetFullPath(Silo.DataDirectory), dimensions);
        try
        {
            Root.GetSection("Shard").Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new ClusterConfigurationException($"Section Shard: {e.Message}");
        }
        if (options.RecallProbeIntervalMs < 0)
        {
            throw new ClusterConfigurationException(
                $"Shard:RecallProbeIntervalMs must be 0 (off) or a positive number of milliseconds; got {options.RecallProbeIntervalMs}.");
        }
        if (options.SearchThreads < 0)
        {
            throw new ClusterConfigurationException($"Shard:SearchThreads must be 0 (one per core) or a positive count; got {options.SearchThreads}.");
        }
        if (options.MaxUnindexed < 1 || options.IndexThreads < 0)
        {
            throw new ClusterConfigurationException(
                $"Shard:MaxUnindexed must be positive and Shard:IndexThreads 0 (one per core) or a positive count; got {options.MaxUnindexed} and {options.IndexThreads}.");
        }
        if (options.RepairPeerWaitMs < 0 || options.RepairCallTimeoutMs < 1)
        {
            throw new ClusterConfigurationException(
                $"Shard:RepairPeerWaitMs must be 0 or more and Shard:RepairCallTimeoutMs positive; got {options.RepairPeerWaitMs} and {options.RepairCallTimeoutMs}.");
        }
        return options;
    }

    private static T Bind<T>(IConfiguration root, string section)
        where T : new() =>
        root.GetSection(section).Get<T>(binder => binder.ErrorOnUnknownConfiguration = true) ?? new T();
}
