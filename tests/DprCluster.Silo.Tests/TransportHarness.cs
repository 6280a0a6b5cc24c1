using System.Net;
using System.Net.Sockets;
using DprCluster.Grains.Contracts;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DprCluster.Silo.Tests;

/// <summary>The server side of the transport (h2c on a loopback port) in front of test grains.</summary>
internal sealed class TransportHarness : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<SiloConnection> _connections = [];

    private TransportHarness(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<TransportHarness> StartAsync(Func<int, IShardGrain?> shards, IEncoderGrain? encoder = null)
    {
        int port = FreePort();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        WebApplication app = builder.Build();
        new TransportEndpoints(shards, encoder, port, NullLogger.Instance).Map(app);
        await app.StartAsync();
        return new TransportHarness(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public SiloConnection Connect(TransportOptions? options = null)
    {
        var connection = new SiloConnection("test-silo", Address, options ?? new TransportOptions());
        _connections.Add(connection);
        return connection;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (SiloConnection connection in _connections)
        {
            connection.Dispose();
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
