using DprCluster.Encoders.Static;
using DprCluster.Encoders.Transformer;

namespace DprCluster.Encoders.Trained;

/// <summary>Opens the encoder a trained model directory describes (see <see cref="TrainedModelManifest"/>).</summary>
public static class TrainedEncoder
{
    /// <summary>Word-vector towers: <paramref name="vectors"/> (the static base) with the directory's trained rows and maps.</summary>
    public static StaticEncoder OpenTowers(string directory, WordVectorTable vectors)
    {
        TrainedModelManifest manifest = Expect(directory, TrainedKind.StaticTowers);
        WordVectorTable questions = manifest.QuestionVectors is { } q ? vectors.WithRows(WordVectorTable.Load(Path.Combine(directory, q))) : vectors;
        WordVectorTable passages = manifest.PassageVectors is { } p ? vectors.WithRows(WordVectorTable.Load(Path.Combine(directory, p))) : vectors;
        var encoder = new StaticEncoder(
            new StaticTower(questions, LoadMap(directory, manifest.QuestionMap), manifest.QuestionFrequencyWeights,
                manifest.HashedWords?.QuestionChannel()),
            new StaticTower(passages, LoadMap(directory, manifest.PassageMap), manifest.PassageFrequencyWeights,
                manifest.HashedWords?.PassageChannel()));
        RequireDimension(encoder, manifest, directory);
        return encoder;
    }

    /// <summary>
    /// Adapters over <paramref name="inner"/>, the opened base model; the result owns it (and disposes it if opening
    /// fails).
    /// </summary>
    public static AdaptedEncoder OpenAdapter(string directory, IEncoder inner)
    {
        try
        {
            TrainedModelManifest manifest = Expect(directory, TrainedKind.Adapter);
            RequireDimension(inner, manifest, directory);
            return new AdaptedEncoder(inner, LoadMap(directory, manifest.QuestionMap), LoadMap(directory, manifest.PassageMap));
        }
        catch
        {
            inner.Dispose();
            throw;
        }
    }

    private static TrainedModelManifest Expect(string directory, TrainedKind kind)
    {
        TrainedModelManifest manifest = TrainedModelManifest.Read(directory);
        return manifest.Trained == kind
            ? manifest
            : throw new ModelFormatException($"{directory} holds a trained {manifest.Trained}, not {kind}.");
    }

    private static LinearMap? LoadMap(string directory, string? file) => file is null ? null : LinearMap.Load(Path.Combine(directory, file));

    private static void RequireDimension(IEncoder encoder, TrainedModelManifest manifest, string directory)
    {
        if (encoder.Dimension != manifest.Dimension)
        {
            throw new ModelFormatException(
                $"{directory} says its vectors have {manifest.Dimension} dimensions, but its base '{manifest.Base}' makes {encoder.Dimension}.");
        }
    }
}
