using BenchmarkDotNet.Attributes;
using DprCluster.Encoders.OnnxRuntime;
using DprCluster.Encoders.Transformer;

namespace DprCluster.Encoders.Benchmarks;

/// <summary>
/// One batch through the tiny test model (tests/models/tiny-bert): pre-tokenised ids → vectors ("Tokenized", the
/// binding's own path) and questions → vectors ("Texts", tokenisation included). Destinations are preallocated, so
/// anything in the Allocated column is the encoder's own per-batch allocation.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class TransformerEncodeBenchmarks
{
    private TransformerModel _model = null!;
    private string[] _questions = null!;
    private long[] _ids = null!;
    private int[] _lengths = null!;
    private int _width;
    private float[] _vectors = null!;

    [Params(1, 32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string root = RepositoryRoot.Find();
        string modelDirectory = Path.Combine(root, "tests", "models", "tiny-bert");
        _model = TransformerModel.Open(modelDirectory, new TransformerEncoderOptions
        {
            MaxBatchSize = Batch,
            Session = new OnnxSessionOptions { IntraOpThreads = 1, InterOpThreads = 1 },
        });
        string[] pool = ["What is the tallest mountain?", "who wrote the declaration of independence",
            "when did the eiffel tower open", "how long is the amazon river", "where is the taj mahal"];
        _questions = Enumerable.Range(0, Batch).Select(i => pool[i % pool.Length]).ToArray();
        var tokenizer = DprCluster.Text.Tokenization.BertTokenizer.FromDirectory(modelDirectory);
        int[][] rows = _questions.Select(q => tokenizer.Encode(q, DprCluster.Text.Tokenization.TokenizerOptions.Dpr)).ToArray();
        _width = rows.Max(r => r.Length);
        _ids = new long[Batch * _width];
        _lengths = rows.Select(r => r.Length).ToArray();
        for (int r = 0; r < rows.Length; r++)
        {
            for (int t = 0; t < rows[r].Length; t++)
            {
                _ids[r * _width + t] = rows[r][t];
            }
        }
        _vectors = new float[Batch * _model.Dimension];
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public void Tokenized() => _model.EncodeTokenized(_ids, _lengths, _width, _vectors);

    [Benchmark]
    public void Texts() => _model.EncodeSingles(_questions, string.Empty, _vectors);
}
