using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DprCluster.Cli.Cluster;
using DprCluster.Cli.Evaluation;
using DprCluster.Encoders;
using DprCluster.Encoders.Batching;
using DprCluster.Encoders.Pretrained;
using DprCluster.Encoders.Static;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;
using DprCluster.Training;
using DprCluster.Training.Data;
using DprCluster.Training.Model;
using DprCluster.Training.Negatives;

namespace DprCluster.Cli.Training;

/// <summary>What <c>dprcluster train</c> was asked to do.</summary>
internal sealed record TrainingRequest(string Pairs, string Split, string? Corpus, string? Validate, string ValidateSplit, double Holdout,
    string Encoder, string Output, bool AdaptPassages, int HashedDimensions, TrainingOptions Options);

/// <summary>
/// One <c>dprcluster train</c> run: loads the pairs, builds the towers (word vectors, or adapters over the frozen
/// model's cached vectors), mines BM25 negatives, trains with progress bars, and writes the model directory with
/// training.json and training.png beside the weights.
/// </summary>
internal static class TrainingRun
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static TrainingReport Run(TrainingRequest request)
    {
        var clock = Stopwatch.StartNew();
        TrainingOptions options = request.Options;
        TrainingSet set = TrainingSources.Load(request.Pairs, request.Split, request.Corpus, request.Validate, request.ValidateSplit,
            request.Holdout, options.Seed);
        Console.Error.WriteLine($"{set.Examples.Count:N0} training pairs from {set.TrainQuestions.Count:N0} questions, " +
            $"{set.ValidationQuestions.Count:N0} validation questions, {set.Corpus.Count:N0} passages");

        bool isStatic = request.Encoder.Equals("static", StringComparison.OrdinalIgnoreCase);
        StaticTowers? towers = null;
        DualTowerModel model;
        string baseModel;
        if (isStatic)
        {
            towers = StaticTowers.Create(StaticEncoder.LoadDefault(), set, request.HashedDimensions);
            model = towers.Model;
            baseModel = "static";
            Console.Error.WriteLine($"word-vector towers: {towers.Words.Count:N0} trainable words x {model.Questions.InputDimension} per tower, " +
                "SIF pooling, a linear map each" +
                (request.HashedDimensions > 0 ? $", a hashed-word channel of {request.HashedDimensions} buckets ({model.Questions.Dimension}-d vectors)" : ""));
        }
        else
        {
            (model, baseModel) = CreateAdapters(request, set);
        }

        int[][]? hard = null;
        if (options.Negatives.Bm25 > 0)
        {
            var progress = new ProgressLine("questions mined for BM25 negatives", set.TrainQuestions.Count);
            hard = Bm25HardNegatives.Mine(set, NegativeOptions.Bm25Pool, options.Threads, new SynchronousProgress<int>(done => progress.Report(done)));
            progress.Finish(set.TrainQuestions.Count);
        }

        var trainer = new ContrastiveTrainer(model, set, hard, options);
        ProgressLine? bar = null;
        TrainingReport report = trainer.Train(
            new SynchronousProgress<TrainingProgress>(p =>
            {
                bar ??= new ProgressLine($"pairs (epoch {p.Epoch}/{p.Epochs})", p.PairsInEpoch);
                bar.Report(p.Pairs, detail: p.Pairs == 0 ? null : $"loss {p.Loss:F4} lr {p.LearningRate:E2}");
            }),
            epoch =>
            {
                bar?.Finish(set.Examples.Count, $"loss {epoch.Loss:F4}");
                bar = null;
                Console.Error.WriteLine(epoch.Epoch == 0
                    ? $"epoch 0 (untrained): validation nDCG@10 {epoch.ValidationNdcg10:F4}"
                    : $"epoch {epoch.Epoch}: loss {epoch.Loss:F4}, validation nDCG@10 {epoch.ValidationNdcg10:F4}, " +
                      $"{epoch.PairsPerSecond:N1} pairs/s, lr {epoch.LearningRate:E2}");
            });

        if (towers is not null)
        {
            TrainedModelWriter.WriteTowers(request.Output, towers);
        }
        else
        {
            TrainedModelWriter.WriteAdapters(request.Output, model, baseModel);
        }
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        WriteSummary(request, report, baseModel, peak, clock.Elapsed);
        TrainingPlot.Save(report, $"dprcluster train: {baseModel}, {options.Negatives}, batch {options.BatchSize}, lr {options.LearningRate}, τ {options.Temperature}",
            Path.Combine(request.Output, "training.png"));
        Print(report, request.Output, peak, clock.Elapsed);
        return report;
    }

    private static (DualTowerModel Model, string Base) CreateAdapters(TrainingRequest request, TrainingSet set)
    {
        EncoderOptions resolved = EncoderFactory.Resolve(new EncoderOptions { Model = request.Encoder, MaxBatchSize = 64 });
        if (resolved.Kind != "onnx")
        {
            throw new ArgumentException($"--encoder '{request.Encoder}' is not a transformer model to adapt; train from the base model.");
        }
        string baseModel = PretrainedModels.Find(request.Encoder)?.Name ?? Path.GetFullPath(request.Encoder);
        using EncoderService encoder = EncoderFactory.Create(resolved);
        float[] passages = CorpusEmbeddings.Load(set.Corpus, encoder, CorpusEmbeddings.IdentityOf(request.Encoder, resolved));
        float[] questions = EncodeQuestions(encoder, set.Questions);
        Console.Error.WriteLine($"adapters on {baseModel}: a {encoder.Dimension} x {encoder.Dimension} question map" +
            (request.AdaptPassages ? " and a passage map" : "") + ", initialised to the identity");
        return (Adapters.Create(questions, passages, encoder.Dimension, request.AdaptPassages), baseModel);
    }

    private static float[] EncodeQuestions(EncoderService encoder, IReadOnlyList<string> questions)
    {
        const int Window = 64;
        int d = encoder.Dimension;
        var vectors = new float[questions.Count * d];
        var progress = new ProgressLine("questions encoded", questions.Count);
        for (int start = 0; start < questions.Count; start += Window)
        {
            int count = Math.Min(Window, questions.Count - start);
            var pending = new Task<float[]>[count];
            for (int i = 0; i < count; i++)
            {
                pending[i] = encoder.EncodeQueryAsync(questions[start + i]);
            }
            for (int i = 0; i < count; i++)
            {
                pending[i].GetAwaiter().GetResult().CopyTo(vectors, (start + i) * d);
            }
            progress.Report(start + count);
        }
        progress.Finish(questions.Count);
        return vectors;
    }

    private static void WriteSummary(TrainingRequest request, TrainingReport report, string baseModel, long peakBytes, TimeSpan elapsed)
    {
        TrainingOptions o = request.Options;
        var summary = new
        {
            @base = baseModel,
            pairs = request.Pairs,
            split = request.Split,
            corpus = request.Corpus ?? request.Pairs,
            validation = request.Validate ?? $"held out {request.Holdout.ToString(CultureInfo.InvariantCulture)} of the training questions",
            options = new
            {
                negatives = o.Negatives.ToString(),
                batch = o.BatchSize,
                epochs = o.Epochs,
                lr = o.LearningRate,
                temperature = o.Temperature,
                seed = o.Seed,
                threads = o.Threads,
                patience = o.Patience,
                adapt = request.AdaptPassages ? "both" : "question",
                hashed_words = baseModel == "static" ? request.HashedDimensions : (int?)null,
            },
            training_pairs = report.TrainingPairs,
            validation_questions = report.ValidationQuestions,
            parameters = report.Parameters,
            best_epoch = report.BestEpoch,
            best_validation_ndcg10 = report.BestValidationNdcg10,
            stopped_early = report.StoppedEarly,
            peak_working_set_bytes = peakBytes,
            seconds = elapsed.TotalSeconds,
            epochs = report.Epochs.Select(e => new
            {
                epoch = e.Epoch,
                loss = e.Loss,
                validation_ndcg10 = e.ValidationNdcg10,
                learning_rate = e.LearningRate,
                pairs_per_second = e.PairsPerSecond,
                seconds = e.Seconds,
            }),
        };
        File.WriteAllText(Path.Combine(request.Output, "training.json"), JsonSerializer.Serialize(summary, Json) + "\n");
    }

    private static void Print(TrainingReport report, string output, long peakBytes, TimeSpan elapsed)
    {
        Console.WriteLine($"{"epoch",5}  {"loss",8}  {"val nDCG@10",11}  {"pairs/s",9}  {"lr",9}");
        foreach (EpochRecord e in report.Epochs)
        {
            Console.WriteLine($"{e.Epoch,5}  {(double.IsNaN(e.Loss) ? "-" : e.Loss.ToString("F4", CultureInfo.InvariantCulture)),8}  " +
                $"{e.ValidationNdcg10,11:F4}  {(e.Epoch == 0 ? "-" : e.PairsPerSecond.ToString("N1", CultureInfo.InvariantCulture)),9}  {e.LearningRate,9:E2}");
        }
        Console.WriteLine($"kept epoch {report.BestEpoch} (validation nDCG@10 {report.BestValidationNdcg10:F4})" +
            (report.StoppedEarly ? ", stopped early" : "") + $"; {report.Parameters:N0} parameters; peak memory {peakBytes / 1048576.0:N0} MiB; " +
            $"{elapsed.TotalSeconds:N1} s");
        Console.WriteLine($"model written to {output} (serve it with --encoder {output})");
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly object _gate = new();

        public void Report(T value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
