using DprCluster.Encoders;
using DprCluster.Encoders.Static;
using DprCluster.Index;
using DprCluster.Index.Flat;
using DprCluster.Index.Vectors;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Cluster;

/// <summary>
/// Exact dense top-k for benchmark questions: the corpus encoded with the static encoder (the vectors the cluster
/// stores for it) and searched by brute force, the ground truth that sharded and unsharded HNSW answers are measured
/// against.
/// </summary>
internal static class ExactDenseTruth
{
    private const int EncodeChunk = 4096;

    /// <summary>The exact top <paramref name="k"/> passage ids of every question, best first.</summary>
    public static List<string>[] TopIds(string corpusPath, IReadOnlyList<string> questions, int k)
    {
        using StaticEncoder encoder = StaticEncoder.LoadDefault();
        var index = new FlatIndex(encoder.Dimension, Metric.InnerProduct);
        var ids = new List<string>();
        var chunk = new List<PassageText>(EncodeChunk);
        var vectors = new float[EncodeChunk * encoder.Dimension];
        var keys = new long[EncodeChunk];

        void Flush()
        {
            encoder.EncodePassages(chunk.ToArray(), vectors.AsSpan(0, chunk.Count * encoder.Dimension));
            for (int i = 0; i < chunk.Count; i++)
            {
                keys[i] = ids.Count - chunk.Count + i;
            }
            index.AddRange(keys.AsSpan(0, chunk.Count), vectors.AsSpan(0, chunk.Count * encoder.Dimension));
            chunk.Clear();
        }

        foreach (CorpusDocument document in CorpusFiles.ReadPassages(corpusPath))
        {
            ids.Add(document.Id);
            chunk.Add(new PassageText(document.Title, document.Text));
            if (chunk.Count == EncodeChunk)
            {
                Flush();
            }
        }
        if (chunk.Count > 0)
        {
            Flush();
        }

        var queries = new float[questions.Count * encoder.Dimension];
        encoder.EncodeQueries([.. questions], queries);
        var hits = new SearchHit[questions.Count * k];
        var counts = new int[questions.Count];
        index.SearchBatch(queries, k, hits, counts);
        var truth = new List<string>[questions.Count];
        for (int q = 0; q < truth.Length; q++)
        {
            truth[q] = new List<string>(counts[q]);
            for (int i = 0; i < counts[q]; i++)
            {
                truth[q].Add(ids[(int)hits[q * k + i].Id]);
            }
        }
        return truth;
    }
}
