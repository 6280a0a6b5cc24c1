namespace DprCluster.Encoders.Tests;

/// <summary>
/// A fake encoder for service tests: vector = [text length, index of the call]; records every batch it ran, and can
/// hold its caller at a gate so tests control when batches run (synchronisation, not sleeps).
/// </summary>
internal sealed class RecordingEncoder : IEncoder
{
    private readonly object _lock = new();
    private readonly SemaphoreSlim? _gate;
    private int _calls;

    public RecordingEncoder(bool gated = false) => _gate = gated ? new SemaphoreSlim(0) : null;

    public int Dimension => 2;

    public List<string[]> Batches { get; } = [];

    public SemaphoreSlim Entered { get; } = new(0);

    public Exception? Failure { get; set; }

    public bool Disposed { get; private set; }

    public void Release(int batches = 1) => _gate!.Release(batches);

    public void EncodeQueries(ReadOnlySpan<string> queries, Span<float> destination) => Run(queries.ToArray(), destination);

    public void EncodePassages(ReadOnlySpan<PassageText> passages, Span<float> destination) =>
        Run(passages.ToArray().Select(p => p.Title + "|" + p.Text).ToArray(), destination);

    public void Dispose() => Disposed = true;

    private void Run(string[] texts, Span<float> destination)
    {
        int call;
        lock (_lock)
        {
            Batches.Add(texts);
            call = _calls++;
        }
        Entered.Release();
        _gate?.Wait();
        if (Failure is not null)
        {
            throw Failure;
        }
        for (int i = 0; i < texts.Length; i++)
        {
            destination[2 * i] = texts[i].Length;
            destination[2 * i + 1] = call;
        }
    }
}
