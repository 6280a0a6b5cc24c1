using System.Numerics.Tensors;

namespace DprCluster.Index.Vectors;

/// <summary>
/// The first two principal components of a small set of vectors (a console's embedding picture: hundreds of points),
/// by power iteration on the centred rows, so the d×d covariance is never formed. Deterministic.
/// </summary>
public static class PrincipalComponents
{
    private const int Iterations = 200;

    /// <summary>
    /// Projects <paramref name="rows"/> (each of length d) onto their top two principal axes; returns the coordinates
    /// (x, y per row) and each axis's share of the total variance.
    /// </summary>
    public static (float[] Coordinates, float[] ExplainedVariance) Project2D(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return ([], [0, 0]);
        }
        int d = rows[0].Length;
        var mean = new float[d];
        foreach (float[] row in rows)
        {
            if (row.Length != d)
            {
                throw new ArgumentException("Every row must have the same length.", nameof(rows));
            }
            TensorPrimitives.Add(mean, row, mean);
        }
        TensorPrimitives.Divide(mean, rows.Count, mean);
        var centred = new float[rows.Count][];
        double total = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            centred[i] = new float[d];
            TensorPrimitives.Subtract(rows[i], mean, centred[i]);
            total += TensorPrimitives.Dot(centred[i], centred[i]);
        }
        (float[] first, double firstVariance) = TopAxis(centred, d, null);
        (float[] second, double secondVariance) = TopAxis(centred, d, first);
        var coordinates = new float[2 * rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            coordinates[2 * i] = TensorPrimitives.Dot(centred[i], first);
            coordinates[2 * i + 1] = TensorPrimitives.Dot(centred[i], second);
        }
        return total <= 0
            ? (coordinates, [0, 0])
            : (coordinates, [(float)(firstVariance / total), (float)(secondVariance / total)]);
    }

    /// <summary>The unit axis of largest variance (orthogonal to <paramref name="excluded"/>) and the variance along it.</summary>
    private static (float[] Axis, double Variance) TopAxis(float[][] rows, int d, float[]? excluded)
    {
        var axis = new float[d];
        for (int j = 0; j < d; j++)
        {
            // A fixed, non-degenerate start: deterministic and unlikely to be orthogonal to the answer.
            axis[j] = 1f + (j % 7) * 0.1f;
        }
        var next = new float[d];
        double variance = 0;
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            Orthogonalize(axis, excluded);
            float norm = TensorPrimitives.Norm(axis);
            if (norm == 0)
            {
                return (axis, 0);
            }
            TensorPrimitives.Divide(axis, norm, axis);
            Array.Clear(next);
            variance = 0;
            foreach (float[] row in rows)
            {
                float along = TensorPrimitives.Dot(row, axis);
                variance += along * (double)along;
                TensorPrimitives.MultiplyAdd(row, along, next, next);
            }
            (axis, next) = (next, axis);
        }
        Orthogonalize(axis, excluded);
        float length = TensorPrimitives.Norm(axis);
        if (length > 0)
        {
            TensorPrimitives.Divide(axis, length, axis);
        }
        return (axis, variance);
    }

    private static void Orthogonalize(float[] axis, float[]? excluded)
    {
        if (excluded is not null)
        {
            TensorPrimitives.MultiplyAdd(excluded, -TensorPrimitives.Dot(axis, excluded), axis, axis);
        }
    }
}
