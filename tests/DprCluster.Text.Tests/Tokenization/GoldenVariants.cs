using System.Text.Json.Nodes;

namespace DprCluster.Text.Tests.Tokenization;

/// <summary>
/// Builds the tokenizer.json variants of tests/golden/tokenizer/variants.json the way generate-golden.mjs does:
/// the shared tokenizer.json with normalizer fields replaced and added tokens appended.
/// </summary>
internal static class GoldenVariants
{
    /// <summary>Writes the variant into <paramref name="directory"/> and returns the tokenizer.json path.</summary>
    public static string Write(string variant, string directory)
    {
        var variants = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(TokenizerTestFiles.GoldenSet)!, "variants.json")))!;
        var changes = variants[variant]?.AsObject() ?? throw new InvalidDataException($"No variant '{variant}'.");
        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerTestFiles.TokenizerDirectory, "tokenizer.json")))!.AsObject();
        if (changes.TryGetPropertyValue("normalizer", out var normalizer))
        {
            if (normalizer is null)
            {
                tokenizer["normalizer"] = null;
            }
            else
            {
                foreach (var (name, value) in normalizer.AsObject())
                {
                    tokenizer["normalizer"]![name] = value?.DeepClone();
                }
            }
        }

        if (changes["added_tokens"] is JsonArray added)
        {
            foreach (var token in added)
            {
                tokenizer["added_tokens"]!.AsArray().Add(token?.DeepClone());
            }
        }

        var path = Path.Combine(directory, "tokenizer.json");
        File.WriteAllText(path, tokenizer.ToJsonString());
        return path;
    }
}
