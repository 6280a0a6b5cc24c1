using System.Globalization;
using DprCluster.Encoders.Trained;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;
using DprCluster.Testing;

namespace DprCluster.Silo.Tests;

/// <summary>A directory written by <c>dprcluster train</c> is an encoder like any other: the factory opens it and a silo serves it.</summary>
public sealed class TrainedEncoderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dprcluster-trained-").FullName;

    [Fact]
    public async Task An_adapter_directory_adapts_questions_of_its_base_and_leaves_passages_alone()
    {
        int dimension = EncoderFactory.Dimension(new EncoderOptions { Model = RepositoryPaths.TinyModel });
        WriteReversingAdapter(dimension);

        EncoderOptions resolved = EncoderFactory.Resolve(new EncoderOptions { Model = _directory });
        Assert.Equal(("trained", _directory), (resolved.Kind, resolved.QuestionModel));
        // The chart names a model directory as Encoder:QuestionModel with Kind onnx; a trained one is still trained.
        Assert.Equal("trained", EncoderFactory.Resolve(new EncoderOptions { Kind = "onnx", QuestionModel = _directory }).Kind);
        Assert.Equal(dimension, EncoderFactory.Dimension(new EncoderOptions { Model = _directory }));
        using var adapted = EncoderFactory.Create(new EncoderOptions { Model = _directory, IntraOpThreads = 1 });
        using var plain = EncoderFactory.Create(new EncoderOptions { Model = RepositoryPaths.TinyModel, IntraOpThreads = 1 });

        float[] question = await plain.EncodeQueryAsync("where is the highest mountain");
        float[] expected = [.. question.Reverse()];
        float norm = MathF.Sqrt(expected.Sum(x => x * x));
        float[] actual = await adapted.EncodeQueryAsync("where is the highest mountain");
        for (int i = 0; i < dimension; i++)
        {
            Assert.Equal(expected[i] / norm, actual[i], 5);
        }
        var passage = new Encoders.PassageText("Everest", "Mount Everest is the highest mountain.");
        Assert.Equal(await plain.EncodePassageAsync(passage), await adapted.EncodePassageAsync(passage));
    }

    [Fact]
    public void A_trained_directory_naming_a_missing_file_is_a_configuration_error()
    {
        new TrainedModelManifest { Trained = TrainedKind.Adapter, Base = RepositoryPaths.TinyModel, Dimension = 8, QuestionMap = "gone.dprmap" }
            .Write(_directory);
        var error = Assert.Throws<ClusterConfigurationException>(() => EncoderFactory.Dimension(new EncoderOptions { Model = _directory }));
        Assert.Contains("gone.dprmap", error.Message);
    }

    [Fact]
    public async Task A_silo_serves_a_trained_directory_as_its_encoder()
    {
        int dimension = EncoderFactory.Dimension(new EncoderOptions { Model = RepositoryPaths.TinyModel });
        WriteReversingAdapter(dimension);
        string data = Directory.CreateTempSubdirectory("dprcluster-trained-silo-").FullName;
        using var ports = LoopbackPorts.Lease(2);
        SiloHost host = await SiloHost.StartAsync(SiloConfiguration.Load(null, new Dictionary<string, string?>
        {
            ["Silo:ApiUrl"] = $"http://127.0.0.1:{ports.Ports[0].ToString(CultureInfo.InvariantCulture)}",
            ["Silo:SiloPort"] = ports.Ports[1].ToString(CultureInfo.InvariantCulture),
            ["Silo:DataDirectory"] = data,
            ["Cluster:ShardCount"] = "2",
            ["Encoder:Model"] = _directory,
            ["Encoder:IntraOpThreads"] = "1",
            ["Telemetry:Enabled"] = "false",
        }));
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Poll.UntilAsync("the silo to be ready", TimeSpan.FromSeconds(60), async () =>
                (await http.GetAsync(new Uri(host.Plan.ApiUrl, "readyz"))).IsSuccessStatusCode);
            using var client = new ClusterClient(host.Plan.ApiUrl, timeout: TimeSpan.FromSeconds(60));
            await client.UpsertAsync(
            [
                new PassageBody { Id = "everest", Title = "Everest", Text = "Mount Everest is the highest mountain above sea level." },
                new PassageBody { Id = "nile", Title = "Nile", Text = "The Nile is a major river flowing north through Africa." },
            ]);
            SearchResponseBody dense = await client.SearchAsync(new SearchBody { Query = "highest mountain", K = 2 });
            Assert.Equal(2, dense.Hits.Count);
            Assert.Equal(dimension, (await client.GetClusterAsync()).EncoderDimension);
        }
        finally
        {
            await host.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>An adapter whose question map reverses the coordinates: easy to predict, and not the identity.</summary>
    private void WriteReversingAdapter(int dimension)
    {
        var weights = new float[dimension * dimension];
        for (int i = 0; i < dimension; i++)
        {
            weights[i * dimension + (dimension - 1 - i)] = 1;
        }
        new LinearMap(dimension, dimension, weights).Save(Path.Combine(_directory, "question-map.dprmap"));
        new TrainedModelManifest { Trained = TrainedKind.Adapter, Base = RepositoryPaths.TinyModel, Dimension = dimension, QuestionMap = "question-map.dprmap" }
            .Write(_directory);
    }
}
