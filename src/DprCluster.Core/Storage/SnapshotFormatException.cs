namespace DprCluster.Core.Storage;

/// <summary>What is wrong with a snapshot file.</summary>
public enum SnapshotProblem
{
    /// <summary>The file does not start with the expected magic number: it is not this kind of file.</summary>
    BadMagic,

    /// <summary>The file was written by a format version this build cannot read.</summary>
    UnsupportedVersion,

    /// <summary>The file ends before the data its header announces.</summary>
    Truncated,

    /// <summary>A section's CRC32C does not match its bytes.</summary>
    ChecksumMismatch,

    /// <summary>The bytes checksum correctly but describe something impossible (an out-of-range link, say).</summary>
    InvalidContent,
}

/// <summary>A snapshot could not be loaded; <see cref="Problem"/> says why and the message names the file and section.</summary>
public sealed class SnapshotFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    public SnapshotFormatException(SnapshotProblem problem, string message, Exception? inner = null)
        : base(message, inner)
    {
        Problem = problem;
    }

    /// <summary>What is wrong.</summary>
    public SnapshotProblem Problem { get; }
}
