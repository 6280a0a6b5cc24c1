using System.Globalization;
using System.Net;
using System.Text;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Silo.Configuration;
using DprCluster.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace DprCluster.Silo.Tests;

/// <summary>
/// The REST layer's own read limits, over a coordinator the test controls: expensive searches beyond the limit get
/// 429 with Retry-After while small ones pass, and an answer that arrives after the deadline is a 504, not a late 200.
/// </summary>
public sealed class SearchAdmissionTests : IAsyncLifetime
{
    private readonly LoopbackPorts _ports = LoopbackPorts.Lease(1);
    private readonly HeldCoordinator _coordinator = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var options = new ApiOptions { MaxConcurrentExpensive = 1, ExpensiveCost = 100, SearchTimeoutMs = 15_000 };
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_ports.Ports[0].ToString(CultureInfo.InvariantCulture)}");
        _app = builder.Build();
        new RestApi(_coordinator, options, hybridDepth: 100, NullLogger<RestApi>.Instance).Map(_app);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_ports.Ports[0].ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        _coordinator.Release();
        _http.Dispose();
        await _app.DisposeAsync();
        _ports.Dispose();
    }

    [Fact]
    public async Task Expensive_searches_past_the_limit_are_told_to_retry_while_small_ones_pass()
    {
        Task<HttpResponseMessage> first = SearchAsync(k: 500, query: "hold");
        await Poll.UntilAsync("the first expensive search to reach the coordinator", TimeSpan.FromSeconds(30),
            () => Task.FromResult(_coordinator.Held > 0));

        using HttpResponseMessage second = await SearchAsync(k: 500, query: "second");
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("1", second.Headers.GetValues("Retry-After").Single());
        Assert.Contains(ClusterErrorCodes.Overloaded, await second.Content.ReadAsStringAsync());

        using HttpResponseMessage small = await SearchAsync(k: 5, query: "small");
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);

        _coordinator.Release();
        using HttpResponseMessage released = await first;
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
    }

    [Fact]
    public async Task An_answer_after_the_deadline_is_a_504()
    {
        using HttpResponseMessage late = await SearchAsync(k: 5, query: "late");
        Assert.Equal(HttpStatusCode.GatewayTimeout, late.StatusCode);
        Assert.Contains(ClusterErrorCodes.DeadlineExceeded, await late.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> SearchAsync(int k, string query) =>
        _http.PostAsync("/v1/search", new StringContent($"{{\"query\": \"{query}\", \"k\": {k}}}", Encoding.UTF8, "application/json"));

    /// <summary>Answers at once, except "hold" (until released) and "late" (just after its deadline fired, ignoring it).</summary>
    private sealed class HeldCoordinator : ICoordinatorGrain
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        public int Held => Volatile.Read(ref _held);

        public void Release() => _release.TrySetResult();

        public async Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
        {
            if (request.Query == "hold")
            {
                Interlocked.Increment(ref _held);
                await _release.Task;
            }
            else if (request.Query == "late")
            {
                // However loaded the machine, this answer comes after the deadline: it waits for the deadline to fire.
                await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            return new SearchResponse([new PassageHit("p", 1f, "t", "text", 0, null)], 1, new StageTimings(0, 0, 0, 0), false, [], []);
        }

        public Task<UpsertResponse> UpsertAsync(Passage[] passages, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<UpsertResponse> ImportAsync(EncodedPassage[] passages, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Passage?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ClusterStatus> GetClusterAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ProjectionResponse> ProjectAsync(ProjectionRequest request, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
