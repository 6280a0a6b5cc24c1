using DprCluster.Encoders.OnnxRuntime;
using DprCluster.Testing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DprCluster.Encoders.Tests;

public class OnnxSessionTests
{
    private static string TinyModelFile => Path.Combine(RepositoryPaths.TinyModel, "model.onnx");

    [Fact]
    public void RunsOnTheCpuBuildOfOnnxRuntimesPackage()
    {
        Assert.StartsWith("1.31.", OnnxSession.RuntimeVersion);
        Assert.Contains("CPUExecutionProvider", OnnxSession.AvailableProviders);
    }

    [Fact]
    public void ReportsInputAndOutputMetadata()
    {
        using OnnxSession session = OnnxSession.Open(TinyModelFile);
        Assert.Equal(new[] { "input_ids", "attention_mask", "token_type_ids" }, session.Inputs.Select(i => i.Name));
        Assert.All(session.Inputs, i => Assert.Equal(TensorElementType.Int64, i.ElementType));
        Assert.Equal(new long[] { -1, -1 }, session.Inputs[0].Dimensions);
        Assert.Equal(new[] { "last_hidden_state", "pooler_output" }, session.Outputs.Select(o => o.Name));
        Assert.Equal(new long[] { -1, -1, 32 }, session.Outputs[0].Dimensions);
    }

    [Fact]
    public void BoundBatchOutputsEqualOnnxRuntimeNodeGolden()
    {
        GoldenFile golden = GoldenFile.TinyBert;
        GoldenBatch batch = golden.Batch;
        int rows = batch.Cases.Length;
        int width = batch.Width;
        // Larger than the batch: a binding reads only rows x width of a pooled buffer.
        var ids = new PinnedBuffer<long>(rows * width + 17);
        var mask = new PinnedBuffer<long>(rows * width + 17);
        var types = new PinnedBuffer<long>(rows * width + 17);
        for (int r = 0; r < rows; r++)
        {
            int[] caseIds = golden.Cases[batch.Cases[r]].Ids;
            for (int t = 0; t < caseIds.Length; t++)
            {
                ids.Span[r * width + t] = caseIds[t];
                mask.Span[r * width + t] = 1;
            }
        }
        using OnnxSession session = OnnxSession.Open(TinyModelFile, new OnnxSessionOptions { IntraOpThreads = 1 });
        using SessionBinding binding = session.Bind();
        binding.BindMatrix(0, ids, rows, width);
        binding.BindMatrix(1, mask, rows, width);
        binding.BindMatrix(2, types, rows, width);
        binding.BindOutput(0);
        binding.BindOutput(1);
        for (int run = 0; run < 2; run++)
        {
            using IDisposableReadOnlyCollection<OrtValue> outputs = binding.Run();
            Assert.Equal(batch.Shape, outputs[0].GetTensorTypeAndShape().Shape);
            MaxAbsoluteDifference.AssertWithinTolerance(batch.LastHiddenState, outputs[0].GetTensorDataAsSpan<float>().ToArray(), "last_hidden_state");
            MaxAbsoluteDifference.AssertWithinTolerance(batch.PoolerOutput, outputs[1].GetTensorDataAsSpan<float>().ToArray(), "pooler_output");
        }
    }

    [Fact]
    public void WrongInputTypeIsReportedWithTheInputsName()
    {
        using OnnxSession session = OnnxSession.Open(TinyModelFile);
        using SessionBinding binding = session.Bind();
        var error = Assert.Throws<ArgumentException>(() => binding.BindMatrix(0, new PinnedBuffer<int>(4), 1, 4));
        Assert.Contains("input_ids", error.Message);
        Assert.Contains("Int64", error.Message);
    }

    [Fact]
    public void CudaOnTheCpuBuildFailsNamingTheGpuBuild()
    {
        var error = Assert.Throws<ExecutionProviderUnavailableException>(() => OnnxSession.Open(TinyModelFile,
            new OnnxSessionOptions { ExecutionProvider = ExecutionProvider.Cuda }));
        Assert.Contains("CPU ONNX Runtime", error.Message);
        Assert.Contains("-p:DprOnnxRuntime=gpu", error.Message);
    }

    [Theory]
    [InlineData("/app/libonnxruntime_providers_cuda.so: libcublasLt.so.13: cannot open shared object file: No such file or directory", "libcublasLt.so.13")]
    [InlineData("libcudnn.so.9: cannot open shared object file: No such file or directory", "libcudnn.so.9")]
    [InlineData("/app/libonnxruntime_providers_cuda.so: undefined symbol: cudaGetDevice", "a library it depends on")]
    public void TheMissingCudaLibraryIsTakenFromTheLoadersMessage(string message, string named)
    {
        Assert.Equal(named, CudaExecutionProvider.MissingLibrary(message));
    }

    [Fact]
    public void MalformedModelFileIsReportedWithItsPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dprcluster-malformed-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(path, "this is not an ONNX protobuf");
        try
        {
            var error = Assert.Throws<OnnxSessionException>(() => OnnxSession.Open(path));
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingModelFileIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => OnnxSession.Open("/nonexistent/model.onnx"));
    }

    [Fact]
    public void CancelledTokenStopsBeforeRunning()
    {
        using OnnxSession session = OnnxSession.Open(TinyModelFile);
        using SessionBinding binding = session.Bind();
        var ids = new PinnedBuffer<long>(2);
        for (int input = 0; input < 3; input++)
        {
            binding.BindMatrix(input, ids, 1, 2);
        }
        binding.BindOutput(0);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
        {
            using IDisposableReadOnlyCollection<OrtValue> outputs = binding.Run(cancelled.Token);
        });
    }
}
