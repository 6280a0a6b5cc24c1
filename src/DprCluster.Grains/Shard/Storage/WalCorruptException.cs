namespace DprCluster.Grains.Shard.Storage;

/// <summary>
/// A log record in the middle of the log is damaged (a torn tail is truncated instead). Recovery stops here: the
/// file and offset say where an operator should look.
/// </summary>
public sealed class WalCorruptException(string file, long offset, string problem)
    : IOException($"{file}: corrupt log record at offset {offset}: {problem}")
{
    /// <summary>The damaged log file.</summary>
    public string File { get; } = file;

    /// <summary>Byte offset of the damaged record's frame.</summary>
    public long Offset { get; } = offset;
}
