using System.Globalization;

namespace DprCluster.Core.Storage;

/// <summary>
/// Names of shard files that carry a log sequence number, <c>&lt;prefix&gt;&lt;20-digit lsn&gt;&lt;suffix&gt;</c>
/// (<c>wal-…log</c>, <c>snapshot-…bin</c>): zero-padded so they also sort by name.
/// </summary>
/// <param name="Prefix">Text before the LSN, e.g. <c>wal-</c>.</param>
/// <param name="Suffix">Text after the LSN, e.g. <c>.log</c>.</param>
public readonly record struct LsnFileName(string Prefix, string Suffix)
{
    /// <summary>The file name for <paramref name="lsn"/>.</summary>
    public string Format(long lsn) => Prefix + lsn.ToString("D20", CultureInfo.InvariantCulture) + Suffix;

    /// <summary>The matching files of <paramref name="directory"/> with their LSNs, in ascending LSN order.</summary>
    public List<(string Path, long Lsn)> List(string directory)
    {
        var found = new List<(string Path, long Lsn)>();
        if (!Directory.Exists(directory))
        {
            return found;
        }
        foreach (string path in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            string name = Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), NumberStyles.None,
                    CultureInfo.InvariantCulture, out long lsn))
            {
                found.Add((path, lsn));
            }
        }
        found.Sort((a, b) => a.Lsn.CompareTo(b.Lsn));
        return found;
    }
}
