using System.Diagnostics;
using DprCluster.Training.Data;
using DprCluster.Training.Loss;
using DprCluster.Training.Model;
using DprCluster.Training.Optimization;
using DprCluster.Training.Validation;

namespace DprCluster.Training;

/// <summary>
/// DPR's training loop: shuffled batches of (question, positive) pairs, each question contrasted with every passage of
/// the batch (its positive, the others' positives and everyone's hard and random negatives, minus its own other
/// positives) under temperature-scaled InfoNCE; Adam with warm-up and linear decay; validation nDCG@10 after every
/// epoch, early stopping on it, and the best epoch's weights kept.
/// </summary>
public sealed class ContrastiveTrainer
{
    private readonly DualTowerModel _model;
    private readonly TrainingSet _set;
    private readonly int[][] _hardNegatives;
    private readonly TrainingOptions _options;
    private readonly Gradients[] _gradients;
    private readonly AdamOptimizer _optimizer;
    private readonly RetrievalValidator _validator;
    private float[] _questionInputs = [];
    private float[] _questionUnits = [];
    private float[] _questionNorms = [];
    private float[] _passageInputs = [];
    private float[] _passageUnits = [];
    private float[] _passageNorms = [];
    private float[] _questionGradients = [];
    private float[] _passageGradients = [];
    private float[] _logitGradients = [];
    private float[] _vectorGradients = [];

    /// <summary>
    /// Prepares training; <paramref name="hardNegatives"/>[q] is question q's BM25 pool (see
    /// <see cref="Negatives.Bm25HardNegatives"/>), needed when the options ask for BM25 negatives.
    /// </summary>
    public ContrastiveTrainer(DualTowerModel model, TrainingSet set, int[][]? hardNegatives, TrainingOptions options)
    {
        options.Validate();
        if (options.Negatives.Bm25 > 0 && hardNegatives is null)
        {
            throw new ArgumentException("BM25 negatives were asked for but none were mined.", nameof(hardNegatives));
        }
        if (model.Questions.Input.Count != set.Questions.Count || model.Passages.Input.Count != set.Corpus.Count)
        {
            throw new ArgumentException("The model's towers do not read the training set's questions and passages.");
        }
        _model = model;
        _set = set;
        _hardNegatives = hardNegatives ?? [];
        _options = options;
        _gradients = new Gradients[Partition.Ranges(int.MaxValue, options.Threads)];
        for (int i = 0; i < _gradients.Length; i++)
        {
            _gradients[i] = new Gradients(model.Parameters);
        }
        _optimizer = new AdamOptimizer(model.Parameters);
        _validator = new RetrievalValidator(set, options.Threads);
    }

