using System.Net;
using System.Net.Sockets;

namespace DprCluster.Testing;

/// <summary>
/// TCP ports on loopback for test processes, without the free-then-release race: ports come from a range below the
/// kernel's ephemeral range (so no outgoing connection or port-0 bind is ever handed one), and each is claimed with an
/// exclusive lock file held until the lease is disposed, so parallel test processes never pick the same port.
/// </summary>
public sealed class LoopbackPorts : IDisposable
{
    private const int First = 20_000;
    private const int Last = 32_000;
    private static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), "dprcluster-test-ports");
    private readonly List<FileStream> _locks = [];

    private LoopbackPorts(int[] ports) => Ports = ports;

    /// <summary>The leased ports.</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>Leases <paramref name="count"/> ports that are free now and claimed by no other test process.</summary>
    public static LoopbackPorts Lease(int count)
    {
        Directory.CreateDirectory(LockDirectory);
        var ports = new List<int>(count);
        var locks = new List<FileStream>(count);
        int start = First + Random.Shared.Next(Last - First);
        for (int offset = 0; offset < Last - First && ports.Count < count; offset++)
        {
            int port = First + (start - First + offset) % (Last - First);
            FileStream? claim = TryClaim(port);
            if (claim is null)
            {
                continue;
            }
            if (IsFree(port))
            {
                ports.Add(port);
                locks.Add(claim);
            }
            else
            {
                claim.Dispose();
            }
        }
        if (ports.Count < count)
        {
            foreach (FileStream claim in locks)
            {
                claim.Dispose();
            }
            throw new InvalidOperationException($"Only {ports.Count} of {count} loopback ports in {First}..{Last} are free.");
        }
        var lease = new LoopbackPorts([.. ports]);
        lease._locks.AddRange(locks);
        return lease;
    }

    /// <summary>Releases the claims (the ports themselves are whatever the processes using them left).</summary>
    public void Dispose()
    {
        foreach (FileStream claim in _locks)
        {
            claim.Dispose();
        }
        _locks.Clear();
    }

    private static FileStream? TryClaim(int port)
    {
        try
        {
            // FileShare.None plus DeleteOnClose: the claim disappears with the process, even when it is killed.
            return new FileStream(Path.Combine(LockDirectory, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite,
                FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
