using DprCluster.Encoders.Transformer;

namespace DprCluster.Encoders.Pretrained;

/// <summary>
/// A pretrained retrieval encoder that ships inside a NuGet package as two manifest resources of its assembly
/// (<c>{Resources}.model.onnx</c> and <c>{Resources}.vocab.txt</c>), with how it must be used: pooling, normalisation,
/// maximum length and prefixes. <see cref="PretrainedModels"/> is the one place these settings are declared.
/// </summary>
/// <param name="Name">The name configuration uses (<c>Encoder:Model</c>).</param>
/// <param name="PackageId">NuGet package that carries the model.</param>
/// <param name="PackageVersion">Exact package version (restored by PackageDownload).</param>
/// <param name="ResourcePrefix">Manifest resource names start with this, then <c>model.onnx</c> / <c>vocab.txt</c>.</param>
/// <param name="ModelSha256">SHA-256 of the model resource, checked when it is extracted.</param>
/// <param name="VocabularySha256">SHA-256 of the vocabulary resource.</param>
/// <param name="Dimension">Length of the vectors.</param>
/// <param name="MaxPositions">Positions the model was trained with.</param>
/// <param name="Pooling">How token vectors become one vector.</param>
/// <param name="MaxLength">Most tokens per text, special tokens included.</param>
/// <param name="QueryPrefix">Text put before every question.</param>
public sealed record PretrainedModel(
    string Name,
    string PackageId,
    string PackageVersion,
    string ResourcePrefix,
    string ModelSha256,
    string VocabularySha256,
    int Dimension,
    int MaxPositions,
    Pooling Pooling,
    int MaxLength,
    string QueryPrefix)
{
    /// <summary>Every model here is trained for cosine similarity, so its vectors are L2-normalised.</summary>
    public bool Normalize => true;
}
