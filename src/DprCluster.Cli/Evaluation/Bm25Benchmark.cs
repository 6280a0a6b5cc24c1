using System.Diagnostics;
using System.Globalization;
using System.Text;
using DprCluster.Text;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;
using DprCluster.Text.Corpora;
using DprCluster.Text.Fusion;
using DprCluster.Core.Hashing;

namespace DprCluster.Cli.Evaluation;

/// <summary>
/// Side-by-side BM25 timings on one BEIR corpus, single thread: indexing, save/load of the index file, and query
/// throughput of MaxScore against exhaustive scoring and of a 4-shard cluster-wide-statistics search, each the
/// median of several interleaved passes over the split's queries; then the same search comparison on a larger
/// corpus made of noisy copies, where posting lists are long enough for pruning to matter.
/// </summary>
internal static class Bm25Benchmark
{
    private static readonly int[] Cutoffs = [10, 100, 1000];

    public static void Run(string directory, string split, int passes, int scale, TextWriter output)
    {
        BeirDataset dataset = BeirDataset.Load(directory, split);
        var analyzer = EnglishAnalyzer.Default;
        var parameters = new Bm25Parameters();
        long textBytes = 0;
        foreach (CorpusDocument document in dataset.Corpus)
        {
            textBytes += Encoding.UTF8.GetByteCount(document.Title) + 1 + Encoding.UTF8.GetByteCount(document.Text);
        }

        Bm25Index? index = null;
        double indexing = Median(passes, () =>
        {
            index?.Dispose();
            index = Build(dataset.Corpus, analyzer, parameters);
        })[0];
        Bm25Index built = index!;

        using var file = new MemoryStream();
        double[] persistence = Median(passes,
            () =>
            {
                file.SetLength(0);
                built.WriteTo(file);
            },
            () => Bm25Index.ReadFrom(new MemoryStream(file.GetBuffer(), 0, (int)file.Length)).Dispose());

        var shards = new Bm25Index[4];
        for (int s = 0; s < shards.Length; s++)
        {
            shards[s] = new Bm25Index(analyzer, parameters);
        }
        foreach (CorpusDocument document in dataset.Corpus)
        {
            shards[PassageIdHash.ShardOf(document.Id, shards.Length)].Upsert(document.Id, document.Title, document.Text);
        }

        var queries = new Bm25Query[dataset.Queries.Count];
        for (int q = 0; q < queries.Length; q++)
        {
            queries[q] = built.ParseQuery(dataset.Queries[q].Text);
        }

        output.WriteLine($"BM25 on {directory} ({dataset.Corpus.Count:N0} passages, {textBytes / 1e6:F1} MB of text; " +
            $"{queries.Length} {split} queries), one thread, median of {passes} interleaved passes");
        output.WriteLine();
        output.WriteLine($"{"operation",-44} {"time",12}  {"rate"}");
        Row(output, "index title + text", $"{indexing:F3} s",
            $"{dataset.Corpus.Count / indexing:N0} passages/s, {textBytes / 1e6 / indexing:F1} MB/s");
        Row(output, $"write index file ({file.Length / 1e6:F1} MB)", $"{persistence[0] * 1000:F1} ms",
            $"{file.Length / 1e6 / persistence[0]:F0} MB/s");
        Row(output, "read + verify index file", $"{persistence[1] * 1000:F1} ms", $"{file.Length / 1e6 / persistence[1]:F0} MB/s");
        output.WriteLine();
        output.WriteLine($"{"search (analyzed queries)",-44} {"passages",9} {"k",5} {"queries/s",10} {"vs exhaustive",14}");
        foreach (int k in Cutoffs)
        {
            double[] times = Median(passes,
                () => Each(queries, q => built.SearchExhaustive(q, k)),
                () => Each(queries, q => built.Search(q, k)),
                () => Each(queries, q => Bm25Retriever.SearchShards(shards, q, k)));
            SearchRow(output, "exhaustive (score every posting)", built.Count, k, queries.Length, times[0], times[0]);
            SearchRow(output, "MaxScore", built.Count, k, queries.Length, times[1], times[0]);
            SearchRow(output, "4 shards, cluster-wide statistics, MaxScore", built.Count, k, queries.Length, times[2], times[0]);
        }
        built.Dispose();
        foreach (Bm25Index shard in shards)
        {
            shard.Dispose();
        }

        if (scale > 1)
        {
            var clock = Stopwatch.StartNew();
            using Bm25Index large = Build(ScaledCorpus(dataset.Corpus, scale), analyzer, parameters);
            double largeIndexing = clock.Elapsed.TotalSeconds;
            output.WriteLine(
                $"{scale} noisy copies of the corpus (each drops 20% of the words at random; one pass, indexed in {largeIndexing:F1} s):");
            foreach (int k in Cutoffs)
            {
                double[] times = Median(passes,
                    () => Each(queries, q => large.SearchExhaustive(q, k)),
                    () => Each(queries, q => large.Search(q, k)));
                SearchRow(output, "exhaustive (score every posting)", large.Count, k, queries.Length, times[0], times[0]);
                SearchRow(output, "MaxScore", large.Count, k, queries.Length, times[1], times[0]);
            }
        }
    }

