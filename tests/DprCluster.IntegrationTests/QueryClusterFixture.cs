using System.Text.Json;
using DprCluster.Silo.Api;

using DprCluster.Testing;

namespace DprCluster.IntegrationTests;

/// <summary>
/// A cluster loaded with the sample corpus, and the unsharded reference over the same passages. Tests that write keep
/// the reference in step, so every test sees the same model of what the cluster holds.
/// </summary>
public sealed class QueryClusterFixture : IAsyncLifetime
{
    internal TestCluster Cluster { get; private set; } = null!;

    internal ReferenceIndex Reference { get; } = new();

    public static IReadOnlyList<string> Questions { get; } =
    [
        "What is the tallest mountain in the world?",
        "Where is the Eiffel Tower?",
        "Which river carries the most water?",
        "Who painted the Mona Lisa?",
        "When did humans first land on the Moon?",
        "largest hot desert",
        "Which planet is called the Red Planet?",
        "fastest land animal",
        "Who invented the telephone?",
        "ancient wonders of the world",
    ];

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync();
        var passages = new List<PassageBody>();
        foreach (string line in File.ReadLines(RepositoryPaths.SampleCorpus))
        {
            passages.Add(JsonSerializer.Deserialize(line, ApiJsonContext.Default.PassageBody)!);
        }
        for (int start = 0; start < passages.Count; start += 100)
        {
            List<PassageBody> batch = passages.GetRange(start, Math.Min(100, passages.Count - start));
            await Cluster.Client.UpsertAsync(batch);
        }
        Reference.Upsert(passages);
    }

    public async Task DisposeAsync()
    {
        Reference.Dispose();
        await Cluster.DisposeAsync();
    }
}

/// <summary>The test classes sharing one <see cref="QueryClusterFixture"/> (one cluster start for all of them).</summary>
[CollectionDefinition(Name)]
public sealed class QueryClusterCollection : ICollectionFixture<QueryClusterFixture>
{
    public const string Name = "query cluster";
}
