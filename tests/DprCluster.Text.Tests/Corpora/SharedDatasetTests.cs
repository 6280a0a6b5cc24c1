using DprCluster.Text.Corpora;
using DprCluster.Testing;

namespace DprCluster.Text.Tests.Corpora;

public class SharedDatasetTests
{
    [Fact]
    public void LoadsSciFactAsItsProvenanceDescribes()
    {
        BeirDataset test = BeirDataset.Load(RepositoryPaths.SharedDataPath("scifact"), "test");
        Assert.Equal(5183, test.Corpus.Count);
        Assert.Equal(300, test.Queries.Count);
        Assert.Equal(339, test.Qrels.QueryIds.Sum(q => test.Qrels.For(q).Count));

        BeirDataset train = BeirDataset.Load(RepositoryPaths.SharedDataPath("scifact"), "train");
        Assert.Equal(809, train.Queries.Count);
        Assert.Equal(919, train.Qrels.QueryIds.Sum(q => train.Qrels.For(q).Count));
    }

    [Fact]
    public void SquadReaderReproducesTheBeirView()
    {
        BeirDataset fromJson = SquadReader.Read(RepositoryPaths.SharedDataPath("squad-v1.1-dev", "dev-v1.1.json"));
        BeirDataset fromBeir = BeirDataset.Load(RepositoryPaths.SharedDataPath("squad-v1.1-dev", "beir_format"), "test");

        Assert.Equal(2067, fromJson.Corpus.Count);
        Assert.Equal(10570, fromJson.Queries.Count);
        Assert.Equal(fromBeir.Corpus, fromJson.Corpus);
        Assert.Equal(fromBeir.Queries.Select(q => (q.Id, q.Text)), fromJson.Queries.Select(q => (q.Id, q.Text)));
        for (int i = 0; i < fromJson.Queries.Count; i++)
        {
            // The BEIR view lists the distinct answers sorted; the reader keeps SQuAD's order.
            Assert.Equal(fromBeir.Queries[i].Answers, fromJson.Queries[i].Answers.Order(StringComparer.Ordinal));
            string id = fromJson.Queries[i].Id;
            Assert.Equal(fromBeir.Qrels.For(id), fromJson.Qrels.For(id));
        }
    }
}
