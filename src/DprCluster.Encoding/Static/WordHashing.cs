namespace DprCluster.Encoders.Static;

/// <summary>
/// Feature hashing of words (Weinberger et al., 2009): a word's bucket in [0, dimensions) and its sign ±1, so two
/// texts' hashed vectors meet in their shared words, words no table lists included, and a collision of two different
/// words is as likely to cancel as to add. FNV-1a over the characters, finished with SplitMix64's mixer: the same bucket
/// on every machine and runtime (string.GetHashCode is randomised per process).
/// </summary>
public static class WordHashing
{
    /// <summary>The bucket of <paramref name="word"/> among <paramref name="dimensions"/>, and its sign.</summary>
    public static int BucketOf(ReadOnlySpan<char> word, int dimensions, out float sign)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ulong hash = 14695981039346656037UL;
        foreach (char c in word)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        hash ^= hash >> 31;
        sign = (hash & 1) == 0 ? 1f : -1f;
        return (int)((hash >> 1) % (ulong)dimensions);
    }
}