    private static Bm25Index Build(IEnumerable<CorpusDocument> corpus, EnglishAnalyzer analyzer, Bm25Parameters parameters)
    {
        var index = new Bm25Index(analyzer, parameters);
        foreach (CorpusDocument document in corpus)
        {
            index.Upsert(document.Id, document.Title, document.Text);
        }
        return index;
    }

    // The corpus, then scale − 1 copies in which every word is dropped with probability 0.2 (seeded), so the copies
    // differ in lengths and frequencies rather than tying exactly.
    private static IEnumerable<CorpusDocument> ScaledCorpus(IReadOnlyList<CorpusDocument> corpus, int scale)
    {
        foreach (CorpusDocument document in corpus)
        {
            yield return document;
        }
        for (int copy = 1; copy < scale; copy++)
        {
            var random = new Random(copy);
            foreach (CorpusDocument document in corpus)
            {
                var kept = new StringBuilder(document.Text.Length);
                foreach (string word in document.Text.Split(' '))
                {
                    if (random.NextDouble() >= 0.2)
                    {
                        kept.Append(word).Append(' ');
                    }
                }
                yield return new CorpusDocument($"{document.Id}#{copy}", document.Title, kept.ToString());
            }
        }
    }

    private static void Each(Bm25Query[] queries, Action<Bm25Query> search)
    {
        foreach (Bm25Query query in queries)
        {
            search(query);
        }
    }

    // For each action, the median wall time in seconds over `passes` timed runs; the actions take turns within
    // each pass (after one untimed warm-up round) so that machine load drifts affect them alike.
    private static double[] Median(int passes, params Action[] actions)
    {
        foreach (Action action in actions)
        {
            action();
        }
        var times = new double[actions.Length][];
        for (int a = 0; a < actions.Length; a++)
        {
            times[a] = new double[passes];
        }
        for (int p = 0; p < passes; p++)
        {
            for (int a = 0; a < actions.Length; a++)
            {
                GC.Collect();
                var clock = Stopwatch.StartNew();
                actions[a]();
                times[a][p] = clock.Elapsed.TotalSeconds;
            }
        }
        var medians = new double[actions.Length];
        for (int a = 0; a < actions.Length; a++)
        {
            Array.Sort(times[a]);
            medians[a] = times[a][passes / 2];
        }
        return medians;
    }

    private static void Row(TextWriter output, string operation, string time, string rate) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{operation,-44} {time,12}  {rate}"));

    private static void SearchRow(
        TextWriter output, string method, int passages, int k, int queries, double seconds, double exhaustiveSeconds) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{method,-44} {passages,9:N0} {k,5} {queries / seconds,10:F0} {exhaustiveSeconds / seconds,13:F2}x"));
}
