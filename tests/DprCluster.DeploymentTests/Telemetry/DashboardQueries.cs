using System.Text.Json;
using System.Text.RegularExpressions;
using DprCluster.DeploymentTests.Cluster;

namespace DprCluster.DeploymentTests.Telemetry;

/// <summary>
/// The PromQL of every panel target and template variable of the Grafana dashboards in deploy/grafana/dashboards,
/// with Grafana's variables replaced as Grafana would for "All" and a one-minute rate window.
/// </summary>
internal static partial class DashboardQueries
{
    public static List<DashboardQuery> Panels()
    {
        var queries = new List<DashboardQuery>();
        foreach (string file in DashboardFiles())
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
            string dashboard = document.RootElement.GetProperty("title").GetString()!;
            foreach (JsonElement panel in document.RootElement.GetProperty("panels").EnumerateArray())
            {
                string title = panel.GetProperty("title").GetString()!;
                foreach (JsonElement target in panel.GetProperty("targets").EnumerateArray())
                {
                    string expr = target.GetProperty("expr").GetString()!;
                    queries.Add(new DashboardQuery($"{dashboard} / {title} / {target.GetProperty("refId").GetString()}", expr, Substitute(expr)));
                }
            }
        }
        return queries;
    }

    /// <summary>Query variables (<c>label_values(metric, label)</c>) as the PromQL that returns the same label values.</summary>
    public static List<DashboardQuery> Variables()
    {
        var queries = new List<DashboardQuery>();
        foreach (string file in DashboardFiles())
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
            string dashboard = document.RootElement.GetProperty("title").GetString()!;
            foreach (JsonElement variable in document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (variable.GetProperty("type").GetString() != "query")
                {
                    continue;
                }
                string definition = variable.GetProperty("definition").GetString()!;
                Match match = LabelValues().Match(definition);
                Assert.True(match.Success, $"{dashboard}: variable {variable.GetProperty("name")} is not label_values(metric, label): {definition}");
                queries.Add(new DashboardQuery($"{dashboard} / ${variable.GetProperty("name").GetString()}", definition,
                    $"count by ({match.Groups[2].Value}) ({match.Groups[1].Value})"));
            }
        }
        return queries;
    }

    public static string[] DashboardFiles()
    {
        string[] files = Directory.GetFiles(RepositoryLayout.Dashboards, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// Grafana's built-in intervals become one minute (the test cluster is scraped every second) and every dashboard
    /// variable becomes the "All" value <c>.*</c>, which is what selectors of the form <c>=~"$var"</c> expect.
    /// </summary>
    public static string Substitute(string expr)
    {
        string result = expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal)
            .Replace("$__interval", "15s", StringComparison.Ordinal)
            .Replace("$__range", "5m", StringComparison.Ordinal);
        return Variable().Replace(result, ".*");
    }

    [GeneratedRegex(@"\$\{?[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}?")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$")]
    private static partial Regex LabelValues();
}

internal sealed record DashboardQuery(string Where, string Original, string PromQL);
