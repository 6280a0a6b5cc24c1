using System.CommandLine;
using DprCluster.Cli.Training;
using DprCluster.Text.Corpora;
using DprCluster.Training;
using DprCluster.Training.Negatives;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster train</c>: DPR's contrastive training on question–passage pairs — word-vector towers
/// (<c>--encoder static</c>) or linear adapters on a frozen pretrained transformer — written as a model directory
/// that <c>serve</c>, <c>demo</c>, <c>eval</c> and encoder silos load with <c>--encoder DIR</c>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var pairs = new Option<string>("--pairs") { Description = "Training pairs: a BEIR folder (with --split) or a JSON-lines file of {question, positive_id | positive:{title,text}}.", Required = true };
        var split = new Option<string>("--split") { Description = "The BEIR qrels split to train on.", DefaultValueFactory = _ => "train" };
        var corpus = new Option<string?>("--corpus") { Description = "Passages: a BEIR folder or a JSON-lines file (default: the --pairs folder)." };
        var encoder = new Option<string>("--encoder")
        {
            Description = "static (word-vector towers), arctic-embed-xs, all-minilm-l6-v2 or a model directory (adapters on the frozen model).",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "Directory to write the trained model into.", Required = true };
        var negatives = new Option<string>("--negatives") { Description = "Negatives: in-batch, bm25:N, random:N, comma-separated.", DefaultValueFactory = _ => "in-batch,bm25:1" };
        var batch = new Option<int>("--batch") { Description = "Questions per batch.", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs (early stopping may end sooner).", DefaultValueFactory = _ => 10 };
        var lr = new Option<float?>("--lr") { Description = "Peak learning rate (default 1e-3 for static towers, 1e-4 for adapters)." };
        var temperature = new Option<float?>("--temperature") { Description = "Softmax temperature τ over cosine similarities (default 0.02 for static towers, 0.05 for adapters)." };
        var seed = new Option<int>("--seed") { Description = "Seed of shuffling, negatives and the held-out split.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Worker threads (reproducible for a given seed and thread count).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var validate = new Option<string?>("--validate") { Description = "Validation questions: a BEIR folder (with --validate-split) or a pairs file (default: hold out --holdout of the training questions)." };
        var validateSplit = new Option<string>("--validate-split") { Description = "The qrels split of --validate.", DefaultValueFactory = _ => "dev" };
        var holdout = new Option<double>("--holdout") { Description = "Fraction of training questions held out for validation when --validate is not given.", DefaultValueFactory = _ => 0.1 };
        var patience = new Option<int>("--patience") { Description = "Epochs without a better validation nDCG@10 before stopping.", DefaultValueFactory = _ => 2 };
        var adapt = new Option<string>("--adapt") { Description = "Adapter sides to train: question, or both (question and passage).", DefaultValueFactory = _ => "question" };
        adapt.AcceptOnlyFromAmong("question", "both");
        var hashedWords = new Option<int>("--hashed-words")
        {
            Description = "Static towers: buckets of the hashed-word channel appended to each tower's vector (0: none).",
            DefaultValueFactory = _ => global::DprCluster.Training.Model.StaticTowers.DefaultHashedDimensions,
        };
        var command = new Command("train", "Train DPR-style: contrastive InfoNCE with in-batch, BM25 and random negatives; writes a model directory.")
        {
            pairs, split, corpus, encoder, output, negatives, batch, epochs, lr, temperature, seed, threads, validate, validateSplit, holdout, patience, adapt,
            hashedWords,
        };
        command.SetAction(parse =>
        {
            try
            {
                bool isStatic = parse.GetValue(encoder)!.Equals("static", StringComparison.OrdinalIgnoreCase);
                var options = new TrainingOptions
                {
                    BatchSize = parse.GetValue(batch),
                    Epochs = parse.GetValue(epochs),
                    LearningRate = parse.GetValue(lr) ?? (isStatic ? 1e-3f : 1e-4f),
                    Temperature = parse.GetValue(temperature) ?? (isStatic ? 0.02f : 0.05f),
                    Seed = parse.GetValue(seed),
                    Threads = parse.GetValue(threads),
                    Negatives = NegativeOptions.Parse(parse.GetValue(negatives)!),
                    Patience = parse.GetValue(patience),
                };
                options.Validate();
                int hashed = parse.GetValue(hashedWords);
                if (hashed is < 0 or > Encoders.Static.HashedWordChannel.MaxDimensions)
                {
                    throw new ArgumentException($"--hashed-words must be from 0 to {Encoders.Static.HashedWordChannel.MaxDimensions}.");
                }
                TrainingRun.Run(new TrainingRequest(parse.GetValue(pairs)!, parse.GetValue(split)!, parse.GetValue(corpus), parse.GetValue(validate),
                    parse.GetValue(validateSplit)!, parse.GetValue(holdout), parse.GetValue(encoder)!, parse.GetValue(output)!,
                    parse.GetValue(adapt) == "both", hashed, options));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or UnauthorizedAccessException
                or CorpusFormatException or Silo.Configuration.ClusterConfigurationException or Encoders.Transformer.ModelFormatException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
