using DprCluster.Abstractions;
using DprCluster.Grains.Shard.Storage;

namespace DprCluster.Grains.Tests;

public class PassageStoreTests
{
    private static Passage Text(string id, string text) => new(id, "", text, null);

    [Fact]
    public void Keys_find_their_passages_across_chunks_and_replacements_keep_their_key()
    {
        var store = new PassageStore();
        // 10,000 keys span three of the table's 4,096-key chunks.
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(i, store.Upsert(Text($"p{i}", $"text {i}")));
        }
        Assert.Equal(10_000, store.Count);
        Assert.Equal("p4096", store.GetByKey(4096)!.Id);
        Assert.Equal("text 9999", store.GetByKey(9999)!.Text);

        Assert.Equal(4096, store.Upsert(Text("p4096", "replaced")));
        Assert.Equal("replaced", store.GetByKey(4096)!.Text);
        Assert.Equal(10_000, store.Count);

        Assert.Null(store.GetByKey(10_000));
        Assert.Null(store.GetByKey(1L << 40));
        Assert.Null(store.GetByKey(-1));
    }

    [Fact]
    public void A_removed_passage_leaves_its_key_empty_and_new_ids_take_new_keys()
    {
        var store = new PassageStore();
        store.Upsert(Text("a", "1"));
        store.Upsert(Text("b", "2"));
        Assert.Equal(0, store.Remove("a"));
        Assert.Null(store.Remove("a"));
        Assert.Null(store.GetByKey(0));
        Assert.Equal(1, store.Count);
        Assert.Equal(2, store.Upsert(Text("a", "3")));
        Assert.Equal(new long[] { 1, 2 }, store.Freeze().ConvertAll(p => p.Key));
    }

    [Fact]
    public async Task Readers_see_every_acknowledged_key_while_the_writer_grows_the_table()
    {
        var store = new PassageStore();
        const int count = 50_000;
        long published = -1;
        var reader = Task.Run(() =>
        {
            int checks = 0;
            while (Volatile.Read(ref published) < count - 1)
            {
                long key = Volatile.Read(ref published);
                if (key >= 0 && store.GetByKey(key)?.Id != $"p{key}")
                {
                    return -1;
                }
                checks++;
            }
            return checks;
        });
        for (int i = 0; i < count; i++)
        {
            store.Upsert(Text($"p{i}", ""));
            Volatile.Write(ref published, i);
        }
        Assert.NotEqual(-1, await reader.WaitAsync(TimeSpan.FromMinutes(2)));
    }
}
