namespace DprCluster.Silo.Client;

/// <summary>
/// How many passages the next ingest request carries: sized so a request takes about <see cref="TargetSeconds"/> of
/// the server's encoding, from the rate the server reports (<c>encoded / encode_ms</c>, which already reflects the
/// requests sharing its encoder), halved after a timeout or an overload, doubled while the server finds everything
/// already stored. A fixed size (<c>--batch N</c>) turns adaptation off.
/// </summary>
public sealed class IngestBatchSizer
{
    /// <summary>Encoding time one request aims at, well inside the server's write deadline.</summary>
    public const double TargetSeconds = 10;

    /// <summary>Where an adaptive ingest starts: small, so the first answer (and the first rate) comes fast.</summary>
    public const int InitialSize = 16;

    /// <summary>The smallest adaptive batch.</summary>
    public const int MinimumSize = 4;

    private readonly int _maximum;
    private readonly bool _fixed;

    /// <summary>An adaptive sizer up to <paramref name="maximum"/>, or a fixed one when <paramref name="fixedSize"/> is set.</summary>
    public IngestBatchSizer(int maximum, int? fixedSize)
    {
        _maximum = maximum;
        _fixed = fixedSize is not null;
        Size = fixedSize ?? Math.Min(InitialSize, maximum);
    }

    /// <summary>Passages for the next request.</summary>
    public int Size { get; private set; }

    /// <summary>Learns from a completed request.</summary>
    public void Completed(int encoded, int unchanged, double encodeMilliseconds)
    {
        if (_fixed)
        {
            return;
        }
        if (encoded == 0)
        {
            Size = unchanged > 0 ? Math.Min(_maximum, Size * 2) : Size;
            return;
        }
        double perSecond = encoded / Math.Max(encodeMilliseconds / 1000.0, 1e-3);
        double target = perSecond * TargetSeconds;
        // Halfway towards the target: one slow or fast request does not swing the size.
        Size = (int)Math.Clamp((Size + target) / 2, Math.Min(MinimumSize, _maximum), _maximum);
    }

    /// <summary>Learns from a request refused as overloaded or cut by a deadline.</summary>
    public void Overloaded()
    {
        if (!_fixed)
        {
            Size = Math.Min(_maximum, Math.Max(Math.Min(MinimumSize, _maximum), Size / 2));
        }
    }
}
