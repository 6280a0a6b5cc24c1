using System.Text;

namespace DprCluster.Text.Tokenization;

/// <summary>
/// Hugging Face's <c>BertPreTokenizer</c> fused with WordPiece: splits normalised text on white space (dropped)
/// and punctuation (kept as one-character words) and hands each word to the model. Immutable and thread-safe.
/// </summary>
internal sealed class BertPreTokenizer
{
    private readonly BertCharacterTable _table;
    private readonly CharacterClass[] _asciiClasses = new CharacterClass[128];

    public BertPreTokenizer(BertCharacterTable table)
    {
        _table = table;
        for (var c = 0; c < 128; c++)
        {
            _asciiClasses[c] = table.Classify(c) & (CharacterClass.Whitespace | CharacterClass.Punctuation);
        }
    }

    /// <summary>Appends the WordPiece ids of all words in <paramref name="normalized"/>.</summary>
    public void AppendIds(ReadOnlySpan<char> normalized, WordPieceModel model, ref GrowableBuffer<int> ids)
    {
        var wordStart = -1;
        var i = 0;
        while (i < normalized.Length)
        {
            var unit = normalized[i];
            var width = 1;
            CharacterClass cls;
            if (unit < 128)
            {
                cls = _asciiClasses[unit];
            }
            else
            {
                Rune.DecodeFromUtf16(normalized[i..], out var rune, out width);
                cls = _table.Classify(rune.Value);
            }

            if ((cls & (CharacterClass.Whitespace | CharacterClass.Punctuation)) != 0)
            {
                if (wordStart >= 0)
                {
                    model.AppendWord(normalized[wordStart..i], ref ids);
                    wordStart = -1;
                }

                if ((cls & CharacterClass.Whitespace) == 0)
                {
                    model.AppendWord(normalized.Slice(i, width), ref ids);
                }
            }
            else if (wordStart < 0)
            {
                wordStart = i;
            }

            i += width;
        }

        if (wordStart >= 0)
        {
            model.AppendWord(normalized[wordStart..], ref ids);
        }
    }
}
