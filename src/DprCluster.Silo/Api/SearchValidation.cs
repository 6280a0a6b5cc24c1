using DprCluster.Abstractions;
using DprCluster.Silo.Configuration;

namespace DprCluster.Silo.Api;

/// <summary>Checks a <see cref="SearchBody"/> against the API limits and turns it into coordinator requests.</summary>
public static class SearchValidation
{
    /// <summary>Default number of hits.</summary>
    public const int DefaultK = 10;

    /// <summary>Longest query vector accepted: the largest dimension an index can have.</summary>
    public const int MaxVectorLength = 65536;

    /// <summary>
    /// One <see cref="SearchRequest"/> per question. Throws <see cref="ClusterException"/> with
    /// <see cref="ClusterErrorCodes.InvalidRequest"/> naming the offending field.
    /// </summary>
    public static SearchRequest[] Validate(SearchBody body, ApiOptions limits)
    {
        int k = body.K ?? DefaultK;
        if (k < 1 || k > limits.MaxK)
        {
            throw Invalid($"k must be between 1 and {limits.MaxK}; got {k}.");
        }
        if (body.Ef is int ef && (ef < 1 || ef > limits.MaxEf))
        {
            throw Invalid($"ef must be between 1 and {limits.MaxEf}; got {ef}.");
        }
        SearchMode mode = body.Mode?.ToLowerInvariant() switch
        {
            null or "dense" => SearchMode.Dense,
            "bm25" => SearchMode.Bm25,
            "hybrid" => SearchMode.Hybrid,
            _ => throw Invalid($"Unknown mode '{body.Mode}'; use dense, bm25 or hybrid."),
        };
        FusionMethod fusion = body.Fusion?.ToLowerInvariant() switch
        {
            null or "normalized" => FusionMethod.Normalized,
            "rrf" => FusionMethod.Rrf,
            "linear" => FusionMethod.Linear,
            _ => throw Invalid($"Unknown fusion '{body.Fusion}'; use normalized, rrf or linear."),
        };

        bool includeText = body.IncludeText ?? true;
        if (body.Vector is { } vector)
        {
            if (body.Queries is not null)
            {
                throw Invalid("'vector' is one question's vector; send it with 'query' (or alone), not with 'queries'.");
            }
            if (mode == SearchMode.Bm25)
            {
                throw Invalid("'vector' needs mode dense or hybrid; bm25 scores the words of 'query' only.");
            }
            if (vector.Length is 0 or > MaxVectorLength)
            {
                throw Invalid($"vector must hold between 1 and {MaxVectorLength} numbers; got {vector.Length}.");
            }
            string query = mode == SearchMode.Dense && body.Query is null ? "" : RequireText(body.Query, "query", limits);
            return [new SearchRequest(query, k, mode, body.Ef, fusion, includeText, vector)];
        }
        if (body.Query is not null == body.Queries is not null)
        {
            throw Invalid("Give exactly one of 'query' (a question) or 'queries' (a list of questions).");
        }
        if (body.Query is not null)
        {
            return [new SearchRequest(RequireText(body.Query, "query", limits), k, mode, body.Ef, fusion, includeText)];
        }
        IReadOnlyList<string> queries = body.Queries!;
        if (queries.Count == 0 || queries.Count > limits.MaxQueries)
        {
            throw Invalid($"queries must hold between 1 and {limits.MaxQueries} questions; got {queries.Count}.");
        }
        if ((long)queries.Count * k > limits.MaxHitsPerRequest)
        {
            throw Invalid($"{queries.Count} questions x k {k} asks for {queries.Count * k} hits; one request may ask for {limits.MaxHitsPerRequest}.");
        }
        var requests = new SearchRequest[queries.Count];
        for (int i = 0; i < requests.Length; i++)
        {
            requests[i] = new SearchRequest(RequireText(queries[i], $"queries[{i}]", limits), k, mode, body.Ef, fusion, includeText);
        }
        return requests;
    }

    /// <summary>
    /// What a search costs, in candidates scored per list: questions × (k, or the hybrid depth) × max(1, ef / 256).
    /// </summary>
    public static long Cost(IReadOnlyList<SearchRequest> requests, int hybridDepth)
    {
        long cost = 0;
        foreach (SearchRequest request in requests)
        {
            int candidates = request.Mode == SearchMode.Hybrid ? Math.Max(request.K, hybridDepth) * 2 : request.K;
            cost += candidates * Math.Max(1, (request.Ef ?? 0) / 256);
        }
        return cost;
    }

    private static string RequireText(string? text, string field, ApiOptions limits)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Invalid($"{field} is empty; send a question.");
        }
        int bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        return bytes <= limits.MaxQueryBytes
            ? text
            : throw Invalid($"{field} has {bytes} bytes of UTF-8; a question may have {limits.MaxQueryBytes}.");
    }

    private static ClusterException Invalid(string message) => new(ClusterErrorCodes.InvalidRequest, message);
}
