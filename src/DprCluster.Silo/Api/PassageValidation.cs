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

    /// <summary>
    /// The batch's vectors when its passages bring them (null when none does); throws when only some do, or one is
    /// empty or not finite. The length is checked against the index by the coordinator, which knows it.
    /// </summary>
    public static float[][]? Vectors(PassagesBody body)
    {
        IReadOnlyList<PassageBody> items = body.Passages!;
        int with = 0;
        foreach (PassageBody item in items)
        {
            with += item.Vector is null ? 0 : 1;
        }
        if (with == 0)
        {
            return null;
        }
        if (with != items.Count)
        {
            throw Invalid($"{with} of {items.Count} passages bring a vector: in one batch either every passage has one or none does.");
        }
        var vectors = new float[items.Count][];
        for (int i = 0; i < vectors.Length; i++)
        {
            float[] vector = items[i].Vector!;
            if (vector.Length == 0)
            {
                throw Invalid($"passages[{i}].vector is empty.");
            }
            if (PassageLimits.CheckVector(vector) is { } problem)
            {
                throw Invalid($"passages[{i}].vector: {problem}.");
            }
            vectors[i] = vector;
        }
        return vectors;
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
