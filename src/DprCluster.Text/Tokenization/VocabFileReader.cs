using System.Text.Json;

namespace DprCluster.Text.Tokenization;

/// <summary>
/// Reads the classic BERT layout: <c>vocab.txt</c> (one token per line, id = line number) and, when present beside
/// it, the normaliser flags of <c>tokenizer_config.json</c>. Special tokens behave as Hugging Face's fast
/// tokenizer converts them: matched verbatim in the raw text, never split.
/// </summary>
internal static class VocabFileReader
{
    private static readonly string[] SpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    /// <summary>Reads a vocabulary file with explicit normaliser flags.</summary>
    public static TokenizerDefinition Read(string vocabPath, BertNormalization normalization)
    {
        var vocabulary = ReadVocabulary(vocabPath);
        foreach (var required in (ReadOnlySpan<string>)["[UNK]", "[CLS]", "[SEP]"])
        {
            if (!vocabulary.ContainsKey(required))
            {
                throw new TokenizerFormatException($"'{vocabPath}' has no {required} token; it is not a BERT vocabulary.");
            }
        }

        var addedTokens = SpecialTokens
            .Where(vocabulary.ContainsKey)
            .Select(token => new AddedToken(token, vocabulary[token], Normalized: false, LeftStrip: false, RightStrip: false))
            .ToList();
        return new TokenizerDefinition(
            vocabulary, "[UNK]", "##", 100, normalization, addedTokens,
            vocabulary["[CLS]"], vocabulary["[SEP]"], vocabulary.GetValueOrDefault("[PAD]"));
    }

    /// <summary>Normaliser flags from <c>tokenizer_config.json</c> (absent file or keys: BERT uncased defaults).</summary>
    public static BertNormalization ReadNormalization(string configPath, bool defaultLowercase)
    {
        if (!File.Exists(configPath))
        {
            return BertNormalization.Create(true, true, null, defaultLowercase);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(configPath));
            var root = document.RootElement;
            var lowercase = OptionalBool(root, "do_lower_case") ?? defaultLowercase;
            var chinese = OptionalBool(root, "tokenize_chinese_chars") ?? true;
            return BertNormalization.Create(true, chinese, OptionalBool(root, "strip_accents"), lowercase);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"'{configPath}' is not valid JSON: {e.Message}", e);
        }
    }

    private static Dictionary<string, int> ReadVocabulary(string vocabPath)
    {
        if (!File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"Vocabulary file '{vocabPath}' does not exist.", vocabPath);
        }

        // Like Hugging Face: trailing white space is trimmed and a repeated token keeps its last line number.
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var line in File.ReadLines(vocabPath))
        {
            vocabulary[line.TrimEnd()] = index++;
        }

        if (vocabulary.Count == 0)
        {
            throw new TokenizerFormatException($"Vocabulary file '{vocabPath}' is empty.");
        }

        return vocabulary;
    }

    private static bool? OptionalBool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;
}
