using System.Buffers;

namespace DprCluster.Silo.Api;

/// <summary>
/// A growable buffer that refuses to hold more than a limit: an answer being serialised stops as soon as it passes
/// the limit (with <see cref="InsufficientMemoryException"/>) instead of growing first and being measured after.
/// </summary>
internal sealed class BoundedBufferWriter(long limit) : IBufferWriter<byte>
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    /// <summary>The bytes written.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;

    /// <summary>How many bytes were written.</summary>
    public int WrittenCount => _buffer.WrittenCount;

    public void Advance(int count)
    {
        if (_buffer.WrittenCount + (long)count > limit)
        {
            throw new InsufficientMemoryException($"the answer passed {limit} bytes");
        }
        _buffer.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => _buffer.GetSpan(sizeHint);
}
