using DprCluster.Encoders.OnnxRuntime;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;
using DprCluster.Testing;

namespace DprCluster.Silo.Tests;

public class EncoderFactoryTests
{
    [Fact]
    public void An_unknown_execution_provider_is_a_configuration_error()
    {
        var error = Assert.Throws<ClusterConfigurationException>(() => EncoderFactory.Create(
            new EncoderOptions { Kind = "onnx", QuestionModel = RepositoryPaths.TinyModel, ExecutionProvider = "tpu" }));
        Assert.Contains("tpu", error.Message);
    }

    [Fact]
    public void Cuda_on_the_cpu_build_of_onnx_runtime_fails_at_start_and_says_why()
    {
        var error = Assert.Throws<ExecutionProviderUnavailableException>(() => EncoderFactory.Create(
            new EncoderOptions { Kind = "onnx", QuestionModel = RepositoryPaths.TinyModel, ExecutionProvider = "cuda" }));
        Assert.Contains("-p:DprOnnxRuntime=gpu", error.Message);
    }

    [Fact]
    public async Task The_cpu_provider_encodes()
    {
        using var service = EncoderFactory.Create(
            new EncoderOptions { Kind = "onnx", QuestionModel = RepositoryPaths.TinyModel, ExecutionProvider = "CPU" });
        Assert.Equal(service.Dimension, (await service.EncodeQueryAsync("a question")).Length);
    }

    [Fact]
    public void A_model_name_resolves_to_its_kind_directory_and_dimension()
    {
        Assert.Equal(100, EncoderFactory.Dimension(new EncoderOptions { Model = "static" }));
        Assert.Equal(384, EncoderFactory.Dimension(new EncoderOptions { Model = "arctic-embed-xs" }));
        EncoderOptions directory = EncoderFactory.Resolve(new EncoderOptions { Model = RepositoryPaths.TinyModel });
        Assert.Equal(("onnx", RepositoryPaths.TinyModel), (directory.Kind, directory.QuestionModel));
    }

    [Fact]
    public void With_nothing_configured_the_encoder_is_the_pretrained_default_and_static_stays_selectable()
    {
        EncoderOptions unset = EncoderFactory.Resolve(new EncoderOptions(), extract: false);
        Assert.Equal(("onnx", 384), (unset.Kind, unset.Dimension));
        Assert.Equal(384, EncoderFactory.Dimension(new EncoderOptions()));
        Assert.Equal("static", EncoderFactory.Resolve(new EncoderOptions { Kind = "static" }).Kind);
        Assert.Equal(100, EncoderFactory.Dimension(new EncoderOptions { Kind = "static" }));
        EncoderOptions directory = EncoderFactory.Resolve(new EncoderOptions { QuestionModel = RepositoryPaths.TinyModel });
        Assert.Equal(("onnx", RepositoryPaths.TinyModel), (directory.Kind, directory.QuestionModel));
    }

    [Theory]
    [InlineData(0, 0, "cpu", 2, 1, 2)]
    [InlineData(0, 0, "cpu", 16, 4, 4)]
    [InlineData(0, 0, "cuda", 16, 1, 16)]
    [InlineData(3, 0, "cpu", 16, 3, 5)]
    [InlineData(2, 7, "cpu", 16, 2, 7)]
    public void Sessions_and_threads_come_from_the_cores_unless_configured(int sessions, int threads, string provider, int cores,
        int expectedSessions, int expectedThreads)
    {
        var options = new EncoderOptions { Sessions = sessions, IntraOpThreads = threads };
        var chosen = EncoderFactory.SessionsAndThreads(options, provider == "cuda" ? ExecutionProvider.Cuda : ExecutionProvider.Cpu, cores);
        Assert.Equal((expectedSessions, expectedThreads), chosen);
    }

    [Theory]
    [InlineData("bert-large-uncased", null, "arctic-embed-xs, all-minilm-l6-v2")]
    [InlineData("all-minilm-l6-v2", "/models/q", "set one")]
    public void A_model_that_cannot_be_resolved_is_a_configuration_error(string model, string? questionModel, string mentioned)
    {
        var error = Assert.Throws<ClusterConfigurationException>(() =>
            EncoderFactory.Resolve(new EncoderOptions { Model = model, QuestionModel = questionModel }));
        Assert.Contains(mentioned, error.Message);
    }
}
