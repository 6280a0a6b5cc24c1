using DprCluster.Abstractions;
using DprCluster.Silo.Configuration;

namespace DprCluster.Silo.Api;

/// <summary>Checks an upsert batch (size, ids, text, duplicates) and turns it into <see cref="Passage"/>s.</summary>
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
            passages[i] = ToPassage(item, $"passages[{i}]", limits);
            if (!seen.Add(passages[i].Id))
            {
                throw Invalid($"passages[{i}] repeats id '{passages[i].Id}'; ids must be distinct within one batch.");
            }
        }
        return passages;
    }

    /// <summary>Checks a passage id taken from a URL.</summary>
    public static string ValidateId(string? id, ApiOptions limits)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw Invalid("The passage id is empty.");
        }
        if (id.Length > limits.MaxIdLength)
        {
            throw Invalid($"A passage id has at most {limits.MaxIdLength} characters; got {id.Length}.");
        }
        return id;
    }

    private static Passage ToPassage(PassageBody item, string field, ApiOptions limits)
    {
        if (string.IsNullOrEmpty(item.Id))
        {
            throw Invalid($"{field}.id is missing or empty.");
        }
        if (item.Id.Length > limits.MaxIdLength)
        {
            throw Invalid($"{field}.id has {item.Id.Length} characters; the limit is {limits.MaxIdLength}.");
        }
        if (item.Text is null)
        {
            throw Invalid($"{field}.text is missing.");
        }
        if (item.Metadata is not null)
        {
            foreach ((string key, string value) in item.Metadata)
            {
                if (string.IsNullOrEmpty(key) || value is null)
                {
                    throw Invalid($"{field}.metadata needs non-empty keys and non-null string values.");
                }
            }
        }
        return new Passage(item.Id, item.Title ?? string.Empty, item.Text, item.Metadata);
    }

    private static ClusterException Invalid(string message) => new(ClusterErrorCodes.InvalidRequest, message);
}
