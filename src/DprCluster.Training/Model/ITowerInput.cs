using DprCluster.Training.Optimization;

namespace DprCluster.Training.Model;

/// <summary>What a tower reads for item i before its map: a bag of trainable word vectors, or a fixed pooled vector.</summary>
public interface ITowerInput
{
    /// <summary>Length of the vector.</summary>
    int Dimension { get; }

    /// <summary>Number of items (questions or passages) it can read.</summary>
    int Count { get; }

    /// <summary>The trainable parameters behind the input; none when the input is fixed.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Writes item <paramref name="item"/>'s vector into <paramref name="destination"/>.</summary>
    void Read(int item, Span<float> destination);

    /// <summary>Accumulates dL/d(parameter) given dL/d(vector) of the item; nothing for a fixed input.</summary>
    void Backward(int item, ReadOnlySpan<float> gradient, Gradients gradients);
}
