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
        Exception error = Assert.ThrowsAny<Exception>(() => EncoderFactory.Create(
            new EncoderOptions { Kind = "onnx", QuestionModel = RepositoryPaths.TinyModel, ExecutionProvider = "cuda" }));
        Assert.Contains("no CUDA execution provider", error.ToString());
    }

    [Fact]
    public async Task The_cpu_provider_encodes()
    {
        using var service = EncoderFactory.Create(
            new EncoderOptions { Kind = "onnx", QuestionModel = RepositoryPaths.TinyModel, ExecutionProvider = "CPU" });
        Assert.Equal(service.Dimension, (await service.EncodeQueryAsync("a question")).Length);
    }
}
