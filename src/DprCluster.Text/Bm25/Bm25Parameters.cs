namespace DprCluster.Text.Bm25;

/// <summary>
/// BM25 settings. Defaults are Anserini's BEIR settings: k1 = 0.9, b = 0.4, exact document lengths.
/// </summary>
public sealed record Bm25Parameters
{
    private readonly float _k1 = 0.9f;
    private readonly float _b = 0.4f;

    /// <summary>Term-frequency saturation, ≥ 0.</summary>
    public float K1
    {
        get => _k1;
        init
        {
            if (!float.IsFinite(value) || value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(K1), value, "k1 must be a finite number ≥ 0.");
            }
            _k1 = value;
        }
    }

    /// <summary>Length normalisation strength, in [0, 1].</summary>
    public float B
    {
        get => _b;
        init
        {
            if (!float.IsFinite(value) || value is < 0 or > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(B), value, "b must lie in [0, 1].");
            }
            _b = value;
        }
    }

    /// <summary>Which document length the normalisation uses.</summary>
    public DocumentLengthEncoding LengthEncoding { get; init; } = DocumentLengthEncoding.Exact;
}
