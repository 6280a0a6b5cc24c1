using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Text;

namespace DprCluster.IntegrationTests;

/// <summary>
/// Compares a cluster's hits with the reference ranking: the same ids in the same order with the same scores. Two
/// processes may round the last float bit differently, so ids whose reference scores lie within
/// <see cref="Tolerance"/> of each other may trade places, and only then.
/// </summary>
internal static class RankingAssert
{
    public const float Tolerance = 1e-4f;

    public static void Equal(IReadOnlyList<ScoredHit> expected, IReadOnlyList<HitBody> actual, string question)
    {
        Assert.True(expected.Count == actual.Count, $"'{question}': {actual.Count} hits, expected {expected.Count}");
        var reference = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (ScoredHit hit in expected)
        {
            reference[hit.Id] = hit.Score;
        }
        for (int i = 0; i < expected.Count; i++)
        {
            if (actual[i].Id == expected[i].Id)
            {
                Assert.True(Math.Abs(actual[i].Score - expected[i].Score) <= Tolerance,
                    $"'{question}' rank {i + 1} ({actual[i].Id}): score {actual[i].Score}, expected {expected[i].Score}");
                continue;
            }
            // A different id is acceptable only as a near-tie with the expected one.
            float expectedScore = expected[i].Score;
            float actualScore = reference.TryGetValue(actual[i].Id, out float s) ? s : actual[i].Score;
            Assert.True(Math.Abs(actualScore - expectedScore) <= Tolerance,
                $"'{question}' rank {i + 1}: got {actual[i].Id} ({actual[i].Score}), expected {expected[i].Id} ({expectedScore}); " +
                $"cluster order {string.Join(", ", actual.Select(h => h.Id))}; reference order {string.Join(", ", expected.Select(h => h.Id))}");
        }
    }
}
