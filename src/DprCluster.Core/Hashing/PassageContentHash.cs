namespace DprCluster.Core.Hashing;

/// <summary>
/// A 64-bit fingerprint of what a passage says — title, text and metadata (in key order) — stable across processes:
/// FNV-1a over their UTF-8, each field preceded by its length. Writes use it to
/// skip passages a shard already holds unchanged, so a resent batch is not encoded again; two different passages
/// share a fingerprint with probability about 2^-64.
/// </summary>
public static class PassageContentHash
{
    private const ulong OffsetBasis = 0xcbf29ce484222325UL;

    /// <summary>The fingerprint of (title, text, metadata).</summary>
    public static ulong Of(string title, string text, IReadOnlyDictionary<string, string>? metadata)
    {
        ulong hash = Field(OffsetBasis, title);
        hash = Field(hash, text);
        if (metadata is { Count: > 0 })
        {
            var keys = new string[metadata.Count];
            int i = 0;
            foreach (string key in metadata.Keys)
            {
                keys[i++] = key;
            }
            Array.Sort(keys, StringComparer.Ordinal);
            foreach (string key in keys)
            {
                hash = Field(Field(hash, key), metadata[key]);
            }
        }
        return hash;
    }

    // Each field is preceded by its length, so no choice of characters inside one can make two passages hash alike.
    private static ulong Field(ulong hash, string value)
    {
        Span<char> length = stackalloc char[12];
        value.Length.TryFormat(length, out int written, provider: System.Globalization.CultureInfo.InvariantCulture);
        length[written++] = ':';
        return PassageIdHash.Append(PassageIdHash.Append(hash, length[..written]), value);
    }
}
