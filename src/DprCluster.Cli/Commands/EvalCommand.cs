using DprCluster.Text.Fusion;
using DprCluster.Encoders.Pretrained;
using System.CommandLine;
using DprCluster.Cli.Evaluation;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster eval</c>: retrieval quality on a BEIR-format benchmark (<c>--beir DIR</c>: nDCG@10, Recall@100,
/// MRR@10, MAP@100) or DPR-style QA retrieval accuracy (<c>--qa PATH</c>: top-1/5/20/100), plus indexing time and
/// single-thread queries/s.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var beir = new Option<string?>("--beir") { Description = "BEIR-format directory (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)." };
        var qa = new Option<string?>("--qa") { Description = "SQuAD v1.1 JSON file, or a directory with beir_format/ whose queries carry answers." };
        var split = new Option<string>("--split") { Description = "Judgement split to evaluate.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "train", "dev");
        var mode = new Option<string>("--mode") { Description = "Retrieval method.", DefaultValueFactory = _ => "bm25" };
        mode.AcceptOnlyFromAmong("bm25", "dense", "hybrid");
        var k = new Option<int?>("--k") { Description = "Passages retrieved per query (default 1000 for --beir, 100 for --qa)." };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON to this file." };
        var k1 = new Option<float>("--k1") { Description = "BM25 k1.", DefaultValueFactory = _ => 0.9f };
        var b = new Option<float>("--b") { Description = "BM25 b.", DefaultValueFactory = _ => 0.4f };
        var lengths = new Option<string>("--lengths") { Description = "Document lengths: exact, or Lucene's lossy one-byte norms.", DefaultValueFactory = _ => "exact" };
        lengths.AcceptOnlyFromAmong("exact", "lucene");
        var noStem = new Option<bool>("--no-stem") { Description = "Skip the Porter stemmer." };
        var keepStopWords = new Option<bool>("--keep-stopwords") { Description = "Keep Lucene's English stop words." };
        var shards = new Option<int>("--shards") { Description = "Split passages over this many BM25 shards (cluster-wide IDF).", DefaultValueFactory = _ => 1 };
        var encoder = new Option<string>("--encoder")
        {
            Description = "Encoder for dense and hybrid runs in this process: all-minilm-l6-v2 (the default), arctic-embed-xs, static or a model directory.",
            DefaultValueFactory = _ => PretrainedModels.Default.Name,
        };
        var fusion = new Option<string>("--fusion")
        {
            Description = "In-process hybrid fusion: normalized (min-max normalised BM25 + w x dense, the cluster's default) or rrf.",
            DefaultValueFactory = _ => "normalized",
        };
        fusion.AcceptOnlyFromAmong("normalized", "rrf");
        var rrfK = new Option<int>("--rrf-k") { Description = "RRF constant k.", DefaultValueFactory = _ => ReciprocalRankFusion.DefaultK };
        var denseWeight = new Option<float>("--dense-weight")
        {
            Description = "Normalized fusion's dense weight w.",
            DefaultValueFactory = _ => LinearFusion.TunedDenseWeight,
        };
        var url = new Option<string?>("--url") { Description = "Evaluate a running cluster (REST API) that already holds the corpus; any --mode." };

        var command = new Command("eval", "Evaluate retrieval on a BEIR benchmark or SQuAD-style QA data.")
        {
            beir, qa, split, mode, k, json, k1, b, lengths, noStem, keepStopWords, shards, encoder, fusion, rrfK, denseWeight, url,
        };
        command.Validators.Add(result =>
        {
            bool hasBeir = result.GetValue(beir) is not null;
            bool hasQa = result.GetValue(qa) is not null;
            if (hasBeir == hasQa)
            {
                result.AddError("Give exactly one of --beir DIR or --qa PATH.");
            }
        });
        k.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError("--k must be at least 1.");
            }
        });
        url.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !Uri.TryCreate(text, UriKind.Absolute, out _))
            {
                result.AddError($"--url '{text}' is not an absolute URL.");
            }
        });
        shards.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--shards must be at least 1.");
            }
        });

        command.SetAction(parse =>
        {
            try
            {
                var settings = new Bm25Settings(
                    new Bm25Parameters
                    {
                        K1 = parse.GetValue(k1),
                        B = parse.GetValue(b),
                        LengthEncoding = parse.GetValue(lengths) == "lucene" ? DocumentLengthEncoding.Lucene : DocumentLengthEncoding.Exact,
                    },
                    new EnglishAnalyzerOptions { Stem = !parse.GetValue(noStem), RemoveStopWords = !parse.GetValue(keepStopWords) },
                    parse.GetValue(shards));
                RetrievalMode retrievalMode = Enum.Parse<RetrievalMode>(parse.GetValue(mode)!, ignoreCase: true);
                string? beirDirectory = parse.GetValue(beir);
                Uri? cluster = parse.GetValue(url) is { } text ? new Uri(text) : null;
                if (parse.GetValue(rrfK) < 1 || parse.GetValue(denseWeight) is < 0 or float.NaN or float.PositiveInfinity)
                {
                    throw new ArgumentException("--rrf-k must be at least 1 and --dense-weight a finite value of at least 0.");
                }
                var hybrid = new HybridFusion(parse.GetValue(fusion) == "normalized", parse.GetValue(rrfK), parse.GetValue(denseWeight));
                EvaluationReport report = beirDirectory is not null
                    ? BeirEvaluation.Run(beirDirectory, parse.GetValue(split)!, retrievalMode, settings, parse.GetValue(k) ?? 1000, cluster,
                        parse.GetValue(encoder)!, hybrid)
                    : QaEvaluation.Run(parse.GetValue(qa)!, parse.GetValue(split)!, retrievalMode, settings, parse.GetValue(k) ?? 100, cluster,
                        parse.GetValue(encoder)!, hybrid);
                report.Print(Console.Out);
                if (parse.GetValue(json) is { } jsonPath)
                {
                    report.WriteJson(jsonPath);
                }
                return 0;
            }
            catch (Exception e) when (e is Silo.Configuration.ClusterConfigurationException or IOException or ArgumentException
                or UnauthorizedAccessException or Silo.Client.ClusterApiException or HttpRequestException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
