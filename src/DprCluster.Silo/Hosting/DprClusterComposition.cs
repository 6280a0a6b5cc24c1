using System.Net;
using DprCluster.Encoders.Batching;
using DprCluster.Grains.Coordinator;
using DprCluster.Grains.Encoder;
using DprCluster.Grains.Placement;
using DprCluster.Grains.Replication;
using DprCluster.Silo.Security;
using DprCluster.Grains.Shard;
using DprCluster.Grains.Telemetry;
using DprCluster.Silo.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using StackExchange.Redis;

namespace DprCluster.Silo.Hosting;

/// <summary>
/// The one composition root of a DprCluster silo: resolves and validates the configuration once, registers the
/// engines this silo's roles call for, and configures Orleans (membership, endpoints, silo metadata, placement, which
/// grain classes this silo hosts). <c>serve</c>, <c>demo</c>, the tests and the benchmarks all build silos through it.
/// </summary>
public static class DprClusterComposition
{
    /// <summary>
    /// Adds a DprCluster silo to <paramref name="builder"/>: <see cref="AddDprCluster(ISiloBuilder, SiloConfiguration, SiloPlan)"/>
    /// and <see cref="UseDprClusterMembership"/>. Throws <see cref="ClusterConfigurationException"/> naming the setting to fix.
    /// </summary>
    public static SiloPlan AddDprCluster(this WebApplicationBuilder builder, SiloConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        SiloPlan plan = SiloPlan.Resolve(configuration.Silo, configuration.Cluster);
        // Fail before the host starts: an unreadable model or a wrong dimension is a configuration error.
        _ = EncoderFactory.Dimension(configuration.Encoder);
        builder.UseOrleans(silo => silo.AddDprCluster(configuration, plan).UseDprClusterMembership(plan, configuration.Cluster));
        return plan;
    }

