using System.Numerics;
using System.Runtime.CompilerServices;

namespace DprCluster.Text.Tokenization;

/// <summary>
/// A character trie over a WordPiece vocabulary for greedy longest-match. Edges live in one open-addressing hash
/// table keyed by (node, UTF-16 unit), so a step is a multiply, a shift and usually one probe. Read-only once built.
/// </summary>
internal sealed class WordPieceTrie
{
    /// <summary>The node of the empty string.</summary>
    public const int Root = 0;

    /// <summary>Returned by <see cref="Step"/> when no token continues that way.</summary>
    public const int None = -1;

    private readonly ulong[] _edgeKeys;
    private readonly int[] _edgeTargets;
    private readonly int[] _tokenIds;
    private readonly int _shift;

    public WordPieceTrie(IEnumerable<KeyValuePair<string, int>> vocabulary)
    {
        var edges = new Dictionary<ulong, int>();
        var tokenIds = new List<int> { None };
        foreach (var (token, id) in vocabulary)
        {
            var node = Root;
            foreach (var unit in token)
            {
                var key = EdgeKey(node, unit);
                if (!edges.TryGetValue(key, out var child))
                {
                    child = tokenIds.Count;
                    tokenIds.Add(None);
                    edges[key] = child;
                }

                node = child;
            }

            tokenIds[node] = id;
        }

        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, edges.Count * 2));
        _shift = 64 - BitOperations.Log2((uint)capacity);
        _edgeKeys = new ulong[capacity];
        _edgeTargets = new int[capacity];
        foreach (var (key, target) in edges)
        {
            var slot = SlotOf(key);
            while (_edgeKeys[slot] != 0)
            {
                slot = (slot + 1) & (capacity - 1);
            }

            _edgeKeys[slot] = key;
            _edgeTargets[slot] = target;
        }

        _tokenIds = [.. tokenIds];
    }

    /// <summary>The node reached from <paramref name="node"/> by <paramref name="unit"/>, or <see cref="None"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Step(int node, char unit)
    {
        var key = EdgeKey(node, unit);
        var mask = _edgeKeys.Length - 1;
        for (var slot = SlotOf(key); ; slot = (slot + 1) & mask)
        {
            var found = _edgeKeys[slot];
            if (found == key)
            {
                return _edgeTargets[slot];
            }

            if (found == 0)
            {
                return None;
            }
        }
    }

    /// <summary>The id of the token that ends at <paramref name="node"/>, or <see cref="None"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int TokenAt(int node) => _tokenIds[node];

    /// <summary>The node of <paramref name="prefix"/>, or <see cref="None"/> when no token starts with it.</summary>
    public int Walk(ReadOnlySpan<char> prefix)
    {
        var node = Root;
        foreach (var unit in prefix)
        {
            node = Step(node, unit);
            if (node == None)
            {
                return None;
            }
        }

        return node;
    }

    // Key 0 marks an empty slot, hence the +1.
    private static ulong EdgeKey(int node, char unit) => (((ulong)(uint)node << 16) | unit) + 1;

    private int SlotOf(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
}
