namespace DprCluster.Training.Optimization;

/// <summary>
/// A trainable tensor of <see cref="Rows"/> × <see cref="RowLength"/> floats. A sparse parameter (a word-vector
/// table) is updated only in the rows a batch touched; a dense one (a linear map) whole.
/// </summary>
public sealed class Parameter
{
    /// <summary>Wraps <paramref name="values"/> (not copied).</summary>
    public Parameter(string name, float[] values, int rowLength, bool sparse, float learningRateScale = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRateScale);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        if (values.Length % rowLength != 0)
        {
            throw new ArgumentException($"{values.Length} values do not make rows of {rowLength}.", nameof(values));
        }
        Name = name;
        Values = values;
        RowLength = rowLength;
        Sparse = sparse;
        LearningRateScale = learningRateScale;
    }

    /// <summary>This parameter's learning rate as a multiple of the run's (a few shared weights can move faster than a table).</summary>
    public float LearningRateScale { get; }

    /// <summary>Name in messages and reports ("question map").</summary>
    public string Name { get; }

    /// <summary>The values, row-major.</summary>
    public float[] Values { get; }

    /// <summary>Floats per row.</summary>
    public int RowLength { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => Values.Length / RowLength;

    /// <summary>True when updates touch only the rows that received gradient.</summary>
    public bool Sparse { get; }
}
