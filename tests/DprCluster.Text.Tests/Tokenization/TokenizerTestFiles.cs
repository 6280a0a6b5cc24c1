namespace DprCluster.Text.Tests.Tokenization;

/// <summary>Locates the golden set (in the repository) and the shared tokenizer (in ../shared beside it).</summary>
internal static class TokenizerTestFiles
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string GoldenSet => Path.Combine(Root.Value, "tests", "golden", "tokenizer", "golden.jsonl");

    public static string TokenizerDirectory =>
        Path.GetFullPath(Path.Combine(Root.Value, "..", "shared", "models", "bert-base-uncased-tokenizer"));

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DprCluster.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No DprCluster.sln above {AppContext.BaseDirectory}.");
    }
}
