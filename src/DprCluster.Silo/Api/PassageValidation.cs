using DprCluster.Abstractions;
using DprCluster.Core.Passages;
using DprCluster.Silo.Configuration;

namespace DprCluster.Silo.Api;

/// <summary>Checks an upsert batch (size, the <see cref="PassageLimits"/> of each passage, duplicates) and turns it into <see cref="Passage"/>s.</summary>
public static class PassageValidation
{
    /// <summary>The batch's passages; throws <see cref="ClusterException"/> naming the first problem.</summary>
    public static Passage[] Validate(PassagesBody body, ApiOptions limits)
    {
        IReadOnlyList<PassageBody>? items = body.Passages;
        if (items is null || items.Count == 0)
        {
            throw Invalid("passages is missing or empty; send {\"passages\": [{\"id\", \"title\", \"text\"}, ...]}.");
        }
        if (items.Count > limits.MaxBatch)
        {
            throw Invalid($"A batch holds at most {limits.MaxBatch} passages; got {items.Count}. Split it.");
        }
        var passages = new Passage[items.Count];
        var seen = new HashSet<string>(items.Count, StringComparer.Ordinal);
        for (int i = 0; i < passages.Length; i++)
        {
            PassageBody item = items[i] ?? throw Invalid($"passages[{i}] is null.");
            passages[i] = ToPassage(item, $"passages[{i}]");
            if (!seen.Add(passages[i].Id))
            {
                throw Invalid($"passages[{i}] repeats id '{passages[i].Id}'; ids must be distinct within one batch.");
            }
        }
        return passages;
    }

    /// <summary>Checks a passage id taken from a URL (see <see cref="PassageLimits"/> for the grammar).</summary>
    public static string ValidateId(string? id)
    {
        if (PassageLimits.CheckId(id) is { } problem)
        {
            throw Invalid(problem + ".");
        }
        return id!;
    }

    private static Passage ToPassage(PassageBody item, string field)
    {
        if (PassageLimits.CheckPassage(item.Id, item.Title, item.Text, item.Metadata) is { } problem)
        {
            throw Invalid($"{field}: {problem}.");
        }
        return new Passage(item.Id!, item.Title ?? string.Empty, item.Text!, item.Metadata);
    }

    private static ClusterException Invalid(string message) => new(ClusterErrorCodes.InvalidRequest, message);
}
