using System.CommandLine;
using DprCluster.Silo.Security;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster certs --out DIR [--days N]</c>: writes a new cluster CA and the silo certificate it issues
/// (<c>ca.crt</c>, <c>tls.crt</c>, <c>tls.key</c>) for <c>Cluster:Tls</c>; on Kubernetes, make them the chart's Secret.
/// </summary>
internal static class CertsCommand
{
    public static Command Create()
    {
        var outOption = new Option<string>("--out") { Description = "Directory to write ca.crt, tls.crt and tls.key into.", Required = true };
        var daysOption = new Option<int>("--days") { Description = "Days the certificates stay valid.", DefaultValueFactory = _ => 825 };
        var command = new Command("certs", "Write a cluster CA and silo certificate for mutual TLS between silos (Cluster:Tls).")
        {
            outOption, daysOption,
        };
        command.SetAction(parse => Run(parse.GetValue(outOption)!, parse.GetValue(daysOption)));
        return command;
    }

    private static int Run(string directory, int days)
    {
        if (days < 1)
        {
            Console.Error.WriteLine($"error: --days must be at least 1, not {days}.");
            return 2;
        }
        foreach (string name in (string[])["ca.crt", "tls.crt", "tls.key"])
        {
            if (File.Exists(Path.Combine(directory, name)))
            {
                // Replacing a cluster's CA under running silos would split the cluster: refuse, and say so.
                Console.Error.WriteLine($"error: {Path.Combine(directory, name)} exists; remove the old certificates first.");
                return 1;
            }
        }
        try
        {
            ClusterCertificateAuthority.Write(directory, days);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write the certificates into {directory}: {e.Message}");
            return 1;
        }
        Console.WriteLine($"wrote {directory}/ca.crt, tls.crt and tls.key (valid {days} days); set Cluster:Tls:Enabled=true and the three paths");
        return 0;
    }
}
