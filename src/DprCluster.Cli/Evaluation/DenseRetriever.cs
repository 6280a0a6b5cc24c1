using DprCluster.Encoders.Batching;
using DprCluster.Encoders.Pretrained;
using DprCluster.Index;
using DprCluster.Index.Flat;
using DprCluster.Index.Vectors;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;
using DprCluster.Text;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Evaluation;

/// <summary>
/// Dense retrieval in this process: the encoder's passage vectors for the corpus (cached, see
/// <see cref="CorpusEmbeddings"/>) in an exact inner-product index, each question encoded and searched exhaustively —
/// the encoder's quality with no approximation in the way.
/// </summary>
internal sealed class DenseRetriever : IRetriever, IDisposable
{
    private readonly EncoderService _encoder;
    private readonly FlatIndex _index;
    private readonly IReadOnlyList<CorpusDocument> _corpus;

    private DenseRetriever(EncoderService encoder, FlatIndex index, IReadOnlyList<CorpusDocument> corpus, string description)
    {
        _encoder = encoder;
        _index = index;
        _corpus = corpus;
        Description = description;
    }

    public string Description { get; }

    /// <summary>Opens <paramref name="encoderModel"/> (<c>Encoder:Model</c> syntax) and indexes the corpus's vectors.</summary>
    public static DenseRetriever Build(IReadOnlyList<CorpusDocument> corpus, string encoderModel)
    {
        EncoderOptions options = EncoderFactory.Resolve(new EncoderOptions { Model = encoderModel, MaxBatchSize = 64 });
        EncoderService encoder = EncoderFactory.Create(options);
        try
        {
            float[] vectors = CorpusEmbeddings.Load(corpus, encoder, CorpusEmbeddings.IdentityOf(encoderModel, options));
            var index = new FlatIndex(encoder.Dimension, Metric.InnerProduct);
            var ids = new long[corpus.Count];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = i;
            }
            index.AddRange(ids, vectors);
            return new DenseRetriever(encoder, index, corpus, $"dense: {encoderModel}, exact inner-product search over {corpus.Count:N0} passages");
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    public IReadOnlyList<ScoredHit> Search(string query, int k)
    {
        float[] vector = _encoder.EncodeQueryAsync(query).GetAwaiter().GetResult();
        var hits = new SearchHit[Math.Min(k, _corpus.Count)];
        int found = _index.Search(vector, hits.Length, hits);
        var result = new ScoredHit[found];
        for (int i = 0; i < found; i++)
        {
            result[i] = new ScoredHit(_corpus[(int)hits[i].Id].Id, hits[i].Score);
        }
        return result;
    }

    public void Dispose() => _encoder.Dispose();
}
