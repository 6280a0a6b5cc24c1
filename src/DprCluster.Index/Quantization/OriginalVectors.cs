namespace DprCluster.Index.Quantization;

/// <summary>
/// The full-precision vectors of a quantized graph, by slot: what re-ranking, exact search, snapshots and compaction
/// read. One writer (the graph's), any number of concurrent readers.
/// </summary>
internal abstract class OriginalVectors
{
    protected OriginalVectors(int dimensions) => Dimensions = dimensions;

    public int Dimensions { get; }

    /// <summary>Bytes of RAM this store holds (a file-backed one: none beyond the kernel's page cache).</summary>
    public abstract long MemoryBytes { get; }

    /// <summary>Where the vectors live, for reports: <c>memory</c> or <c>disk</c>.</summary>
    public abstract string Medium { get; }

    /// <summary>Stores the vector of <paramref name="slot"/>, replacing what it held.</summary>
    public abstract void Write(int slot, ReadOnlySpan<float> vector);

    /// <summary>Copies the vector of <paramref name="slot"/> into the first <see cref="Dimensions"/> floats of <paramref name="destination"/>.</summary>
    public abstract void Read(int slot, Span<float> destination);

    /// <summary>Copies the vectors of consecutive slots from <paramref name="firstSlot"/> on, filling <paramref name="destination"/>.</summary>
    public abstract void ReadRange(int firstSlot, Span<float> destination);

    /// <summary>A store for a new graph generation: in RAM without a directory, else a scratch file in it.</summary>
    public static OriginalVectors Create(int dimensions, string? directory) =>
        directory is null ? new MemoryOriginalVectors(dimensions) : FileOriginalVectors.CreateScratch(directory, dimensions);
}
