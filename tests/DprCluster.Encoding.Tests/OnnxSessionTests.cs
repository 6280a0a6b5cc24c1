using DprCluster.Encoders.OnnxRuntime;
using DprCluster.Testing;

namespace DprCluster.Encoders.Tests;

public class OnnxSessionTests
{
    [Fact]
    public void LoadsTheBundledLibraryAndReportsItsVersion()
    {
        OnnxRuntimeLibrary library = OnnxRuntimeLibrary.Load();
        Assert.Equal("1.30.0", library.Version);
        Assert.Contains("CPUExecutionProvider", library.AvailableProviders);
    }

    [Fact]
    public void ReportsInputAndOutputMetadata()
    {
        using OnnxSession session = OnnxSession.Open(Path.Combine(RepositoryPaths.TinyModel, "model.onnx"));
        Assert.Equal(new[] { "input_ids", "attention_mask", "token_type_ids" }, session.Inputs.Select(i => i.Name));
        Assert.All(session.Inputs, i => Assert.Equal(TensorElementType.Int64, i.ElementType));
        Assert.Equal(new long[] { -1, -1 }, session.Inputs[0].Dimensions);
        Assert.Equal(new[] { "last_hidden_state", "pooler_output" }, session.Outputs.Select(o => o.Name));
        Assert.Equal(new long[] { -1, -1, 32 }, session.Outputs[0].Dimensions);
    }

    [Fact]
    public void BatchOutputsEqualOnnxRuntimeNodeGolden()
    {
        GoldenFile golden = GoldenFile.TinyBert;
        GoldenBatch batch = golden.Batch;
        int rows = batch.Cases.Length;
        int width = batch.Width;
        var ids = new PinnedBuffer<long>(rows * width);
        var mask = new PinnedBuffer<long>(rows * width);
        var types = new PinnedBuffer<long>(rows * width);
        for (int r = 0; r < rows; r++)
        {
            int[] caseIds = golden.Cases[batch.Cases[r]].Ids;
            for (int t = 0; t < caseIds.Length; t++)
            {
                ids.Span[r * width + t] = caseIds[t];
                mask.Span[r * width + t] = 1;
            }
        }
        using OnnxSession session = OnnxSession.Open(Path.Combine(RepositoryPaths.TinyModel, "model.onnx"),
            new OnnxSessionOptions { IntraOpThreads = 1 });
        long[] shape = [rows, width];
        InputTensor[] inputs =
        [
            InputTensor.Create(0, ids, shape),
            InputTensor.Create(1, mask, shape),
            InputTensor.Create(2, types, shape),
        ];
        using SessionOutputs outputs = session.Run(inputs, [0, 1]);
        OutputTensor last = outputs[0];
        Assert.Equal("last_hidden_state", last.Name);
        Assert.Equal(batch.Shape, last.Shape.AsSpan().ToArray());
        MaxAbsoluteDifference.AssertWithinTolerance(batch.LastHiddenState, last.AsFloats(), "last_hidden_state");
        MaxAbsoluteDifference.AssertWithinTolerance(batch.PoolerOutput, outputs[1].AsFloats(), "pooler_output");
    }

    [Fact]
    public void WrongInputTypeIsReportedWithOrtMessage()
    {
        using OnnxSession session = OnnxSession.Open(Path.Combine(RepositoryPaths.TinyModel, "model.onnx"));
        var wrong = new PinnedBuffer<int>(4);
        long[] shape = [1, 4];
        var error = Assert.Throws<OnnxRuntimeException>(() =>
        {
            using SessionOutputs outputs = session.Run([InputTensor.Create(0, wrong, shape)], [0]);
        });
        Assert.Contains("input_ids", error.Message);
        Assert.NotEqual(OnnxRuntimeErrorCode.Ok, error.ErrorCode);
    }

    [Fact]
    public void CudaOnTheCpuLibraryFailsClearly()
    {
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(Path.Combine(RepositoryPaths.TinyModel, "model.onnx"),
            new OnnxSessionOptions { ExecutionProvider = ExecutionProvider.Cuda }));
        Assert.Contains("no CUDA execution provider", error.Message);
        Assert.Contains(OnnxRuntimeLibrary.PathEnvironmentVariable, error.Message);
    }

    [Fact]
    public void MalformedModelFileIsReportedWithItsPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dprcluster-malformed-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(path, "this is not an ONNX protobuf");
        try
        {
            var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(path));
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
    public void MissingConfiguredLibraryNamesThePath()
    {
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeLibrary.Load("/nonexistent/libonnxruntime.so.1"));
        Assert.Contains("/nonexistent/libonnxruntime.so.1", error.Message);
    }

    [Fact]
    public void ALibraryWithoutTheOrtApiIsRejected()
    {
        string notOrt = typeof(object).Assembly.Location.Replace("System.Private.CoreLib.dll", "libSystem.Native.so");
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeLibrary.Load(notOrt));
        Assert.Contains("OrtGetApiBase", error.Message);
    }

    [Fact]
    public void CancelledTokenStopsBeforeRunning()
    {
        using OnnxSession session = OnnxSession.Open(Path.Combine(RepositoryPaths.TinyModel, "model.onnx"));
        var ids = new PinnedBuffer<long>(2);
        long[] shape = [1, 2];
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
        {
            using SessionOutputs outputs = session.Run([InputTensor.Create(0, ids, shape), InputTensor.Create(1, ids, shape), InputTensor.Create(2, ids, shape)], [0], cancelled.Token);
        });
    }
}
