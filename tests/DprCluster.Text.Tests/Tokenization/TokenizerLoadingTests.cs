using System.Text.Json.Nodes;
using DprCluster.Text.Tokenization;

namespace DprCluster.Text.Tests.Tokenization;

/// <summary>Loading from directories, vocab.txt and tokenizer.json, and clear errors for bad files.</summary>
public sealed class TokenizerLoadingTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("dprcluster-tokenizer-");

    private static string SharedVocab => Path.Combine(TokenizerTestFiles.TokenizerDirectory, "vocab.txt");

    private static string SharedJson => Path.Combine(TokenizerTestFiles.TokenizerDirectory, "tokenizer.json");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void DirectoryWithOnlyVocabUsesTokenizerConfigFlags()
    {
        File.Copy(SharedVocab, Path.Combine(_directory.FullName, "vocab.txt"));
        const string text = "Héllo WORLD";
        var uncased = BertTokenizer.FromDirectory(_directory.FullName).Encode(text);
        Assert.Equal(BertTokenizer.FromTokenizerJson(SharedJson).Encode(text), uncased);

        File.WriteAllText(Path.Combine(_directory.FullName, "tokenizer_config.json"), """{"do_lower_case": false}""");
        var cased = BertTokenizer.FromDirectory(_directory.FullName).Encode(text);
        Assert.Equal(BertTokenizer.FromVocabFile(SharedVocab, lowerCase: false).Encode(text), cased);
        Assert.NotEqual(uncased, cased);
    }

    [Fact]
    public void MissingLocationsNameThePath()
    {
        var missing = Path.Combine(_directory.FullName, "nope");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => BertTokenizer.FromDirectory(missing)).Message);
        Assert.Throws<FileNotFoundException>(() => BertTokenizer.FromDirectory(_directory.FullName));
        Assert.Throws<FileNotFoundException>(() => BertTokenizer.FromVocabFile(Path.Combine(missing, "vocab.txt")));
        Assert.Throws<FileNotFoundException>(() => BertTokenizer.FromTokenizerJson(Path.Combine(missing, "tokenizer.json")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello\nworld\n")]
    public void VocabularyWithoutBertSpecialTokensIsRejected(string content)
    {
        var path = Path.Combine(_directory.FullName, "vocab.txt");
        File.WriteAllText(path, content);
        Assert.Throws<TokenizerFormatException>(() => BertTokenizer.FromVocabFile(path));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[]")]
    [InlineData("{}")]
    public void MalformedTokenizerJsonIsRejected(string content)
    {
        var path = Path.Combine(_directory.FullName, "tokenizer.json");
        File.WriteAllText(path, content);
        Assert.Throws<TokenizerFormatException>(() => BertTokenizer.FromTokenizerJson(path));
    }

    [Theory]
    [InlineData("model", "type", "BPE")]
    [InlineData("normalizer", "type", "NFKC")]
    [InlineData("pre_tokenizer", "type", "Whitespace")]
    [InlineData("post_processor", "type", "RobertaProcessing")]
    [InlineData("model", "unk_token", "[NOT-THERE]")]
    public void UnsupportedPipelinesAreRejectedByName(string section, string field, string value)
    {
        var json = JsonNode.Parse(File.ReadAllText(SharedJson))!;
        json[section]![field] = value;
        var path = Path.Combine(_directory.FullName, "tokenizer.json");
        File.WriteAllText(path, json.ToJsonString());
        var error = Assert.Throws<TokenizerFormatException>(() => BertTokenizer.FromTokenizerJson(path));
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public void PairTemplateOtherThanBertsIsRejected()
    {
        var json = JsonNode.Parse(File.ReadAllText(SharedJson))!;
        json["post_processor"]!["pair"]!.AsArray().RemoveAt(4);
        var path = Path.Combine(_directory.FullName, "tokenizer.json");
        File.WriteAllText(path, json.ToJsonString());
        Assert.Throws<TokenizerFormatException>(() => BertTokenizer.FromTokenizerJson(path));
    }
}
