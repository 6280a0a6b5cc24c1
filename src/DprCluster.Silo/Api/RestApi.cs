using System.Buffers;
using System.Diagnostics;
using System.Threading.RateLimiting;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DprCluster.Encoders.Batching;
using DprCluster.Abstractions;
using DprCluster.Silo.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace DprCluster.Silo.Api;

/// <summary>
/// The public REST API of a gateway: search, passage upsert/get/delete and the cluster view, as JSON, with every
/// failure answered as problem+json carrying a stable code. Each request runs under a deadline, passed to the
/// coordinator as the grain call's cancellation token (Orleans cancels the calls it made on other silos with it).
/// </summary>
public sealed class RestApi(ICoordinatorGrain coordinator, ApiOptions options, int hybridDepth, ILogger<RestApi> logger)
{
    private const string Json = "application/json";
    private readonly ApiKeyCheck _apiKey = new(options.ApiKey);
    private readonly TimeSpan _searchTimeout = TimeSpan.FromMilliseconds(options.SearchTimeoutMs);
    private readonly TimeSpan _writeTimeout = TimeSpan.FromMilliseconds(options.WriteTimeoutMs);

    // Expensive searches queue for nothing: past the limit they are told to come back (429 with Retry-After).
    private readonly ConcurrencyLimiter _expensive = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = Math.Max(1, options.MaxConcurrentExpensive),
        QueueLimit = 0,
    });

    /// <summary>Adds the <c>/v1</c> routes (with their OpenAPI descriptions) to <paramref name="routes"/>.</summary>
    public void Map(IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder v1 = routes.MapGroup("/v1");
        v1.MapPost("/search", Handler(_searchTimeout, SearchAsync))
            .WithName("Search")
            .WithSummary("Search the passages (dense, BM25 or hybrid).")
            .WithDescription("Send 'query' for one question or 'queries' for several; the latter answers {results: [...], took_ms}.")
            .Accepts<SearchBody>(Json)
            .Produces<SearchResponseBody>(StatusCodes.Status200OK, Json)
            .Produces<ProblemDocument>(StatusCodes.Status400BadRequest, ProblemWriter.MediaType)
            .Produces<ProblemDocument>(StatusCodes.Status413PayloadTooLarge, ProblemWriter.MediaType)
            .Produces<ProblemDocument>(StatusCodes.Status429TooManyRequests, ProblemWriter.MediaType)
            .Produces<ProblemDocument>(StatusCodes.Status504GatewayTimeout, ProblemWriter.MediaType);
        v1.MapPost("/passages", Handler(_writeTimeout, UpsertAsync))
            .WithName("UpsertPassages")
            .WithSummary("Insert or replace a batch of passages; answers once they are durable and searchable.")
            .Accepts<PassagesBody>(Json)
            .Produces<UpsertResponseBody>(StatusCodes.Status200OK, Json)
            .Produces<ProblemDocument>(StatusCodes.Status400BadRequest, ProblemWriter.MediaType)
            .Produces<ProblemDocument>(StatusCodes.Status401Unauthorized, ProblemWriter.MediaType)
            .Produces<ProblemDocument>(StatusCodes.Status413PayloadTooLarge, ProblemWriter.MediaType)
            .Produces<ProblemDocument>(StatusCodes.Status503ServiceUnavailable, ProblemWriter.MediaType);
        v1.MapGet("/passages/{id}", Handler(_writeTimeout, GetAsync))
            .WithName("GetPassage")
            .WithSummary("One passage by id.")
            .Produces<PassageBody>(StatusCodes.Status200OK, Json)
            .Produces<ProblemDocument>(StatusCodes.Status404NotFound, ProblemWriter.MediaType);
        v1.MapDelete("/passages/{id}", Handler(_writeTimeout, DeleteAsync))
            .WithName("DeletePassage")
            .WithSummary("Delete one passage; it never comes back in results.")
            .Produces<DeleteResponse>(StatusCodes.Status200OK, Json)
            .Produces<ProblemDocument>(StatusCodes.Status401Unauthorized, ProblemWriter.MediaType)
            .Produces<ProblemDocument>(StatusCodes.Status404NotFound, ProblemWriter.MediaType)
            .Produces<ProblemDocument>(StatusCodes.Status503ServiceUnavailable, ProblemWriter.MediaType);
        v1.MapPost("/projection", Handler(_searchTimeout, ProjectAsync))
            .WithName("Projection")
            .WithSummary("A 2-D principal-component picture of a question, its top hits, judged passages and a sample.")
            .Accepts<ProjectionBody>(Json)
            .Produces<ProjectionResponseBody>(StatusCodes.Status200OK, Json)
            .Produces<ProblemDocument>(StatusCodes.Status400BadRequest, ProblemWriter.MediaType)
            .Produces<ProblemDocument>(StatusCodes.Status504GatewayTimeout, ProblemWriter.MediaType);
        v1.MapGet("/cluster", Handler(_writeTimeout, ClusterAsync))
            .WithName("Cluster")
            .WithSummary("Silos, roles, shards, replicas, passage and deleted counts, and states.")
            .Produces<ClusterBody>(StatusCodes.Status200OK, Json);
    }

    // A Delegate (not a RequestDelegate) so the route builder accepts OpenAPI metadata (Accepts/Produces).
    private Delegate Handler(TimeSpan timeout, Func<HttpContext, CancellationToken, Task> handler) =>
        (HttpContext context) => RunAsync(context, timeout, handler);

    private async Task SearchAsync(HttpContext context, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        SearchBody body = await JsonBodyReader.ReadAsync(context.Request, ApiJsonContext.Default.SearchBody,
            options.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        SearchRequest[] requests = SearchValidation.Validate(body, options);
        using RateLimitLease? lease = SearchValidation.Cost(requests, hybridDepth) >= options.ExpensiveCost ? _expensive.AttemptAcquire() : null;
        if (lease is { IsAcquired: false })
        {
            throw new ClusterException(ClusterErrorCodes.Overloaded,
                $"{options.MaxConcurrentExpensive} expensive searches are already running; retry in a second, or ask for fewer hits.");
        }
        var searches = new Task<SearchResponse>[requests.Length];
        for (int i = 0; i < searches.Length; i++)
        {
            searches[i] = coordinator.SearchAsync(requests[i], cancellationToken);
        }
        SearchResponse[] results = await Task.WhenAll(searches).ConfigureAwait(false);
        // An answer finished after the deadline is a 504, never a late 200.
        cancellationToken.ThrowIfCancellationRequested();
        if (body.Queries is null)
        {
            await WriteBoundedJsonAsync(context, ApiBodies.From(results[0]), ApiJsonContext.Default.SearchResponseBody).ConfigureAwait(false);
            return;
        }
        var bodies = new SearchResponseBody[results.Length];
        for (int i = 0; i < bodies.Length; i++)
        {
            bodies[i] = ApiBodies.From(results[i]);
        }
        var multi = new MultiSearchResponse(bodies, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        await WriteBoundedJsonAsync(context, multi, ApiJsonContext.Default.MultiSearchResponse).ConfigureAwait(false);
    }

    private async Task ProjectAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ProjectionBody body = await JsonBodyReader.ReadAsync(context.Request, ApiJsonContext.Default.ProjectionBody,
            options.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        ProjectionRequest request = body.ToRequest(options);
        // As costly as an expensive search (hundreds of vectors read and projected): the same admission applies.
        using RateLimitLease lease = _expensive.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            throw new ClusterException(ClusterErrorCodes.Overloaded,
                $"{options.MaxConcurrentExpensive} expensive requests are already running; retry in a second.");
        }
        ProjectionResponse response = await coordinator.ProjectAsync(request, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        await WriteBoundedJsonAsync(context, ProjectionResponseBody.From(response), ApiJsonContext.Default.ProjectionResponseBody)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Serialises the answer first and sends it only when it fits <see cref="ApiOptions.MaxResponseBytes"/>, so no
    /// request, however many long passages it matches, makes the gateway send more than the limit.
    /// </summary>
    private async Task WriteBoundedJsonAsync<T>(HttpContext context, T value, JsonTypeInfo<T> typeInfo)
    {
        var buffer = new BoundedBufferWriter(options.MaxResponseBytes);
        try
        {
            using var writer = new Utf8JsonWriter(buffer, ApiJsonContext.WriterOptions);
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        catch (InsufficientMemoryException)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest,
                $"The answer would be larger than {options.MaxResponseBytes} bytes. Ask for fewer hits or set include_text to false.");
        }
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = Json;
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task UpsertAsync(HttpContext context, CancellationToken cancellationToken)
    {
        _apiKey.Require(context.Request);
        PassagesBody body = await JsonBodyReader.ReadAsync(context.Request, ApiJsonContext.Default.PassagesBody,
            options.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        Passage[] passages = PassageValidation.Validate(body, options);
        UpsertResponse response;
        if (PassageValidation.Vectors(body) is { } vectors)
        {
            var encoded = new EncodedPassage[passages.Length];
            for (int i = 0; i < encoded.Length; i++)
            {
                encoded[i] = new EncodedPassage(passages[i], vectors[i]);
            }
            response = await coordinator.ImportAsync(encoded, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            response = await coordinator.UpsertAsync(passages, cancellationToken).ConfigureAwait(false);
        }
        await WriteJsonAsync(context, ApiBodies.From(response), ApiJsonContext.Default.UpsertResponseBody).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext context, CancellationToken cancellationToken)
    {
        string id = PassageValidation.ValidateId(context.Request.RouteValues["id"] as string);
        Passage passage = await coordinator.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new ClusterException(ClusterErrorCodes.NotFound, $"No passage has id '{id}'.");
        var body = new PassageBody { Id = passage.Id, Title = passage.Title, Text = passage.Text, Metadata = passage.Metadata };
        await WriteJsonAsync(context, body, ApiJsonContext.Default.PassageBody).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context, CancellationToken cancellationToken)
    {
        _apiKey.Require(context.Request);
        string id = PassageValidation.ValidateId(context.Request.RouteValues["id"] as string);
        if (!await coordinator.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
        {
            throw new ClusterException(ClusterErrorCodes.NotFound, $"No passage has id '{id}'.");
        }
        await WriteJsonAsync(context, new DeleteResponse(id, true), ApiJsonContext.Default.DeleteResponse).ConfigureAwait(false);
    }

    private async Task ClusterAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ClusterStatus status = await coordinator.GetClusterAsync(cancellationToken).ConfigureAwait(false);
        await WriteJsonAsync(context, ApiBodies.From(status), ApiJsonContext.Default.ClusterBody).ConfigureAwait(false);
    }

    private async Task RunAsync(HttpContext context, TimeSpan timeout, Func<HttpContext, CancellationToken, Task> handler)
    {
        CancellationToken aborted = context.RequestAborted;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(timeout);
        try
        {
            await handler(context, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await ProblemWriter.WriteAsync(context, ClusterErrorCodes.DeadlineExceeded,
                $"The request ran past its deadline of {timeout.TotalMilliseconds:F0} ms.").ConfigureAwait(false);
        }
        catch (ClusterException e)
        {
            await ProblemWriter.WriteAsync(context, e.Code, e.Message).ConfigureAwait(false);
        }
        catch (EncoderOverloadedException e)
        {
            await ProblemWriter.WriteAsync(context, ClusterErrorCodes.Overloaded, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            string code = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ClusterErrorCodes.PayloadTooLarge
                : ClusterErrorCodes.InvalidRequest;
            await ProblemWriter.WriteAsync(context, code, e.Message).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await ProblemWriter.WriteAsync(context, ClusterErrorCodes.Internal,
                "An unexpected error occurred; the silo's log has the details.").ConfigureAwait(false);
        }
    }

    private static async Task WriteJsonAsync<T>(HttpContext context, T value, JsonTypeInfo<T> typeInfo)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = Json;
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, ApiJsonContext.WriterOptions))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
