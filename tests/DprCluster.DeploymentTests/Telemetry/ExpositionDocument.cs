using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DprCluster.DeploymentTests.Telemetry;

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4, written from the format's specification: it rejects what
/// Prometheus would (bad names, unescaped label values, samples before their TYPE, a family declared twice).
/// </summary>
internal sealed partial class ExpositionDocument
{
    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Help { get; } = new(StringComparer.Ordinal);

    public List<Sample> Samples { get; } = [];

    public static ExpositionDocument Parse(string text)
    {
        var document = new ExpositionDocument();
        string? current = null;
        int number = 0;
        foreach (string line in text.Split('\n'))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                string[] parts = line[7..].Split(' ', 2);
                string name = parts[0];
                Require(MetricName().IsMatch(name), number, $"bad family name '{name}'");
                Require(parts.Length == 2, number, "HELP/TYPE without text");
                if (line[2] == 'T')
                {
                    Require(parts[1] is "counter" or "gauge" or "histogram" or "summary" or "untyped", number, $"unknown type '{parts[1]}'");
                    Require(document.Types.TryAdd(name, parts[1]), number, $"family '{name}' declared twice");
                    current = name;
                }
                else
                {
                    Require(document.Help.TryAdd(name, parts[1]), number, $"HELP for '{name}' given twice");
                }
                continue;
            }
            Require(!line.StartsWith('#'), number, "unknown comment form");
            Sample sample = ParseSample(line, number);
            Require(current is not null && FamilyOf(sample.Name, document.Types[current]) == current, number,
                $"sample '{sample.Name}' outside its family's block (current family '{current}')");
            document.Samples.Add(sample);
        }
        return document;
    }

    public IEnumerable<Sample> Named(string name) => Samples.Where(s => s.Name == name);

    private static string FamilyOf(string sample, string type)
    {
        if (type == "histogram")
        {
            foreach (string suffix in new[] { "_bucket", "_sum", "_count" })
            {
                if (sample.EndsWith(suffix, StringComparison.Ordinal))
                {
                    return sample[..^suffix.Length];
                }
            }
        }
        return sample;
    }

    private static Sample ParseSample(string line, int number)
    {
        Match name = MetricNamePrefix().Match(line);
        Require(name.Success, number, $"bad sample '{line}'");
        int at = name.Length;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (at < line.Length && line[at] == '{')
        {
            at++;
            while (line[at] != '}')
            {
                Match label = LabelNamePrefix().Match(line, at);
                Require(label.Success && label.Index == at, number, $"bad label name at {at} in '{line}'");
                at += label.Length;
                Require(line[at] == '=' && line[at + 1] == '"', number, $"label without =\" in '{line}'");
                at += 2;
                var value = new StringBuilder();
                while (line[at] != '"')
                {
                    if (line[at] == '\\')
                    {
                        char escaped = line[at + 1];
                        Require(escaped is '\\' or '"' or 'n', number, $"bad escape \\{escaped} in '{line}'");
                        value.Append(escaped == 'n' ? '\n' : escaped);
                        at += 2;
                    }
                    else
                    {
                        value.Append(line[at++]);
                    }
                }
                at++;
                Require(labels.TryAdd(label.Value, value.ToString()), number, $"label '{label.Value}' twice in '{line}'");
                if (line[at] == ',')
                {
                    at++;
                }
            }
            at++;
        }
        Require(line[at] == ' ', number, $"no space before the value in '{line}'");
        string[] rest = line[(at + 1)..].Split(' ');
        Require(rest.Length is 1 or 2, number, $"trailing text in '{line}'");
        return new Sample(name.Value, labels, ParseValue(rest[0], number));
    }

    public static double ParseValue(string text, int number = 0) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new FormatException($"line {number}: bad value '{text}'"),
    };

    private static void Require(bool condition, int number, string problem)
    {
        if (!condition)
        {
            throw new FormatException($"line {number}: {problem}");
        }
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricNamePrefix();

    [GeneratedRegex("[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelNamePrefix();

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
