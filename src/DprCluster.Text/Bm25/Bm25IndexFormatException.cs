namespace DprCluster.Text.Bm25;

/// <summary>A BM25 index file could not be read; <see cref="Problem"/> says why and the message names the source.</summary>
public sealed class Bm25IndexFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    public Bm25IndexFormatException(Bm25IndexProblem problem, string message, Exception? inner = null)
        : base(message, inner)
    {
        Problem = problem;
    }

    /// <summary>What is wrong.</summary>
    public Bm25IndexProblem Problem { get; }
}
