using System.Text.Json;

namespace DprCluster.Text.Tokenization;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> whose pipeline is BERT's: WordPiece model, BertNormalizer (or none),
/// BertPreTokenizer, and a <c>[CLS] A [SEP] B [SEP]</c> post-processor. Its truncation and padding sections are
/// ignored: <see cref="TokenizerOptions"/> decide those per call.
/// </summary>
internal static class TokenizerJsonReader
{
    /// <summary>Reads and validates the file.</summary>
    public static TokenizerDefinition Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Tokenizer file '{path}' does not exist.", path);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return Read(document.RootElement, path);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"'{path}' is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new TokenizerFormatException($"'{path}' is not a tokenizer.json this tokenizer understands: {e.Message}", e);
        }
    }

    private static TokenizerDefinition Read(JsonElement root, string path)
    {
        var model = Required(root, "model", path);
        var modelType = OptionalString(model, "type") ?? "WordPiece";
        if (modelType != "WordPiece")
        {
            throw new TokenizerFormatException($"'{path}': model type '{modelType}' is not supported; only WordPiece is.");
        }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in Required(model, "vocab", path).EnumerateObject())
        {
            vocabulary[entry.Name] = entry.Value.GetInt32();
        }

        var addedTokens = ReadAddedTokens(root, vocabulary, path);
        var allTokens = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        foreach (var token in addedTokens)
        {
            allTokens[token.Content] = token.Id;
        }

        var (clsId, sepId) = ReadPostProcessor(root, allTokens, path);
        return new TokenizerDefinition(
            vocabulary,
            OptionalString(model, "unk_token") ?? "[UNK]",
            OptionalString(model, "continuing_subword_prefix") ?? "##",
            model.TryGetProperty("max_input_chars_per_word", out var maxChars) ? maxChars.GetInt32() : 100,
            ReadNormalization(root, path),
            addedTokens,
            clsId,
            sepId,
            ReadPadId(root, allTokens));
    }

    private static BertNormalization ReadNormalization(JsonElement root, string path)
    {
        if (!root.TryGetProperty("normalizer", out var normalizer) || normalizer.ValueKind == JsonValueKind.Null)
        {
            return new BertNormalization(false, false, false, false);
        }

        var type = OptionalString(normalizer, "type");
        if (type != "BertNormalizer")
        {
            throw new TokenizerFormatException($"'{path}': normalizer '{type}' is not supported; only BertNormalizer is.");
        }

        return BertNormalization.Create(
            OptionalBool(normalizer, "clean_text") ?? true,
            OptionalBool(normalizer, "handle_chinese_chars") ?? true,
            OptionalBool(normalizer, "strip_accents"),
            OptionalBool(normalizer, "lowercase") ?? true);
    }

    private static List<AddedToken> ReadAddedTokens(JsonElement root, Dictionary<string, int> vocabulary, string path)
    {
        var preTokenizer = root.TryGetProperty("pre_tokenizer", out var p) && p.ValueKind == JsonValueKind.Object
            ? OptionalString(p, "type")
            : null;
        if (preTokenizer != "BertPreTokenizer")
        {
            throw new TokenizerFormatException(
                $"'{path}': pre-tokenizer '{preTokenizer ?? "none"}' is not supported; only BertPreTokenizer is.");
        }

        var tokens = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return tokens;
        }

        // Hugging Face ignores the ids written in the file: a token keeps its vocabulary id, and new contents are
        // numbered from the vocabulary size in file order.
        var assigned = new Dictionary<string, int>(StringComparer.Ordinal);
        var nextId = vocabulary.Count;
        foreach (var entry in list.EnumerateArray())
        {
            var content = OptionalString(entry, "content") ?? throw new TokenizerFormatException($"'{path}': an added token has no content.");
            if (OptionalBool(entry, "single_word") == true)
            {
                throw new TokenizerFormatException($"'{path}': added token '{content}' is single_word, which is not supported.");
            }

            if (content.Length == 0)
            {
                continue;
            }

            if (!assigned.TryGetValue(content, out var id) && !vocabulary.TryGetValue(content, out id))
            {
                id = nextId++;
            }

            assigned[content] = id;
            tokens.Add(new AddedToken(
                content,
                id,
                OptionalBool(entry, "normalized") ?? !(OptionalBool(entry, "special") ?? false),
                OptionalBool(entry, "lstrip") ?? false,
                OptionalBool(entry, "rstrip") ?? false));
        }

        return tokens;
    }

    private static (int ClsId, int SepId) ReadPostProcessor(JsonElement root, Dictionary<string, int> tokens, string path)
    {
        if (!root.TryGetProperty("post_processor", out var processor) || processor.ValueKind != JsonValueKind.Object)
        {
            throw new TokenizerFormatException($"'{path}' has no post-processor; a BERT tokenizer adds [CLS] and [SEP].");
        }

        var type = OptionalString(processor, "type");
        switch (type)
        {
            case "BertProcessing":
                return (Required(processor, "cls", path)[1].GetInt32(), Required(processor, "sep", path)[1].GetInt32());
            case "TemplateProcessing":
                var single = TemplateShape(Required(processor, "single", path));
                var pair = TemplateShape(Required(processor, "pair", path));
                if (single.Length != 3 || pair.Length != 5 || single[1] != "$A:0" || pair[1] != "$A:0" || pair[3] != "$B:1"
                    || single[0] != pair[0] || single[2] != pair[2] || !single[0].EndsWith(":0", StringComparison.Ordinal)
                    || !single[2].EndsWith(":0", StringComparison.Ordinal) || pair[4] != single[2][..^2] + ":1")
                {
                    throw new TokenizerFormatException(
                        $"'{path}': the pair template is '{string.Join(' ', pair)}'; only BERT's '[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1' is supported.");
                }

                return (SpecialTokenId(processor, single[0][..^2], tokens, path), SpecialTokenId(processor, single[2][..^2], tokens, path));
            default:
                throw new TokenizerFormatException($"'{path}': post-processor '{type}' is not supported.");
        }
    }

    // Renders a template as "[CLS]:0 $A:0 [SEP]:0 ...": each piece with its type id.
    private static string[] TemplateShape(JsonElement template) =>
        [.. template.EnumerateArray().Select(piece =>
            piece.TryGetProperty("SpecialToken", out var special)
                ? $"{special.GetProperty("id").GetString()}:{special.GetProperty("type_id").GetInt32()}"
                : $"${piece.GetProperty("Sequence").GetProperty("id").GetString()}:{piece.GetProperty("Sequence").GetProperty("type_id").GetInt32()}")];

    private static int SpecialTokenId(JsonElement processor, string name, Dictionary<string, int> tokens, string path)
    {
        if (processor.TryGetProperty("special_tokens", out var specials) && specials.TryGetProperty(name, out var special)
            && special.TryGetProperty("ids", out var ids) && ids.GetArrayLength() == 1)
        {
            return ids[0].GetInt32();
        }

        return tokens.TryGetValue(name, out var id) ? id
            : throw new TokenizerFormatException($"'{path}': special token '{name}' has no id.");
    }

    private static int ReadPadId(JsonElement root, Dictionary<string, int> tokens) =>
        root.TryGetProperty("padding", out var padding) && padding.ValueKind == JsonValueKind.Object
            && padding.TryGetProperty("pad_id", out var padId)
            ? padId.GetInt32()
            : tokens.GetValueOrDefault("[PAD]");

    private static JsonElement Required(JsonElement element, string name, string path) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new TokenizerFormatException($"'{path}': '{name}' is missing.");

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? OptionalBool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;
}
