using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;

namespace DprCluster.Silo.Client;

/// <summary>
/// A client of the REST API (what <c>dprcluster ingest</c>, <c>search</c>, <c>eval --url</c> and <c>bench search</c>
/// use): JSON over HTTP/1.1 with pooled keep-alive connections; errors surface as <see cref="ClusterApiException"/>.
/// </summary>
public sealed class ClusterClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly HttpClient _http;

    /// <summary>Creates a client of the gateway at <paramref name="baseUrl"/>, sending <paramref name="apiKey"/> with writes.</summary>
    public ClusterClient(Uri baseUrl, string? apiKey = null, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = 256,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        _http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(120) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    /// <summary>The gateway's address.</summary>
    public Uri BaseUrl => _http.BaseAddress!;

    /// <summary><c>POST /v1/search</c> with one question.</summary>
    public Task<SearchResponseBody> SearchAsync(SearchBody body, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/search", body, ApiJsonContext.Default.SearchBody, ApiJsonContext.Default.SearchResponseBody, cancellationToken);

    /// <summary><c>POST /v1/search</c> with <c>queries</c>.</summary>
    public Task<MultiSearchResponse> SearchManyAsync(SearchBody body, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/search", body, ApiJsonContext.Default.SearchBody, ApiJsonContext.Default.MultiSearchResponse, cancellationToken);

    /// <summary><c>POST /v1/passages</c>: upserts a batch; returns once it is durable and searchable.</summary>
    public Task<UpsertResponseBody> UpsertAsync(IReadOnlyList<PassageBody> passages, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/passages", new PassagesBody { Passages = passages }, ApiJsonContext.Default.PassagesBody,
            ApiJsonContext.Default.UpsertResponseBody, cancellationToken);

    /// <summary><c>GET /v1/passages/{id}</c>; null when the passage does not exist.</summary>
    public async Task<PassageBody?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SendAsync<object, PassageBody>(HttpMethod.Get, "v1/passages/" + Uri.EscapeDataString(id), null, null,
                ApiJsonContext.Default.PassageBody, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterApiException e) when (e.Status == (int)HttpStatusCode.NotFound && e.Code == ClusterErrorCodes.NotFound)
        {
            return null;
        }
    }

    /// <summary><c>DELETE /v1/passages/{id}</c>; false when the passage did not exist.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            await SendAsync<object, DeleteResponse>(HttpMethod.Delete, "v1/passages/" + Uri.EscapeDataString(id), null, null,
                ApiJsonContext.Default.DeleteResponse, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ClusterApiException e) when (e.Status == (int)HttpStatusCode.NotFound && e.Code == ClusterErrorCodes.NotFound)
        {
            return false;
        }
    }

    /// <summary><c>GET /v1/cluster</c>.</summary>
    public Task<ClusterBody> GetClusterAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, ClusterBody>(HttpMethod.Get, "v1/cluster", null, null, ApiJsonContext.Default.ClusterBody, cancellationToken);

    /// <summary>Closes the connections.</summary>
    public void Dispose() => _http.Dispose();

    private async Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest? body,
        JsonTypeInfo<TRequest>? requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null && requestType is not null)
        {
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestType)) { Headers = { ContentType = JsonType } };
        }
        using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        byte[] content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response, content, method, path);
        }
        return JsonSerializer.Deserialize(content, responseType)
            ?? throw new ClusterApiException((int)response.StatusCode, null, $"{method} {path} answered an empty body.");
    }

    private static ClusterApiException Failure(HttpResponseMessage response, byte[] content, HttpMethod method, string path)
    {
        ProblemDocument? problem = null;
        if (response.Content.Headers.ContentType?.MediaType == ProblemWriter.MediaType)
        {
            try
            {
                problem = JsonSerializer.Deserialize(content, ApiJsonContext.Default.ProblemDocument);
            }
            catch (JsonException)
            {
                // Reported below by status alone.
            }
        }
        string message = problem is null
            ? $"{method} /{path} failed with HTTP {(int)response.StatusCode}."
            : $"{method} /{path} failed with HTTP {(int)response.StatusCode} {problem.Code}: {problem.Detail}";
        return new ClusterApiException((int)response.StatusCode, problem, message);
    }
}
