using System.Text;

namespace DprCluster.Silo.Telemetry;

/// <summary>
/// OpenTelemetry names in Prometheus form, following the OpenTelemetry-to-Prometheus compatibility rules: characters
/// outside <c>[a-zA-Z0-9_:]</c> become <c>_</c>, the unit becomes a suffix (<c>s</c> → <c>_seconds</c>, <c>By</c> →
/// <c>_bytes</c>, annotations such as <c>{passage}</c> are dropped), and monotonic counters end in <c>_total</c>.
/// </summary>
public static class PrometheusNames
{
    /// <summary>The Prometheus metric family name of an instrument.</summary>
    /// <param name="name">OpenTelemetry instrument name, e.g. <c>dprcluster.search.duration</c>.</param>
    /// <param name="unit">UCUM unit, e.g. <c>s</c>, <c>By</c>, <c>{request}</c>; may be empty.</param>
    /// <param name="counter">True for monotonic sums, which get <c>_total</c>.</param>
    /// <param name="gauge">True for gauges, where the unit <c>1</c> becomes <c>_ratio</c>.</param>
    public static string Metric(string name, string? unit, bool counter, bool gauge)
    {
        string result = Sanitize(name, allowColon: true);
        string suffix = UnitSuffix(unit, gauge);
        if (suffix.Length > 0 && !result.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            result += "_" + suffix;
        }
        if (counter && !result.EndsWith("_total", StringComparison.Ordinal))
        {
            result += "_total";
        }
        return result;
    }

    /// <summary>A label name: invalid characters become <c>_</c>, and a leading digit gets a <c>key_</c> prefix.</summary>
    public static string Label(string key)
    {
        string result = Sanitize(key, allowColon: false);
        return result.Length > 0 && char.IsAsciiDigit(result[0]) ? "key_" + result : result;
    }

    /// <summary>The name suffix for a UCUM unit; empty for none, dimensionless counts and annotations.</summary>
    public static string UnitSuffix(string? unit, bool gauge)
    {
        if (string.IsNullOrEmpty(unit))
        {
            return "";
        }
        int slash = unit.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            // Annotations ({request}, {passage}) carry no unit: "{request}/s" is a rate with nothing over it.
            string over = UnitWord(StripAnnotations(unit[..slash]));
            string per = PerWord(StripAnnotations(unit[(slash + 1)..]));
            return per.Length == 0 ? over : over.Length == 0 ? "per_" + per : over + "_per_" + per;
        }
        string bare = StripAnnotations(unit);
        if (bare == "1")
        {
            return gauge ? "ratio" : "";
        }
        return UnitWord(bare);
    }

    private static string UnitWord(string unit) => unit switch
    {
        "" => "",
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "KBy" => "kilobytes",
        "MBy" => "megabytes",
        "GBy" => "gigabytes",
        "%" => "percent",
        "Hz" => "hertz",
        "Cel" => "celsius",
        _ => Sanitize(unit, allowColon: false),
    };

    private static string PerWord(string unit) => unit switch
    {
        "s" => "second",
        "m" => "minute",
        "h" => "hour",
        "d" => "day",
        _ => UnitWord(unit),
    };

    private static string StripAnnotations(string unit)
    {
        var bare = new StringBuilder(unit.Length);
        int depth = 0;
        foreach (char c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}')
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0)
            {
                bare.Append(c);
            }
        }
        return bare.ToString();
    }

    private static string Sanitize(string text, bool allowColon)
    {
        var result = new StringBuilder(text.Length + 1);
        bool underscore = false;
        foreach (char c in text)
        {
            bool valid = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            char next = valid ? c : '_';
            // Runs of replaced characters collapse into one underscore, as the compatibility rules ask.
            if (next == '_' && underscore)
            {
                continue;
            }
            underscore = next == '_';
            result.Append(next);
        }
        if (result.Length > 0 && char.IsAsciiDigit(result[0]) && allowColon)
        {
            result.Insert(0, '_');
        }
        return result.ToString();
    }
}
