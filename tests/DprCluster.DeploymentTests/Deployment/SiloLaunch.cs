using System.Text;
using System.Text.Json;
using DprCluster.DeploymentTests.Cluster;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Telemetry;
using Microsoft.Extensions.Configuration;
using DprCluster.Testing;

namespace DprCluster.DeploymentTests.Deployment;

/// <summary>
/// What <c>dprcluster serve</c> resolves in a container of our image, without the image: the ENV and CMD of
/// deploy/Dockerfile's last stage, the container's environment, its JSON configuration file and the command's options,
/// in the precedence <see cref="SiloConfiguration.Load"/> and ServeCommand give them (file, environment, options).
/// </summary>
internal static class SiloLaunch
{
    private static readonly string[] DockerfileLines = File.ReadAllLines(Path.Combine(RepositoryPaths.Deploy, "Dockerfile"));

    /// <summary>Environment the image sets (ENV instructions after the last FROM).</summary>
    public static IReadOnlyDictionary<string, string> ImageEnvironment { get; } = ReadImageEnvironment();

    /// <summary>The image's default command (its CMD, exec form).</summary>
    public static IReadOnlyList<string> ImageCommand { get; } = ReadImageCommand();

    /// <summary>
    /// Loads a silo's configuration and resolves its plan. <paramref name="command"/> is the container's command
    /// after the entrypoint (<c>serve</c> and its options); <paramref name="readFile"/> gives the content of the file
    /// <c>--config</c> names, as mounted in the container; <paramref name="settings"/> stands for what the platform
    /// supplies otherwise (on Kubernetes: the pod name).
    /// </summary>
    public static SiloPlan Resolve(IReadOnlyList<string> command, IReadOnlyDictionary<string, string?> environment,
        Func<string, string>? readFile, IReadOnlyDictionary<string, string?> settings, out SiloConfiguration configuration)
    {
        Assert.Equal("serve", command[0]);
        var overrides = new Dictionary<string, string?>();
        string? configFile = null;
        for (int i = 1; i < command.Count; i++)
        {
            string option = command[i];
            string? value = null;
            if (option.Split('=', 2) is [string name, string inline])
            {
                (option, value) = (name, inline);
            }
            else
            {
                Assert.True(i + 1 < command.Count, $"option {option} has no value");
                value = command[++i];
            }
            // The options of `dprcluster serve` and the settings they override.
            string? key = option switch
            {
                "--config" => null,
                "--role" => "Silo:Roles",
                "--data" => "Silo:DataDirectory",
                "--api-url" => "Silo:ApiUrl",
                "--silo-port" => "Silo:SiloPort",
                "--index" => "Silo:Index",
                _ => throw new Xunit.Sdk.XunitException($"`serve` has no option {option}"),
            };
            if (key is null)
            {
                configFile = value;
            }
            else
            {
                overrides[key] = value;
            }
        }

        var merged = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach ((string variable, string value) in ImageEnvironment)
        {
            merged[variable] = value;
        }
        foreach ((string variable, string? value) in environment)
        {
            merged[variable] = value;
        }
        var fromEnvironment = new Dictionary<string, string?>();
        foreach ((string variable, string? value) in merged)
        {
            if (variable.StartsWith(SiloConfiguration.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                fromEnvironment[variable[SiloConfiguration.EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = value;
            }
        }

        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            Assert.NotNull(readFile);
            builder.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(readFile(configFile))));
        }
        IConfigurationRoot root = builder
            .AddInMemoryCollection(fromEnvironment)
            .AddInMemoryCollection(settings)
            .AddInMemoryCollection(overrides)
            .Build();
        configuration = SiloConfiguration.FromConfiguration(root);
        TelemetryOptions telemetry = root.GetSection("Telemetry").Get<TelemetryOptions>(binder => binder.ErrorOnUnknownConfiguration = true)
            ?? new TelemetryOptions();
        Assert.InRange(telemetry.TraceSampleRatio, 0.0, 1.0);
        return SiloPlan.Resolve(configuration.Silo, configuration.Cluster);
    }

    private static int LastStage => Array.FindLastIndex(DockerfileLines, l => l.StartsWith("FROM ", StringComparison.Ordinal));

    private static Dictionary<string, string> ReadImageEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = LastStage + 1; i < DockerfileLines.Length; i++)
        {
            if (!DockerfileLines[i].StartsWith("ENV ", StringComparison.Ordinal))
            {
                continue;
            }
            string instruction = DockerfileLines[i][4..];
            while (instruction.EndsWith('\\'))
            {
                instruction = instruction[..^1] + " " + DockerfileLines[++i];
            }
            foreach (string pair in instruction.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string[] parts = pair.Split('=', 2);
                environment[parts[0]] = parts[1];
            }
        }
        Assert.NotEmpty(environment);
        return environment;
    }

    private static string[] ReadImageCommand()
    {
        string line = DockerfileLines.Single(l => l.StartsWith("CMD ", StringComparison.Ordinal));
        return JsonSerializer.Deserialize<string[]>(line[4..]) ?? [];
    }
}
