using System.CommandLine;
using System.Text;
using DprCluster.Text.Tokenization;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster tokenize --tokenizer DIR [--pair] [--max-length N]</c>: reads lines (pairs as <c>a&lt;TAB&gt;b</c>)
/// on stdin and writes one line of space-separated ids per input line.
/// </summary>
internal static class TokenizeCommand
{
    private static readonly string[] Strategies = ["longest_first", "only_first", "only_second"];

    public static Command Create()
    {
        var tokenizerOption = new Option<string>("--tokenizer")
        {
            Description = "Directory with tokenizer.json or vocab.txt (a Hugging Face model directory).",
            Required = true,
        };
        var pairOption = new Option<bool>("--pair") { Description = "Each line is a pair: first<TAB>second." };
        var maxLengthOption = new Option<int?>("--max-length")
        {
            Description = "Truncate every encoding to at most N tokens, [CLS] and [SEP] included (default: no limit).",
        };
        var truncationOption = new Option<string>("--truncation")
        {
            Description = "Which sequence loses tokens: longest_first, only_first or only_second.",
            DefaultValueFactory = _ => "longest_first",
        };
        truncationOption.AcceptOnlyFromAmong(Strategies);

        var command = new Command("tokenize", "Write the WordPiece ids of each stdin line (Hugging Face-identical).")
        {
            tokenizerOption, pairOption, maxLengthOption, truncationOption,
        };
        command.SetAction(parse => Run(
            parse.GetValue(tokenizerOption)!,
            parse.GetValue(pairOption),
            parse.GetValue(maxLengthOption),
            parse.GetValue(truncationOption)!));
        return command;
    }

    private static int Run(string directory, bool pair, int? maxLength, string truncation)
    {
        if (maxLength is < 2 || (pair && maxLength is < 3))
        {
            Console.Error.WriteLine($"error: --max-length must leave room for the special tokens ({(pair ? 3 : 2)}), not {maxLength}.");
            return 2;
        }

        BertTokenizer tokenizer;
        try
        {
            tokenizer = BertTokenizer.FromDirectory(directory);
        }
        catch (Exception e) when (e is IOException or TokenizerFormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }

        var options = new TokenizerOptions
        {
            MaxLength = maxLength ?? int.MaxValue,
            Truncation = Array.IndexOf(Strategies, truncation) switch
            {
                0 => TruncationStrategy.LongestFirst,
                1 => TruncationStrategy.OnlyFirst,
                _ => TruncationStrategy.OnlySecond,
            },
        };
        var utf8 = new UTF8Encoding(false);
        using var input = new StreamReader(Console.OpenStandardInput(), utf8);
        using var output = new StreamWriter(Console.OpenStandardOutput(), utf8, 1 << 16);
        return Tokenize(tokenizer, options, pair, input, output);
    }

    private static int Tokenize(BertTokenizer tokenizer, TokenizerOptions options, bool pair, TextReader input, TextWriter output)
    {
        var failed = 0;
        var lineNumber = 0;
        Span<char> digits = stackalloc char[12];
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            int[] ids;
            try
            {
                ids = pair ? EncodePair(tokenizer, line, options) : tokenizer.Encode(line, options);
            }
            catch (ArgumentException e)
            {
                // Keep output lines aligned with input lines: a failed line prints an empty line.
                Console.Error.WriteLine($"line {lineNumber}: {e.Message}");
                output.WriteLine();
                failed++;
                continue;
            }

            for (var i = 0; i < ids.Length; i++)
            {
                if (i > 0)
                {
                    output.Write(' ');
                }

                ids[i].TryFormat(digits, out var written);
                output.Write(digits[..written]);
            }

            output.WriteLine();
        }

        output.Flush();
        if (failed > 0)
        {
            Console.Error.WriteLine($"{failed} of {lineNumber} lines failed.");
            return 1;
        }

        return 0;
    }

    private static int[] EncodePair(BertTokenizer tokenizer, string line, TokenizerOptions options)
    {
        var tab = line.IndexOf('\t');
        if (tab < 0)
        {
            throw new ArgumentException("--pair expects 'first<TAB>second', but the line has no tab.");
        }

        return tokenizer.EncodePair(line[..tab], line[(tab + 1)..], options);
    }
}
