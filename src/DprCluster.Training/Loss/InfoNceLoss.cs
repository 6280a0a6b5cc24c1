using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace DprCluster.Training.Loss;

/// <summary>
/// DPR's contrastive loss over a batch: for question i with target passage t(i) among candidates C,
/// L_i = −log( exp(q_i·p_t/τ) / Σ_{j∈C, not excluded} exp(q_i·p_j/τ) ), averaged over the batch. Excluded pairs (a
/// candidate that is another positive of the same question, or one the question may not see) take no part. Row-major
/// spans: questions B × d, passages C × d, exclusions B × C.
/// </summary>
public static class InfoNceLoss
{
    /// <summary>
    /// Computes the mean loss and writes dL/dq into <paramref name="questionGradients"/> and dL/dp into
    /// <paramref name="passageGradients"/> (both overwritten). <paramref name="scratch"/> holds B × C floats: on return,
    /// dL/d(logit). Arrays are row-major; rows run on up to <paramref name="threads"/> threads in a fixed partition, so a run is reproducible
    /// for a given thread count.
    /// </summary>
    public static float Compute(ReadOnlyMemory<float> questions, ReadOnlyMemory<float> passages, int dimension, int[] targets, bool[] excluded,
        float temperature, Memory<float> questionGradients, Memory<float> passageGradients, Memory<float> scratch, int threads = 1)
    {
        int batch = targets.Length;
        int candidates = passages.Length / dimension;
        if (questions.Length != batch * dimension || passages.Length != candidates * dimension || excluded.Length != batch * candidates
            || scratch.Length != batch * candidates || questionGradients.Length != questions.Length || passageGradients.Length != passages.Length)
        {
            throw new ArgumentException("The loss's arrays do not agree on batch size, candidates and dimension.");
        }
        if (!(temperature > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive.");
        }
        for (int i = 0; i < batch; i++)
        {
            if ((uint)targets[i] >= (uint)candidates || excluded[i * candidates + targets[i]])
            {
                throw new ArgumentException($"Question {i}'s target {targets[i]} is not a visible candidate.", nameof(targets));
            }
        }
        var losses = new double[batch];
        float inverse = 1f / temperature;
        Partition.Run(batch, threads, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                losses[i] = Row(questions.Span.Slice(i * dimension, dimension), passages.Span, dimension, targets[i],
                    excluded.AsSpan(i * candidates, candidates), inverse, batch, scratch.Span.Slice(i * candidates, candidates),
                    questionGradients.Span.Slice(i * dimension, dimension));
            }
        });
        Partition.Run(candidates, threads, (start, end) =>
        {
            for (int j = start; j < end; j++)
            {
                Column(questions.Span, scratch.Span, dimension, batch, candidates, j, inverse, passageGradients.Span.Slice(j * dimension, dimension));
            }
        });
        double total = 0;
        foreach (double loss in losses)
        {
            total += loss;
        }
        return (float)(total / batch);
    }

    /// <summary>dL/dp_j = Σ_i dL/dlogit_ij · q_i / τ, written into <paramref name="gradient"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Column(ReadOnlySpan<float> questions, ReadOnlySpan<float> logitGradients, int d, int batch, int candidates, int j,
        float inverseTemperature, Span<float> gradient)
    {
        gradient.Clear();
        for (int i = 0; i < batch; i++)
        {
            float g = logitGradients[i * candidates + j];
            if (g != 0)
            {
                TensorPrimitives.MultiplyAdd(questions.Slice(i * d, d), g * inverseTemperature, gradient, gradient);
            }
        }
    }

    /// <summary>Question i's loss; writes dL/dlogit into <paramref name="logits"/> and dL/dq into <paramref name="gradient"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Row(ReadOnlySpan<float> question, ReadOnlySpan<float> passages, int d, int target, ReadOnlySpan<bool> excluded,
        float inverseTemperature, int batch, Span<float> logits, Span<float> gradient)
    {
        float max = float.NegativeInfinity;
        for (int j = 0; j < logits.Length; j++)
        {
            logits[j] = excluded[j] ? float.NegativeInfinity : TensorPrimitives.Dot(question, passages.Slice(j * d, d)) * inverseTemperature;
            max = Math.Max(max, logits[j]);
        }
        double sum = 0;
        for (int j = 0; j < logits.Length; j++)
        {
            sum += excluded[j] ? 0 : Math.Exp(logits[j] - max);
        }
        double loss = -(logits[target] - max - Math.Log(sum));
        // dL_mean/dlogit_ij = (softmax_ij − [j = target]) / B; excluded entries get exactly 0.
        gradient.Clear();
        for (int j = 0; j < logits.Length; j++)
        {
            float g = excluded[j] ? 0 : (float)((Math.Exp(logits[j] - max) / sum - (j == target ? 1 : 0)) / batch);
            logits[j] = g;
            if (g != 0)
            {
                TensorPrimitives.MultiplyAdd(passages.Slice(j * d, d), g * inverseTemperature, gradient, gradient);
            }
        }
        return loss;
    }
}
