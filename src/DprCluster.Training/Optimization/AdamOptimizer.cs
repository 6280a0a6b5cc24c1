using System.Runtime.CompilerServices;
namespace DprCluster.Training.Optimization;

/// <summary>
/// Adam (Kingma and Ba, 2015) with bias correction. Sparse parameters update lazily: only the rows a batch touched
/// move, and their moments with them (as in TensorFlow's LazyAdam), so a word absent from a batch keeps its vector.
/// </summary>
public sealed class AdamOptimizer
{
    private const float Beta1 = 0.9f;
    private const float Beta2 = 0.999f;
    private const float Epsilon = 1e-8f;

    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly float[][] _first;
    private readonly float[][] _second;
    private long _step;

    /// <summary>Creates zeroed moments for <paramref name="parameters"/>.</summary>
    public AdamOptimizer(IReadOnlyList<Parameter> parameters)
    {
        _parameters = parameters;
        _first = new float[parameters.Count][];
        _second = new float[parameters.Count][];
        for (int p = 0; p < parameters.Count; p++)
        {
            _first[p] = new float[parameters[p].Values.Length];
            _second[p] = new float[parameters[p].Values.Length];
        }
    }

    /// <summary>Steps taken so far.</summary>
    public long Step => _step;

    /// <summary>Moves every parameter against <paramref name="gradients"/> with learning rate <paramref name="learningRate"/>.</summary>
    public void Apply(Gradients gradients, float learningRate)
    {
        _step++;
        float correction1 = 1 - MathF.Pow(Beta1, _step);
        float correction2 = 1 - MathF.Pow(Beta2, _step);
        float stepSize = learningRate * MathF.Sqrt(correction2) / correction1;
        for (int p = 0; p < _parameters.Count; p++)
        {
            Parameter parameter = _parameters[p];
            ReadOnlySpan<float> gradient = gradients.Of(p);
            float size = stepSize * parameter.LearningRateScale;
            if (!parameter.Sparse)
            {
                Update(parameter.Values, _first[p], _second[p], gradient, 0, parameter.Values.Length, size);
                continue;
            }
            foreach (int row in gradients.TouchedRows(p))
            {
                Update(parameter.Values, _first[p], _second[p], gradient, row * parameter.RowLength, parameter.RowLength, size);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Update(float[] values, float[] first, float[] second, ReadOnlySpan<float> gradient, int start, int length, float stepSize)
    {
        for (int i = start; i < start + length; i++)
        {
            float g = gradient[i];
            first[i] = Beta1 * first[i] + (1 - Beta1) * g;
            second[i] = Beta2 * second[i] + (1 - Beta2) * g * g;
            values[i] -= stepSize * first[i] / (MathF.Sqrt(second[i]) + Epsilon);
        }
    }
}
