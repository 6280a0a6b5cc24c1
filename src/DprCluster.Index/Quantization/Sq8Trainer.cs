namespace DprCluster.Index.Quantization;

/// <summary>
/// Learns the <see cref="Sq8Range"/> of an index from its first vectors: the exact per-dimension min and max of
/// what it has seen. The range is republished at doubling counts (2, 4, 8, … up to <see cref="TrainingVectors"/>),
/// each time asking the graph to re-encode its nodes, so re-encoding costs O(n·d) in all; after that it is frozen
/// and later values beyond it saturate (the full-precision re-ranking absorbs that error).
/// </summary>
internal sealed class Sq8Trainer
{
    /// <summary>Vectors after which the range no longer changes.</summary>
    public const int TrainingVectors = 16384;

    private const int FirstCheckpoint = 2;

    private readonly float[] _low;
    private readonly float[] _high;
    private int _observed;
    private int _nextCheckpoint = FirstCheckpoint;
    private bool _widenedSinceCheckpoint;

    public Sq8Trainer(int dimensions)
    {
        _low = new float[dimensions];
        _high = new float[dimensions];
    }

    /// <summary>Resumes training with a stored range and count (a loaded snapshot).</summary>
    public Sq8Trainer(Sq8Range range, int observed) : this(range.Dimensions)
    {
        for (int i = 0; i < _low.Length; i++)
        {
            _low[i] = range.Min[i];
            _high[i] = range.Min[i] + 255f * range.Scale[i];
        }
        _observed = observed;
        while (_nextCheckpoint <= observed && _nextCheckpoint <= TrainingVectors)
        {
            _nextCheckpoint *= 2;
        }
    }

    /// <summary>Vectors seen so far (capped at <see cref="TrainingVectors"/>, after which nothing changes).</summary>
    public int Observed => _observed;

    /// <summary>True once the range is final.</summary>
    public bool Frozen => _observed >= TrainingVectors;

    /// <summary>
    /// Takes one vector into the range. Returns a new range when the graph must re-encode its nodes (the first
    /// vector, and a checkpoint after the range widened); null when the published range stays.
    /// </summary>
    public Sq8Range? Observe(ReadOnlySpan<float> vector)
    {
        if (Frozen)
        {
            return null;
        }
        if (_observed == 0)
        {
            vector.CopyTo(_low);
            vector.CopyTo(_high);
        }
        else
        {
            for (int i = 0; i < vector.Length; i++)
            {
                float x = vector[i];
                if (x < _low[i])
                {
                    _low[i] = x;
                    _widenedSinceCheckpoint = true;
                }
                else if (x > _high[i])
                {
                    _high[i] = x;
                    _widenedSinceCheckpoint = true;
                }
            }
        }
        _observed++;
        if (_observed == 1)
        {
            return Sq8Range.Covering(_low, _high);
        }
        if (_observed == _nextCheckpoint || _observed == TrainingVectors)
        {
            _nextCheckpoint *= 2;
            if (_widenedSinceCheckpoint)
            {
                _widenedSinceCheckpoint = false;
                return Sq8Range.Covering(_low, _high);
            }
        }
        return null;
    }
}
