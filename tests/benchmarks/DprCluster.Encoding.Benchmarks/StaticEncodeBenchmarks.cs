using BenchmarkDotNet.Attributes;
using DprCluster.Encoders.Static;

namespace DprCluster.Encoders.Benchmarks;

/// <summary>The static word-vector encoder on a batch of 32 questions, into a preallocated destination.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class StaticEncodeBenchmarks
{
    private StaticEncoder _encoder = null!;
    private string[] _questions = null!;
    private float[] _vectors = null!;

    [GlobalSetup]
    public void Setup()
    {
        _encoder = StaticEncoder.LoadDefault();
        string[] pool = ["What is the tallest mountain?", "who wrote the declaration of independence",
            "when did the eiffel tower open", "how long is the amazon river", "where is the taj mahal"];
        _questions = Enumerable.Range(0, 32).Select(i => pool[i % pool.Length]).ToArray();
        _vectors = new float[_questions.Length * _encoder.Dimension];
    }

    [Benchmark]
    public void Questions() => _encoder.EncodeQueries(_questions, _vectors);
}
