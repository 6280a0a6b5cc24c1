using DprCluster.Text.Bm25;

namespace DprCluster.Text.Tests.Bm25;

public class MaxScorePruningTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(5000)]
    public void PrunedTopKEqualsExhaustiveTopK(int k)
    {
        var corpus = new SyntheticCorpus(seed: 11, documents: 2000, vocabulary: 500);
        using Bm25Index index = Bm25ScoringTests.Build(corpus.Documents);
        for (int q = 0; q < 60; q++)
        {
            var query = new Bm25Query(corpus.Query(1 + q % 12));
            Assert.Equal(index.SearchExhaustive(query, k), index.Search(query, k));
        }
    }

    [Fact]
    public void PrunedTopKEqualsExhaustiveAfterDeletesAndReplacements()
    {
        var corpus = new SyntheticCorpus(seed: 5, documents: 1500, vocabulary: 400);
        using Bm25Index index = Bm25ScoringTests.Build(corpus.Documents);
        for (int d = 0; d < corpus.Documents.Count; d += 3)
        {
            index.Delete(corpus.Documents[d].Id);
        }
        for (int d = 1; d < corpus.Documents.Count; d += 7)
        {
            index.Upsert(corpus.Documents[d].Id, string.Join(' ', corpus.Query(20)));
        }
        for (int q = 0; q < 60; q++)
        {
            var query = new Bm25Query(corpus.Query(2 + q % 8));
            Assert.Equal(index.SearchExhaustive(query, 10), index.Search(query, 10));
        }
    }

    [Fact]
    public void PrunedTopKEqualsExhaustiveWithLuceneLengths()
    {
        var corpus = new SyntheticCorpus(seed: 9, documents: 1000, maxLength: 400);
        using Bm25Index index = Bm25ScoringTests.Build(corpus.Documents,
            new Bm25Parameters { LengthEncoding = DocumentLengthEncoding.Lucene });
        for (int q = 0; q < 40; q++)
        {
            var query = new Bm25Query(corpus.Query(1 + q % 10));
            Assert.Equal(index.SearchExhaustive(query, 10), index.Search(query, 10));
        }
    }
}
