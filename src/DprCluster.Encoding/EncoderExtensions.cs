namespace DprCluster.Encoders;

/// <summary>Array-returning conveniences over <see cref="IEncoder"/> for callers that do not manage their own buffers.</summary>
public static class EncoderExtensions
{
    /// <summary>The vector of one question.</summary>
    public static float[] EncodeQuery(this IEncoder encoder, string query)
    {
        var vector = new float[encoder.Dimension];
        encoder.EncodeQueries(new ReadOnlySpan<string>(in query), vector);
        return vector;
    }

    /// <summary>The vector of one passage.</summary>
    public static float[] EncodePassage(this IEncoder encoder, PassageText passage)
    {
        var vector = new float[encoder.Dimension];
        encoder.EncodePassages(new ReadOnlySpan<PassageText>(in passage), vector);
        return vector;
    }

    /// <summary>One vector per question.</summary>
    public static float[][] EncodeQueries(this IEncoder encoder, IReadOnlyList<string> queries)
    {
        var flat = new float[queries.Count * encoder.Dimension];
        encoder.EncodeQueries(queries.ToArray(), flat);
        return Split(flat, queries.Count, encoder.Dimension);
    }

    /// <summary>One vector per passage.</summary>
    public static float[][] EncodePassages(this IEncoder encoder, IReadOnlyList<PassageText> passages)
    {
        var flat = new float[passages.Count * encoder.Dimension];
        encoder.EncodePassages(passages.ToArray(), flat);
        return Split(flat, passages.Count, encoder.Dimension);
    }

    /// <summary>
    /// Throws <see cref="EncoderDimensionMismatchException"/> when the encoder's vectors cannot go into an index of
    /// <paramref name="indexDimension"/> dimensions.
    /// </summary>
    public static void RequireDimension(this IEncoder encoder, int indexDimension, string indexName)
    {
        if (encoder.Dimension != indexDimension)
        {
            throw new EncoderDimensionMismatchException(encoder.Dimension, indexDimension, indexName);
        }
    }

    /// <summary>Throws <see cref="EncoderDimensionMismatchException"/> when the encoder's vectors do not fit <paramref name="index"/>.</summary>
    public static void RequireDimension(this IEncoder encoder, DprCluster.Index.IVectorIndex index, string indexName) =>
        encoder.RequireDimension(index.Dimensions, indexName);

    private static float[][] Split(float[] flat, int count, int dimension)
    {
        var rows = new float[count][];
        for (int i = 0; i < count; i++)
        {
            rows[i] = flat.AsSpan(i * dimension, dimension).ToArray();
        }
        return rows;
    }
}
