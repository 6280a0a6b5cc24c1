using DprCluster.Encoders.Batching;
using DprCluster.Encoders.Transformer;
using DprCluster.Testing;

namespace DprCluster.Encoders.Tests;

public class EncoderServiceTests
{
    private static readonly TimeSpan Forever = TimeSpan.FromHours(1);

    [Fact]
    public async Task FullBatchesRunWithoutWaitingForTheDelay()
    {
        var encoder = new RecordingEncoder();
        var metrics = new List<EncoderBatchMetrics>();
        using var service = new EncoderService([encoder], new EncoderServiceOptions
        {
            MaxBatchSize = 4, MaxDelay = Forever, LengthBucketing = false, OnBatch = m => { lock (metrics) { metrics.Add(m); } },
        });
        Task<float[]>[] tasks = Enumerable.Range(0, 8).Select(i => service.EncodeQueryAsync(new string('q', i + 1))).ToArray();
        float[][] vectors = await Task.WhenAll(tasks);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(i + 1, vectors[i][0]);
        }
        Assert.Equal([4, 4], encoder.Batches.Select(b => b.Length));
        Assert.All(metrics, m => Assert.Equal(EncoderKind.Query, m.Kind));
        Assert.Equal(8, metrics.Sum(m => m.BatchSize));
    }

    [Fact]
    public async Task PartialBatchRunsAfterTheDelay()
    {
        var encoder = new RecordingEncoder();
        using var service = new EncoderService([encoder], new EncoderServiceOptions { MaxBatchSize = 64, MaxDelay = TimeSpan.Zero });
        float[] vector = await service.EncodeQueryAsync("alone");
        Assert.Equal(5, vector[0]);
        Assert.Single(encoder.Batches);
    }

    [Fact]
    public async Task QuestionsAndPassagesBatchSeparately()
    {
        var encoder = new RecordingEncoder();
        using var service = new EncoderService([encoder], new EncoderServiceOptions { MaxBatchSize = 2, MaxDelay = Forever });
        Task<float[]> q1 = service.EncodeQueryAsync("q1");
        Task<float[]> p1 = service.EncodePassageAsync(new PassageText("t", "p1"));
        Task<float[]> q2 = service.EncodeQueryAsync("q2");
        Task<float[]> p2 = service.EncodePassageAsync(new PassageText("t", "p2"));
        await Task.WhenAll(q1, p1, q2, p2);
        Assert.Contains(encoder.Batches, b => b.SequenceEqual(["q1", "q2"]));
        Assert.Contains(encoder.Batches, b => b.SequenceEqual(["t|p1", "t|p2"]));
    }

    [Fact]
    public async Task SimilarLengthsAreBatchedTogether()
    {
        var encoder = new RecordingEncoder(gated: true);
        using var service = new EncoderService([encoder], new EncoderServiceOptions { MaxBatchSize = 2, MaxDelay = TimeSpan.Zero });
        Task<float[]> blocker = service.EncodeQueryAsync("first");
        await encoder.Entered.WaitAsync();
        string shortA = "short a", shortB = "short b", longA = new('a', 300), longB = new('b', 300);
        Task<float[]>[] queued = [service.EncodeQueryAsync(shortA), service.EncodeQueryAsync(longA), service.EncodeQueryAsync(shortB), service.EncodeQueryAsync(longB)];
        encoder.Release(3);
        await Task.WhenAll(queued.Append(blocker));
        Assert.Equal(3, encoder.Batches.Count);
        Assert.Equal([shortA, shortB], encoder.Batches[1]);
        Assert.Equal([longA, longB], encoder.Batches[2]);
    }

    [Fact]
    public async Task FullQueueRefusesWithOverloaded()
    {
        var encoder = new RecordingEncoder(gated: true);
        using var service = new EncoderService([encoder], new EncoderServiceOptions { MaxBatchSize = 1, MaxDelay = TimeSpan.Zero, MaxQueueLength = 2 });
        Task<float[]> running = service.EncodeQueryAsync("running");
        await encoder.Entered.WaitAsync();
        Task<float[]> a = service.EncodeQueryAsync("a");
        Task<float[]> b = service.EncodeQueryAsync("b");
        var error = await Assert.ThrowsAsync<EncoderOverloadedException>(() => service.EncodeQueryAsync("c"));
        Assert.Equal(2, error.QueueLimit);
        encoder.Release(3);
        await Task.WhenAll(running, a, b);
        Assert.Equal(0, service.QueueLength);
    }

    [Fact]
    public async Task CancelledQueuedTextNeverRuns()
    {
        var encoder = new RecordingEncoder(gated: true);
        using var service = new EncoderService([encoder], new EncoderServiceOptions { MaxBatchSize = 8, MaxDelay = TimeSpan.Zero });
        Task<float[]> running = service.EncodeQueryAsync("running");
        await encoder.Entered.WaitAsync();
        using var cancel = new CancellationTokenSource();
        Task<float[]> cancelled = service.EncodeQueryAsync("cancelled", cancel.Token);
        Task<float[]> kept = service.EncodeQueryAsync("kept");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        encoder.Release(2);
        await Task.WhenAll(running, kept);
        Assert.DoesNotContain(encoder.Batches, b => b.Contains("cancelled"));
    }

    [Fact]
    public async Task EncoderFailureFailsEveryTextOfTheBatch()
    {
        var encoder = new RecordingEncoder { Failure = new InvalidOperationException("boom") };
        using var service = new EncoderService([encoder], new EncoderServiceOptions { MaxBatchSize = 2, MaxDelay = Forever });
        Task<float[]> a = service.EncodeQueryAsync("a");
        Task<float[]> b = service.EncodeQueryAsync("b");
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => a)).Message);
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => b)).Message);
    }

    [Fact]
    public async Task DisposeFailsQueuedTextsAndDisposesEncoders()
    {
        var encoder = new RecordingEncoder();
        var service = new EncoderService([encoder], new EncoderServiceOptions { MaxBatchSize = 4, MaxDelay = Forever });
        Task<float[]> queued = service.EncodeQueryAsync("never runs");
        service.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued);
        Assert.True(encoder.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => service.EncodeQueryAsync("after"));
    }

    [Fact]
    public async Task SeveralSessionsServeConcurrentCallersWithGoldenResults()
    {
        string dir = RepositoryPaths.TinyModel;
        using EncoderService service = EncoderService.Create(() => TransformerEncoder.Open(dir,
            options: new TransformerEncoderOptions { Session = new() { IntraOpThreads = 1 } }), sessions: 2,
            new EncoderServiceOptions { MaxBatchSize = 8, MaxDelay = TimeSpan.FromMilliseconds(1) });
        GoldenCase[] cases = GoldenFile.TinyBert.Cases;
        Task<float[]>[] tasks = cases.Select(c => c.Kind == "query"
            ? service.EncodeQueryAsync(c.Text)
            : service.EncodePassageAsync(new PassageText(c.Title ?? "", c.Text))).ToArray();
        float[][] vectors = await Task.WhenAll(tasks);
        for (int i = 0; i < cases.Length; i++)
        {
            MaxAbsoluteDifference.AssertWithinTolerance(cases[i].Cls, vectors[i], cases[i].ToString());
        }
    }
}
