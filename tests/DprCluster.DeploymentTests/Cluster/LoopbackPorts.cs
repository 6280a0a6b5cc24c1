using System.Net;
using System.Net.Sockets;

namespace DprCluster.DeploymentTests.Cluster;

/// <summary>Free TCP ports on the loopback interface (the OS picks them; a tiny race with other programs remains).</summary>
internal static class LoopbackPorts
{
    public static int[] Take(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }
            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (TcpListener? listener in listeners)
            {
                listener?.Stop();
            }
        }
    }
}
