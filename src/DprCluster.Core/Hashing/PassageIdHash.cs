using System.Buffers;
using System.Text;

namespace DprCluster.Core.Hashing;

/// <summary>
/// A hash of passage ids that never changes across processes, runs or platforms (unlike <c>string.GetHashCode</c>):
/// 64-bit FNV-1a over the id's UTF-8 bytes (ill-formed UTF-16 encodes as U+FFFD). The cluster places passage
/// <c>id</c> on shard <c>ShardOf(id, S)</c>; other languages reproduce it from this definition.
/// </summary>
public static class PassageIdHash
{
    private const ulong OffsetBasis = 0xcbf29ce484222325UL;
    private const ulong Prime = 0x100000001b3UL;

    /// <summary>64-bit FNV-1a of the UTF-8 encoding of <paramref name="id"/>.</summary>
    public static ulong Hash64(ReadOnlySpan<char> id) => Append(OffsetBasis, id);

    /// <summary>Continues the FNV-1a <paramref name="hash"/> over the UTF-8 encoding of <paramref name="id"/>.</summary>
    internal static ulong Append(ulong hash, ReadOnlySpan<char> id)
    {
        Span<byte> utf8 = stackalloc byte[4];
        while (!id.IsEmpty)
        {
            char c = id[0];
            if (c < 0x80)
            {
                hash = (hash ^ c) * Prime;
                id = id[1..];
                continue;
            }
            OperationStatus status = Rune.DecodeFromUtf16(id, out Rune rune, out int consumed);
            if (status != OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
                consumed = Math.Max(consumed, 1);
            }
            int length = rune.EncodeToUtf8(utf8);
            for (int i = 0; i < length; i++)
            {
                hash = (hash ^ utf8[i]) * Prime;
            }
            id = id[consumed..];
        }
        return hash;
    }

    /// <summary>The shard in [0, <paramref name="shardCount"/>) that owns <paramref name="id"/>.</summary>
    public static int ShardOf(ReadOnlySpan<char> id, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        return (int)(Hash64(id) % (ulong)shardCount);
    }
}
