using System.Globalization;

namespace DprCluster.Training.Negatives;

/// <summary>
/// Which passages each question is contrasted with besides its positive: the batch's other passages (DPR's free
/// in-batch negatives), <see cref="Bm25"/> hard negatives drawn from its BM25 top <see cref="Bm25Pool"/> non-positives,
/// and <see cref="Random"/> uniformly drawn passages. Written <c>in-batch,bm25:N,random:N</c>.
/// </summary>
public sealed record NegativeOptions(bool InBatch, int Bm25, int Random)
{
    /// <summary>How deep in a question's BM25 ranking its hard negatives are drawn from, fresh each epoch.</summary>
    public const int Bm25Pool = 20;

    /// <summary>DPR's recipe: in-batch negatives and one BM25 hard negative per question.</summary>
    public static NegativeOptions Default { get; } = new(InBatch: true, Bm25: 1, Random: 0);

    /// <summary>Parses <c>in-batch,bm25:N,random:N</c> (any subset, any order); throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static NegativeOptions Parse(string text)
    {
        bool inBatch = false;
        int bm25 = 0;
        int random = 0;
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = part.Split(':', 2);
            switch (kv[0].ToLowerInvariant())
            {
                case "in-batch" when kv.Length == 1:
                    inBatch = true;
                    break;
                case "bm25" when kv.Length == 2:
                    bm25 = Count(kv[1], part, NegativeOptions.Bm25Pool);
                    break;
                case "random" when kv.Length == 2:
                    random = Count(kv[1], part, 1000);
                    break;
                default:
                    throw new FormatException($"Unknown negatives '{part}'; use in-batch, bm25:N and random:N, separated by commas.");
            }
        }
        if (!inBatch && bm25 == 0 && random == 0)
        {
            throw new FormatException($"'{text}' names no negatives; a question needs something to be contrasted with.");
        }
        return new NegativeOptions(inBatch, bm25, random);
    }

    /// <summary>The canonical text form.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (InBatch)
        {
            parts.Add("in-batch");
        }
        if (Bm25 > 0)
        {
            parts.Add($"bm25:{Bm25}");
        }
        if (Random > 0)
        {
            parts.Add($"random:{Random}");
        }
        return string.Join(',', parts);
    }

    private static int Count(string value, string part, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= max
            ? n
            : throw new FormatException($"'{part}': the count must be an integer from 1 to {max}.");
}