    /// <summary>Trains; <paramref name="progress"/> hears about every batch, <paramref name="epochDone"/> about every epoch.</summary>
    public TrainingReport Train(IProgress<TrainingProgress>? progress = null, Action<EpochRecord>? epochDone = null)
    {
        var random = new Random(_options.Seed);
        IReadOnlyList<(int Question, int Passage)> examples = _set.Examples;
        int batches = (examples.Count + _options.BatchSize - 1) / _options.BatchSize;
        long total = (long)batches * _options.Epochs;
        var schedule = new LearningRateSchedule(_options.LearningRate, total, Math.Max(1, (long)Math.Round(total * _options.WarmupFraction)));
        var records = new List<EpochRecord>();
        var clock = Stopwatch.StartNew();
        double best = _validator.NdcgAt10(_model, _set.ValidationQuestions);
        records.Add(new EpochRecord(0, double.NaN, best, 0, 0, clock.Elapsed.TotalSeconds));
        epochDone?.Invoke(records[^1]);
        float[][] bestWeights = _model.Snapshot();
        int bestEpoch = 0;
        int sinceBest = 0;
        bool stoppedEarly = false;
        int[] order = new int[examples.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        var batch = new List<(int Question, int Passage)>(_options.BatchSize);
        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            random.Shuffle(order);
            var epochClock = Stopwatch.StartNew();
            double lossSum = 0;
            float rate = schedule.At(_optimizer.Step);
            progress?.Report(new TrainingProgress(epoch, _options.Epochs, 0, examples.Count, double.NaN, 0, rate));
            for (int b = 0; b < batches; b++)
            {
                batch.Clear();
                for (int i = b * _options.BatchSize; i < Math.Min(examples.Count, (b + 1) * _options.BatchSize); i++)
                {
                    batch.Add(examples[order[i]]);
                }
                BatchPlan plan = Plan(batch, random);
                lossSum += Evaluate(plan, gradients: true) * batch.Count;
                rate = schedule.At(_optimizer.Step);
                _optimizer.Apply(_gradients[0], rate);
                _gradients[0].Clear();
                int pairs = Math.Min(examples.Count, (b + 1) * _options.BatchSize);
                progress?.Report(new TrainingProgress(epoch, _options.Epochs, pairs, examples.Count, lossSum / pairs,
                    pairs / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9), rate));
            }
            double seconds = epochClock.Elapsed.TotalSeconds;
            double validation = _validator.NdcgAt10(_model, _set.ValidationQuestions);
            records.Add(new EpochRecord(epoch, lossSum / examples.Count, validation, rate, examples.Count / Math.Max(seconds, 1e-9), seconds));
            epochDone?.Invoke(records[^1]);
            if (double.IsNaN(validation))
            {
                bestEpoch = epoch;
                continue;
            }
            if (validation > best)
            {
                best = validation;
                bestWeights = _model.Snapshot();
                bestEpoch = epoch;
                sinceBest = 0;
            }
            else if (++sinceBest >= _options.Patience)
            {
                stoppedEarly = epoch < _options.Epochs;
                break;
            }
        }
        if (!double.IsNaN(best))
        {
            _model.Restore(bestWeights);
        }
        return new TrainingReport(records, bestEpoch, best, stoppedEarly, examples.Count, _set.ValidationQuestions.Count, _model.ParameterCount);
    }

    /// <summary>
    /// One batch laid out for the loss: its questions, the distinct candidate passages, each question's target column
    /// and which candidates each question may not see.
    /// </summary>
    internal sealed record BatchPlan(int[] Questions, int[] Candidates, int[] Targets, bool[] Excluded);

    /// <summary>Chooses the batch's negatives and lays it out.</summary>
    internal BatchPlan Plan(IReadOnlyList<(int Question, int Passage)> batch, Random random)
    {
        var columns = new Dictionary<int, int>();
        var candidates = new List<int>();
        int Column(int passage)
        {
            if (!columns.TryGetValue(passage, out int column))
            {
                column = candidates.Count;
                columns.Add(passage, column);
                candidates.Add(passage);
            }
            return column;
        }
        var questions = new int[batch.Count];
        var targets = new int[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            questions[i] = batch[i].Question;
            targets[i] = Column(batch[i].Passage);
        }
        var own = new List<int>[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            own[i] = [targets[i]];
            foreach (int passage in Draw(batch[i].Question, random))
            {
                own[i].Add(Column(passage));
            }
        }
        var excluded = new bool[batch.Count * candidates.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            Span<bool> row = excluded.AsSpan(i * candidates.Count, candidates.Count);
            if (!_options.Negatives.InBatch)
            {
                row.Fill(true);
                foreach (int column in own[i])
                {
                    row[column] = false;
                }
            }
            for (int j = 0; j < candidates.Count; j++)
            {
                if (j != targets[i] && _set.IsPositive(questions[i], candidates[j]))
                {
                    row[j] = true;
                }
            }
        }
        return new BatchPlan(questions, [.. candidates], targets, excluded);
    }

    /// <summary>The question's hard and random negatives for this batch: never its positives, never twice.</summary>
    private List<int> Draw(int question, Random random)
    {
        var drawn = new List<int>();
        int[] pool = _options.Negatives.Bm25 > 0 ? _hardNegatives[question] : [];
        if (pool.Length > 0)
        {
            int[] shuffled = (int[])pool.Clone();
            random.Shuffle(shuffled);
            drawn.AddRange(shuffled.AsSpan(0, Math.Min(_options.Negatives.Bm25, shuffled.Length)));
        }
        int corpus = _set.Corpus.Count;
        int wanted = drawn.Count + Math.Min(_options.Negatives.Random, corpus - _set.Positives[question].Length - drawn.Count);
        while (drawn.Count < wanted)
        {
            int passage = random.Next(corpus);
            if (!_set.IsPositive(question, passage) && !drawn.Contains(passage))
            {
                drawn.Add(passage);
            }
        }
        return drawn;
    }

    /// <summary>
    /// The batch's mean loss; with <paramref name="gradients"/>, its gradients are left summed in the first
    /// accumulator (parameters unchanged).
    /// </summary>
    internal float Evaluate(BatchPlan plan, bool gradients)
    {
        int d = _model.Questions.Dimension;
        int b = plan.Questions.Length;
        int c = plan.Candidates.Length;
        // Reused across batches: fresh arrays of this size land on the large-object heap and cost a full collection.
        float[] questionInputs = Grow(ref _questionInputs, b * _model.Questions.InputDimension);
        float[] questionUnits = Grow(ref _questionUnits, b * d);
        float[] questionNorms = Grow(ref _questionNorms, b);
        float[] passageInputs = Grow(ref _passageInputs, c * _model.Passages.InputDimension);
        float[] passageUnits = Grow(ref _passageUnits, c * d);
        float[] passageNorms = Grow(ref _passageNorms, c);
        float[] questionGradients = Grow(ref _questionGradients, b * d);
        float[] passageGradients = Grow(ref _passageGradients, c * d);
        float[] logitGradients = Grow(ref _logitGradients, b * c);
        Forward(_model.Questions, plan.Questions, questionInputs, questionUnits, questionNorms);
        Forward(_model.Passages, plan.Candidates, passageInputs, passageUnits, passageNorms);
        float loss = InfoNceLoss.Compute(questionUnits.AsMemory(0, b * d), passageUnits.AsMemory(0, c * d), d, plan.Targets, plan.Excluded,
            _options.Temperature, questionGradients.AsMemory(0, b * d), passageGradients.AsMemory(0, c * d), logitGradients.AsMemory(0, b * c),
            _options.Threads);
        if (!gradients)
        {
            return loss;
        }
        Backward(_model.Questions, plan.Questions, questionInputs, questionUnits, questionNorms, questionGradients);
        Backward(_model.Passages, plan.Candidates, passageInputs, passageUnits, passageNorms, passageGradients);
        for (int r = 1; r < _gradients.Length; r++)
        {
            _gradients[r].AddTo(_gradients[0]);
            _gradients[r].Clear();
        }
        return loss;
    }

    /// <summary>An array of at least <paramref name="length"/> floats, reusing <paramref name="buffer"/> when it is long enough.</summary>
    private static float[] Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[Math.Max(length, buffer.Length * 2)];
        }
        return buffer;
    }

    /// <summary>The summed gradients <see cref="Evaluate"/> left (for gradient checks).</summary>
    internal Gradients SummedGradients => _gradients[0];

    private void Forward(Tower tower, int[] items, float[] inputs, float[] units, float[] norms)
    {
        int d = tower.InputDimension;
        int width = tower.Dimension;
        Partition.Run(items.Length, _options.Threads, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                norms[i] = tower.Forward(items[i], inputs.AsSpan(i * d, d), units.AsSpan(i * width, width));
            }
        });
    }

    private void Backward(Tower tower, int[] items, float[] inputs, float[] units, float[] norms, float[] unitGradients)
    {
        if (tower.Map is null && tower.Input.Parameters.Count == 0 && tower.HashedWords is null)
        {
            return;
        }
        tower.Backward(items, inputs, units, norms, unitGradients, Grow(ref _vectorGradients, items.Length * tower.InputDimension), _gradients,
            _options.Threads);
    }
}