    /// <summary>
    /// Registers what <paramref name="plan"/>'s roles call for: the shard store (shard role), the encoder service
    /// (encoder role), the coordinator's options (gateway role); publishes the roles as silo metadata; places shard
    /// replicas by silo name; and hosts only the roles' grain classes. Membership is left to the caller (a test cluster
    /// brings its own).
    /// </summary>
    public static ISiloBuilder AddDprCluster(this ISiloBuilder silo, SiloConfiguration configuration, SiloPlan plan)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(plan);
        int dimension = EncoderFactory.Dimension(configuration.Encoder);
        IServiceCollection services = silo.Services;
        services.AddSingleton(plan);
        services.AddSingleton(plan.Placement);
        services.AddSingleton(new ClusterLayout(plan.Placement, dimension));
        services.AddSingleton(configuration.Coordinator);
        services.AddSingleton(configuration.Api);
        if (plan.ShardOrdinal is int ordinal)
        {
            ShardOptions shardOptions = configuration.ShardOptions(dimension);
            services.AddSingleton(provider => new ShardStore(plan.Placement, ordinal, shardOptions, provider.GetRequiredService<IGrainFactory>()));
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<ShardStore>());
        }
        if (plan.Roles.HasFlag(SiloRoles.Encoder))
        {
            // A factory registration, so the container disposes the service (and its sessions) when the silo stops.
            services.AddSingleton(provider => OpenEncoder(configuration.Encoder, dimension,
                provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EncoderService))));
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, EncoderWarmup>();
        }

        // Post-configured, so no host default (a test cluster's, Kubernetes hosting's) renames the silo that placement finds by name.
        services.PostConfigure<Orleans.Configuration.SiloOptions>(options => options.SiloName = plan.SiloName);
        silo.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = TimeSpan.FromMilliseconds(configuration.Cluster.Membership.ProbeTimeoutMs);
            options.NumMissedProbesLimit = configuration.Cluster.Membership.NumMissedProbesLimit;
        });
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [SiloMetadataKeys.Roles] = string.Join(',', SiloRoleNames.Names(plan.Roles)),
            [SiloMetadataKeys.Gpu] = plan.Roles.HasFlag(SiloRoles.Encoder) &&
                configuration.Encoder.ExecutionProvider.Equals("cuda", StringComparison.OrdinalIgnoreCase) ? "true" : "false",
        });
        if (configuration.Cluster.Tls.Enabled)
        {
            ClusterCertificates certificates = ClusterCertificates.Load(configuration.Cluster.Tls);
            services.AddSingleton(certificates);
            silo.UseClusterTls(certificates);
        }
        silo.AddPlacementDirector<ShardReplicaPlacement, ShardReplicaPlacementDirector>();
        silo.AddActivityPropagation();
        // A silo hosts only its roles' grain classes: a stateless encoder worker called on a gateway is then placed on an
        // encoder silo, and a shard replica can only be placed where shard data lives.
        services.PostConfigure<GrainTypeOptions>(options =>
        {
            Exclude(options, typeof(ShardReplicaGrain), !plan.Roles.HasFlag(SiloRoles.Shard));
            // Writers beside the coordinators that call them: a shard silo going down then never takes a writer with it.
            Exclude(options, typeof(ShardWriterGrain), !plan.Roles.HasFlag(SiloRoles.Gateway));
            Exclude(options, typeof(EncoderGrain), !plan.Roles.HasFlag(SiloRoles.Encoder));
            Exclude(options, typeof(CoordinatorGrain), !plan.Roles.HasFlag(SiloRoles.Gateway));
        });
        return silo;
    }

    /// <summary>
    /// Joins the cluster through <paramref name="plan"/>'s membership store: localhost clustering for one silo,
    /// Redis or PostgreSQL for several; on Kubernetes, <c>UseKubernetesHosting</c> takes name and address from the pod.
    /// Silos serve no client gateway unless <c>Silo:GatewayPort</c> opens one: the REST API is co-hosted in the gateway silos.
    /// </summary>
    public static ISiloBuilder UseDprClusterMembership(this ISiloBuilder silo, SiloPlan plan, Configuration.ClusterOptions cluster)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(cluster);
        silo.Configure<Orleans.Configuration.ClusterOptions>(options =>
        {
            options.ClusterId = cluster.ClusterId;
            options.ServiceId = cluster.ServiceId;
        });
        switch (plan.Membership)
        {
            case MembershipProvider.Localhost:
                silo.UseLocalhostClustering(plan.SiloPort, plan.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                break;
            case MembershipProvider.Redis:
                silo.UseRedisClustering(options => options.ConfigurationOptions = ConfigurationOptions.Parse(plan.MembershipConnectionString!));
                break;
            case MembershipProvider.Postgres:
                silo.UseAdoNetClustering(options =>
                {
                    options.Invariant = "Npgsql";
                    options.ConnectionString = plan.MembershipConnectionString;
                });
                break;
        }
        if (plan.Kubernetes)
        {
            // Kubernetes hosting advertises POD_IP; the ports stay ours (it would keep Orleans' 11111/30000 defaults).
            silo.UseKubernetesHosting();
            silo.Configure<EndpointOptions>(options =>
            {
                options.SiloPort = plan.SiloPort;
                options.GatewayPort = plan.GatewayPort;
            });
        }
        else if (plan.Membership != MembershipProvider.Localhost)
        {
            // Set directly: ConfigureEndpoints with listenOnAnyHostAddress would open a gateway on a random port for 0.
            silo.Configure<EndpointOptions>(options =>
            {
                options.AdvertisedIPAddress = plan.AdvertisedAddress!;
                options.SiloPort = plan.SiloPort;
                options.GatewayPort = plan.GatewayPort;
                options.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, plan.SiloPort);
                options.GatewayListeningEndpoint = plan.GatewayPort == 0 ? null : new IPEndPoint(IPAddress.Any, plan.GatewayPort);
            });
        }
        return silo;
    }

    private static EncoderService OpenEncoder(EncoderOptions options, int dimension, ILogger logger)
    {
        EncoderService encoder = EncoderFactory.Create(options, assumption => logger.LogWarning("Encoder setting assumed: {Assumption}", assumption));
        if (encoder.Dimension != dimension)
        {
            encoder.Dispose();
            throw new ClusterConfigurationException(
                $"The encoder produces {encoder.Dimension}-d vectors but the cluster is configured for {dimension} " +
                "(Encoder:Dimension); every silo must agree.");
        }
        EncoderTelemetry.Observe(encoder);
        return encoder;
    }

    private static void Exclude(GrainTypeOptions options, Type grain, bool exclude)
    {
        if (exclude)
        {
            options.Classes.Remove(grain);
        }
    }

    /// <summary>Opens the encoder when the silo starts, so a bad model stops the silo instead of failing its first search.</summary>
    private sealed class EncoderWarmup(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(EncoderWarmup), ServiceLifecycleStage.RuntimeInitialize, _ =>
            {
                services.GetRequiredService<EncoderService>();
                return Task.CompletedTask;
            });
    }
}
