namespace DprCluster.Core.Passages;

/// <summary>
/// What every stored passage obeys: checked by the shard before a write is logged, so whatever is acknowledged replays
/// unchanged, and by the REST layer and the coordinator first, for an early error that names the field. Strings are
/// measured in UTF-8 bytes (as the log stores them) and must be well-formed UTF-16: a lone surrogate would come back as
/// U+FFFD after a restart.
/// </summary>
/// <remarks>
/// Passage ids: 1 to <see cref="MaxIdBytes"/> bytes of UTF-8, any characters but control characters (U+0000–U+001F,
/// U+007F–U+009F), <c>/</c> and <c>\</c>, and neither <c>.</c> nor <c>..</c> — so that every id reaches
/// <c>GET</c>/<c>DELETE /v1/passages/{id}</c> once percent-encoded.
/// </remarks>
public static class PassageLimits
{
    /// <summary>Most UTF-8 bytes of an id.</summary>
    public const int MaxIdBytes = 256;

    /// <summary>Most UTF-8 bytes of a title.</summary>
    public const int MaxTitleBytes = 4 * 1024;

    /// <summary>Most UTF-8 bytes of a text.</summary>
    public const int MaxTextBytes = 128 * 1024;

    /// <summary>Most metadata pairs.</summary>
    public const int MaxMetadataPairs = 64;

    /// <summary>Most UTF-8 bytes of a metadata key (keys are non-empty, without control characters).</summary>
    public const int MaxMetadataKeyBytes = 128;

    /// <summary>Most UTF-8 bytes of a metadata value.</summary>
    public const int MaxMetadataValueBytes = 4 * 1024;

    /// <summary>Most UTF-8 bytes of all metadata keys and values together.</summary>
    public const int MaxMetadataBytes = 16 * 1024;

    /// <summary>Largest L2 norm of a stored vector: dot products of two such vectors stay far inside float range.</summary>
    public const float MaxVectorNorm = 1e6f;

    /// <summary>Null when <paramref name="id"/> is a valid passage id, else what is wrong with it.</summary>
    public static string? CheckId(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "the passage id is missing or empty";
        }
        if (id is "." or "..")
        {
            return $"the passage id '{id}' is reserved ('.' and '..' cannot be addressed in a URL)";
        }
        foreach (char c in id)
        {
            if (char.IsControl(c))
            {
                return $"the passage id contains the control character U+{(int)c:X4}";
            }
            if (c is '/' or '\\')
            {
                return $"the passage id contains '{c}', which cannot be addressed in a URL";
            }
        }
        return Utf8Bytes(id) is not int bytes ? "the passage id is not well-formed UTF-16 (a lone surrogate)"
            : bytes > MaxIdBytes ? $"the passage id has {bytes} bytes of UTF-8; the limit is {MaxIdBytes}"
            : null;
    }

    /// <summary>Null when the passage's id, title, text and metadata are within the limits, else the first problem.</summary>
    public static string? CheckPassage(string? id, string? title, string? text, IReadOnlyDictionary<string, string>? metadata)
    {
        if (CheckId(id) is { } badId)
        {
            return badId;
        }
        if (text is null)
        {
            return $"passage '{id}' has no text";
        }
        if (CheckString(title ?? string.Empty, "title", MaxTitleBytes) is { } badTitle)
        {
            return $"passage '{id}': {badTitle}";
        }
        if (CheckString(text, "text", MaxTextBytes) is { } badText)
        {
            return $"passage '{id}': {badText}";
        }
        if (metadata is null)
        {
            return null;
        }
        if (metadata.Count > MaxMetadataPairs)
        {
            return $"passage '{id}' has {metadata.Count} metadata pairs; the limit is {MaxMetadataPairs}";
        }
        long total = 0;
        foreach ((string key, string value) in metadata)
        {
            if (string.IsNullOrEmpty(key) || value is null)
            {
                return $"passage '{id}': metadata needs non-empty keys and string values";
            }
            foreach (char c in key)
            {
                if (char.IsControl(c))
                {
                    return $"passage '{id}': a metadata key contains the control character U+{(int)c:X4}";
                }
            }
            if (CheckString(key, "a metadata key", MaxMetadataKeyBytes) is { } badKey)
            {
                return $"passage '{id}': {badKey}";
            }
            if (CheckString(value, $"metadata '{key}'", MaxMetadataValueBytes) is { } badValue)
            {
                return $"passage '{id}': {badValue}";
            }
            total += Utf8Bytes(key)!.Value + Utf8Bytes(value)!.Value;
        }
        return total > MaxMetadataBytes ? $"passage '{id}' has {total} bytes of metadata; the limit is {MaxMetadataBytes}" : null;
    }

    /// <summary>Null when every component is finite and the L2 norm at most <see cref="MaxVectorNorm"/>, else the problem.</summary>
    public static string? CheckVector(ReadOnlySpan<float> vector)
    {
        double squares = 0;
        foreach (float value in vector)
        {
            if (!float.IsFinite(value))
            {
                return "the vector has NaN or infinite values";
            }
            squares += (double)value * value;
        }
        return Math.Sqrt(squares) > MaxVectorNorm ? $"the vector's norm {Math.Sqrt(squares):G3} is above {MaxVectorNorm:G3}" : null;
    }

    private static string? CheckString(string value, string name, int limit) =>
        Utf8Bytes(value) is not int bytes ? $"{name} is not well-formed UTF-16 (a lone surrogate)"
        : bytes > limit ? $"{name} has {bytes} bytes of UTF-8; the limit is {limit}"
        : null;

    /// <summary>UTF-8 length of <paramref name="value"/>, or null when it holds a lone surrogate.</summary>
    private static int? Utf8Bytes(string value)
    {
        int bytes = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                bytes += 4;
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return null;
            }
            else
            {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }
        return bytes;
    }
}
