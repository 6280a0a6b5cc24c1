using DprCluster.Text.Analysis;

namespace DprCluster.Text.Bm25;

/// <summary>A <see cref="Bm25Index"/> as it was at one moment (see <see cref="Bm25Index.Freeze"/>), for a snapshot.</summary>
public sealed class Bm25FrozenView
{
    private readonly EnglishAnalyzerOptions _analyzer;
    private readonly Bm25Parameters _parameters;
    private readonly InvertedIndexView _index;

    internal Bm25FrozenView(EnglishAnalyzerOptions analyzer, Bm25Parameters parameters, InvertedIndexView index)
    {
        _analyzer = analyzer;
        _parameters = parameters;
        _index = index;
    }

    /// <summary>Writes the view in the format <see cref="Bm25Index.ReadFrom"/> reads; see <see cref="Bm25IndexFile"/>.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Bm25IndexFile.Write(stream, _analyzer, _parameters, _index);
    }
}
