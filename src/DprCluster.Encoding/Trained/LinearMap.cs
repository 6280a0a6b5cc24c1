using System.Numerics.Tensors;
using DprCluster.Core.Storage;

namespace DprCluster.Encoders.Trained;

/// <summary>
/// A trained linear map y = W·x (W row-major, <see cref="Outputs"/> × <see cref="Inputs"/>), the adapter a trained
/// tower applies to its pooled vector. Saved as a checksummed file: "DPRLMAP\0", version, rows, columns, the floats.
/// </summary>
public sealed class LinearMap
{
    private const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "DPRLMAP\0"u8;

    /// <summary>Wraps <paramref name="weights"/> (not copied) as an <paramref name="outputs"/> × <paramref name="inputs"/> map.</summary>
    public LinearMap(int outputs, int inputs, float[] weights)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        if (weights.Length != (long)outputs * inputs)
        {
            throw new ArgumentException($"A {outputs} x {inputs} map needs {(long)outputs * inputs} weights, not {weights.Length}.", nameof(weights));
        }
        Outputs = outputs;
        Inputs = inputs;
        Weights = weights;
    }

    /// <summary>Length of the vectors the map writes.</summary>
    public int Outputs { get; }

    /// <summary>Length of the vectors the map reads.</summary>
    public int Inputs { get; }

    /// <summary>The matrix, row-major: row o holds the weights of output o.</summary>
    public float[] Weights { get; }

    /// <summary>The identity map of <paramref name="dimension"/>: where adapter training starts.</summary>
    public static LinearMap Identity(int dimension)
    {
        var weights = new float[dimension * dimension];
        for (int i = 0; i < dimension; i++)
        {
            weights[i * dimension + i] = 1;
        }
        return new LinearMap(dimension, dimension, weights);
    }

    /// <summary>Writes W·<paramref name="input"/> into <paramref name="output"/> (which must not overlap the input).</summary>
    public void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != Inputs || output.Length != Outputs)
        {
            throw new ArgumentException($"The map takes {Inputs} values to {Outputs}; got {input.Length} to {output.Length}.");
        }
        ReadOnlySpan<float> weights = Weights;
        for (int o = 0; o < Outputs; o++)
        {
            output[o] = TensorPrimitives.Dot(weights.Slice(o * Inputs, Inputs), input);
        }
    }

    /// <summary>Writes the map to <paramref name="path"/> atomically (temporary file, flush, rename).</summary>
    public void Save(string path)
    {
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var writer = new ChecksummedWriter(file);
            writer.WriteHeader(Magic, FormatVersion);
            writer.WriteInt32(Outputs);
            writer.WriteInt32(Inputs);
            writer.EndSection();
            writer.Write<float>(Weights);
            writer.EndSection();
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Reads a map written by <see cref="Save"/>; a truncated, foreign or damaged file throws
    /// <see cref="SnapshotFormatException"/> naming it.
    /// </summary>
    public static LinearMap Load(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = new ChecksummedReader(file, path);
        reader.ExpectHeader(Magic, FormatVersion, "adapter map");
        int outputs = reader.ReadInt32("shape");
        int inputs = reader.ReadInt32("shape");
        reader.EndSection("shape");
        if (outputs <= 0 || inputs <= 0 || (long)outputs * inputs * sizeof(float) > file.Length)
        {
            throw reader.Invalid($"shape {outputs} x {inputs} does not fit a {file.Length}-byte file");
        }
        var weights = new float[outputs * inputs];
        reader.Read<float>(weights, "weights");
        reader.EndSection("weights");
        foreach (float weight in weights)
        {
            if (!float.IsFinite(weight))
            {
                throw reader.Invalid("a weight is not a finite number");
            }
        }
        return new LinearMap(outputs, inputs, weights);
    }
}
