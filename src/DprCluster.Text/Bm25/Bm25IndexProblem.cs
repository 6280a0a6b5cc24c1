namespace DprCluster.Text.Bm25;

/// <summary>What is wrong with a BM25 index file.</summary>
public enum Bm25IndexProblem
{
    /// <summary>The file does not start with the BM25 index magic: it is some other kind of file.</summary>
    BadMagic,

    /// <summary>The file was written by a format version this build cannot read.</summary>
    UnsupportedVersion,

    /// <summary>The file ends before the bytes its header announces.</summary>
    Truncated,

    /// <summary>The header or payload CRC32C does not match the bytes.</summary>
    ChecksumMismatch,

    /// <summary>The bytes checksum correctly but describe an impossible index.</summary>
    InvalidContent,
}
