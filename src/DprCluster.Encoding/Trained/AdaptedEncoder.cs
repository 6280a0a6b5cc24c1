using System.Numerics.Tensors;

namespace DprCluster.Encoders.Trained;

/// <summary>
/// A frozen encoder with trained linear adapters on its outputs: question vectors become normalise(W_q·q) and, when a
/// passage map is given, passage vectors normalise(W_p·p). The adapter owns and disposes the inner encoder.
/// </summary>
public sealed class AdaptedEncoder : IEncoder
{
    private readonly LinearMap? _questionMap;
    private readonly LinearMap? _passageMap;

    /// <summary>Adapts <paramref name="inner"/>; a null map leaves that side as the inner encoder makes it.</summary>
    public AdaptedEncoder(IEncoder inner, LinearMap? questionMap, LinearMap? passageMap)
    {
        foreach (LinearMap? map in new[] { questionMap, passageMap })
        {
            if (map is not null && (map.Inputs != inner.Dimension || map.Outputs != inner.Dimension))
            {
                throw new ArgumentException(
                    $"An adapter map of {map.Outputs} x {map.Inputs} does not fit a {inner.Dimension}-d encoder.");
            }
        }
        Inner = inner;
        _questionMap = questionMap;
        _passageMap = passageMap;
    }

    /// <summary>The frozen encoder underneath.</summary>
    public IEncoder Inner { get; }

    /// <inheritdoc />
    public int Dimension => Inner.Dimension;

    /// <inheritdoc />
    public void EncodeQueries(ReadOnlySpan<string> queries, Span<float> destination)
    {
        Inner.EncodeQueries(queries, destination);
        Adapt(_questionMap, destination);
    }

    /// <inheritdoc />
    public void EncodePassages(ReadOnlySpan<PassageText> passages, Span<float> destination)
    {
        Inner.EncodePassages(passages, destination);
        Adapt(_passageMap, destination);
    }

    /// <inheritdoc />
    public void Dispose() => Inner.Dispose();

    private void Adapt(LinearMap? map, Span<float> rows)
    {
        if (map is null)
        {
            return;
        }
        Span<float> input = Dimension <= 2048 ? stackalloc float[Dimension] : new float[Dimension];
        for (int start = 0; start < rows.Length; start += Dimension)
        {
            Span<float> row = rows.Slice(start, Dimension);
            row.CopyTo(input);
            map.Apply(input, row);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0)
            {
                TensorPrimitives.Divide(row, norm, row);
            }
        }
    }
}
