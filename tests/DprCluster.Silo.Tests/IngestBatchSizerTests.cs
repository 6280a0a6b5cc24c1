using DprCluster.Silo.Client;

namespace DprCluster.Silo.Tests;

public class IngestBatchSizerTests
{
    [Fact]
    public void Batches_move_towards_ten_seconds_of_the_reported_encoding_rate()
    {
        var sizer = new IngestBatchSizer(maximum: 1000, fixedSize: null);
        Assert.Equal(IngestBatchSizer.InitialSize, sizer.Size);
        // 16 passages in 1.6 s: 10 per second, so about 100 per 10 s; halfway from 16 is 58.
        sizer.Completed(encoded: 16, unchanged: 0, encodeMilliseconds: 1600);
        Assert.Equal(58, sizer.Size);
        for (int i = 0; i < 20; i++)
        {
            sizer.Completed(encoded: sizer.Size, unchanged: 0, encodeMilliseconds: sizer.Size * 100);
        }
        Assert.InRange(sizer.Size, 98, 100);
    }

    [Fact]
    public void A_fast_encoder_is_capped_at_the_maximum_and_an_overload_halves_the_batch()
    {
        var sizer = new IngestBatchSizer(maximum: 200, fixedSize: null);
        for (int i = 0; i < 10; i++)
        {
            sizer.Completed(encoded: sizer.Size, unchanged: 0, encodeMilliseconds: 1);
        }
        Assert.Equal(200, sizer.Size);
        sizer.Overloaded();
        Assert.Equal(100, sizer.Size);
        for (int i = 0; i < 10; i++)
        {
            sizer.Overloaded();
        }
        Assert.Equal(IngestBatchSizer.MinimumSize, sizer.Size);
    }

    [Fact]
    public void Batches_the_server_already_holds_double_and_a_fixed_size_never_moves()
    {
        var adaptive = new IngestBatchSizer(maximum: 1000, fixedSize: null);
        adaptive.Completed(encoded: 0, unchanged: 16, encodeMilliseconds: 0);
        Assert.Equal(32, adaptive.Size);

        var fixedSize = new IngestBatchSizer(maximum: 1000, fixedSize: 256);
        fixedSize.Completed(encoded: 256, unchanged: 0, encodeMilliseconds: 60_000);
        fixedSize.Overloaded();
        Assert.Equal(256, fixedSize.Size);
    }
}
