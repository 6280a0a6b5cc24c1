namespace DprCluster.Grains.Shard.Storage;

/// <summary>
/// A read-only window of <paramref name="length"/> bytes from the current position of <paramref name="inner"/>, so a
/// component that reads "until the end" (an index snapshot) can be embedded in a larger file.
/// </summary>
internal sealed class StreamSlice(Stream inner, long length) : Stream
{
    private readonly long _length = length;
    private long _remaining = length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _length - _remaining;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0)
        {
            return 0;
        }
        int read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    /// <summary>Moves the inner stream to the end of the window, whatever the consumer read.</summary>
    public void SkipRest()
    {
        Span<byte> scratch = stackalloc byte[4096];
        while (_remaining > 0 && Read(scratch) > 0)
        {
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
