using System.Globalization;

namespace DprCluster.Text.Tokenization;

/// <summary>
/// Lookup tables for <see cref="BertCharacterData"/>: a two-stage class table over all code points plus the
/// lower-case, decomposition and combining-rank maps. Built once, read-only afterwards, so safe to share.
/// </summary>
internal sealed class BertCharacterTable
{
    private const int BlockBits = 8;
    private const int BlockSize = 1 << BlockBits;
    private const int CodePointCount = 0x110000;

    // Hangul syllables decompose arithmetically (Unicode §3.12), so they are not listed in the data.
    private const int HangulFirst = 0xAC00;
    private const int HangulLast = 0xD7A3;
    private const int LeadingBase = 0x1100;
    private const int VowelBase = 0x1161;
    private const int TrailingBase = 0x11A7;
    private const int VowelCount = 21;
    private const int TrailingCount = 28;

    // Declared before Shared: static initialisers run in text order.
    // The CJK blocks Hugging Face's BertNormalizer pads with spaces (handle_chinese_chars).
    private static readonly (int First, int Last)[] ChineseRanges =
    [
        (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F), (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
    ];

    private readonly ushort[] _blockOf;
    private readonly CharacterClass[] _blocks;
    private readonly Dictionary<int, int[]> _lowercase;
    private readonly Dictionary<int, int[]> _decompositions;
    private readonly Dictionary<int, byte> _combiningRanks;

    private BertCharacterTable()
    {
        var classes = new CharacterClass[CodePointCount];
        foreach (var (first, last, value) in ParseRanges(BertCharacterData.Classes))
        {
            classes.AsSpan(first, last - first + 1).Fill((CharacterClass)value);
        }

        foreach (var (first, last) in ChineseRanges)
        {
            for (var cp = first; cp <= last; cp++)
            {
                classes[cp] |= CharacterClass.Chinese;
            }
        }

        _lowercase = ParseMappings(BertCharacterData.Lowercase);
        _decompositions = ParseMappings(BertCharacterData.Decompositions);
        _combiningRanks = [];
        foreach (var (codePoint, rank) in ParseMappings(BertCharacterData.CombiningRanks))
        {
            _combiningRanks[codePoint] = checked((byte)rank[0]);
            classes[codePoint] |= CharacterClass.NonStarter;
        }

        foreach (var codePoint in _lowercase.Keys)
        {
            classes[codePoint] |= CharacterClass.HasLowercase;
        }

        foreach (var codePoint in _decompositions.Keys)
        {
            classes[codePoint] |= CharacterClass.HasDecomposition;
        }

        for (var cp = HangulFirst; cp <= HangulLast; cp++)
        {
            classes[cp] |= CharacterClass.HasDecomposition;
        }

        (_blockOf, _blocks) = Compress(classes);
    }

    /// <summary>The table built from the generated data.</summary>
    public static BertCharacterTable Shared { get; } = new();

    /// <summary>The class of a code point (0 to 0x10FFFF).</summary>
    public CharacterClass Classify(int codePoint) =>
        _blocks[(_blockOf[codePoint >> BlockBits] << BlockBits) | (codePoint & (BlockSize - 1))];

    /// <summary>The lower-case form of a code point classed <see cref="CharacterClass.HasLowercase"/>.</summary>
    public ReadOnlySpan<int> LowercaseOf(int codePoint) => _lowercase[codePoint];

    /// <summary>Appends the full canonical decomposition of a code point.</summary>
    public void AppendDecomposition(int codePoint, ref GrowableBuffer<int> output)
    {
        if (codePoint is >= HangulFirst and <= HangulLast)
        {
            var index = codePoint - HangulFirst;
            output.Add(LeadingBase + (index / (VowelCount * TrailingCount)));
            output.Add(VowelBase + (index % (VowelCount * TrailingCount) / TrailingCount));
            if (index % TrailingCount != 0)
            {
                output.Add(TrailingBase + (index % TrailingCount));
            }
        }
        else if (_decompositions.TryGetValue(codePoint, out var parts))
        {
            output.AddRange(parts);
        }
        else
        {
            output.Add(codePoint);
        }
    }

    /// <summary>Canonical combining order of a non-starter (higher sorts later); 0 for starters.</summary>
    public int CombiningRank(int codePoint) => _combiningRanks.GetValueOrDefault(codePoint);

    private static (ushort[] BlockOf, CharacterClass[] Blocks) Compress(CharacterClass[] classes)
    {
        var blockOf = new ushort[CodePointCount / BlockSize];
        var distinct = new List<CharacterClass[]>();
        var byContent = new Dictionary<string, int>();
        for (var block = 0; block < blockOf.Length; block++)
        {
            var content = classes.AsSpan(block * BlockSize, BlockSize);
            var key = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(content));
            if (!byContent.TryGetValue(key, out var index))
            {
                index = distinct.Count;
                byContent[key] = index;
                distinct.Add(content.ToArray());
            }

            blockOf[block] = checked((ushort)index);
        }

        var blocks = new CharacterClass[distinct.Count * BlockSize];
        for (var i = 0; i < distinct.Count; i++)
        {
            distinct[i].CopyTo(blocks, i * BlockSize);
        }

        return (blockOf, blocks);
    }

    private static IEnumerable<(int First, int Last, int Value)> ParseRanges(string records)
    {
        foreach (var record in records.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = record.IndexOf(':');
            var range = record[..colon];
            var dash = range.IndexOf('-');
            var first = ParseHex(dash < 0 ? range : range[..dash]);
            var last = dash < 0 ? first : ParseHex(range[(dash + 1)..]);
            yield return (first, last, int.Parse(record[(colon + 1)..], CultureInfo.InvariantCulture));
        }
    }

    private static Dictionary<int, int[]> ParseMappings(string records)
    {
        var mappings = new Dictionary<int, int[]>();
        foreach (var record in records.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = record.IndexOf(':');
            var values = record[(colon + 1)..].Split('.');
            mappings[ParseHex(record[..colon])] = Array.ConvertAll(values, ParseHex);
        }

        return mappings;
    }

    private static int ParseHex(string text) => int.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
