using System.Numerics.Tensors;
using DprCluster.Encoders;
using DprCluster.Encoders.OnnxRuntime;
using DprCluster.Encoders.Transformer;
using DprCluster.Silo.Api;
using DprCluster.Text;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;

using DprCluster.Testing;

namespace DprCluster.IntegrationTests;

/// <summary>
/// One unsharded index over what the cluster should hold, built in the test process: exact dense scores (every
/// passage vector dotted with the question's, from the same tiny model) and one BM25 index with its own whole-corpus
/// statistics. Sharded results must equal its results.
/// </summary>
internal sealed class ReferenceIndex : IDisposable
{
    private readonly TransformerEncoder _encoder = TransformerEncoder.Open(RepositoryPaths.TinyModel, null,
        new TransformerEncoderOptions { Session = new OnnxSessionOptions { IntraOpThreads = 1 } });
    private readonly Dictionary<string, (PassageBody Passage, float[] Vector)> _passages = new(StringComparer.Ordinal);
    private readonly Bm25Index _bm25 = new(new EnglishAnalyzer(new EnglishAnalyzerOptions()), new Bm25Parameters());

    public int Count => _passages.Count;

    public IEnumerable<PassageBody> Passages => _passages.Values.Select(p => p.Passage);

    public void Upsert(IReadOnlyList<PassageBody> passages)
    {
        float[][] vectors = _encoder.EncodePassages([.. passages.Select(p => new PassageText(p.Title ?? "", p.Text!))]);
        for (int i = 0; i < passages.Count; i++)
        {
            _passages[passages[i].Id!] = (passages[i], vectors[i]);
            _bm25.Upsert(passages[i].Id!, passages[i].Title ?? "", passages[i].Text!);
        }
    }

    public void Delete(string id)
    {
        _passages.Remove(id);
        _bm25.Delete(id);
    }

    /// <summary>Exact top-k by dot product, ties broken by id as the cluster's merge does.</summary>
    public List<ScoredHit> Dense(string question, int k)
    {
        float[] query = _encoder.EncodeQuery(question);
        var hits = new List<ScoredHit>(_passages.Count);
        foreach ((string id, (PassageBody _, float[] vector)) in _passages)
        {
            hits.Add(new ScoredHit(id, TensorPrimitives.Dot(query, vector)));
        }
        hits.Sort((x, y) => y.Score != x.Score ? y.Score.CompareTo(x.Score) : string.CompareOrdinal(x.Id, y.Id));
        return hits.GetRange(0, Math.Min(k, hits.Count));
    }

    public List<ScoredHit> Bm25(string question, int k) => [.. _bm25.Search(question, k)];

    public void Dispose()
    {
        _encoder.Dispose();
        _bm25.Dispose();
    }
}
