using DprCluster.Abstractions;
using DprCluster.Grains.Shard.Storage;

namespace DprCluster.Grains.Tests;

public class WriteAheadLogTests
{
    private static WalEntry Upsert(long lsn, string id) =>
        new(lsn, WalEntryKind.Upsert, new EncodedPassage(new Passage(id, "t " + id, "text of " + id,
            new Dictionary<string, string> { ["k"] = "v" + lsn }), [lsn, -lsn, 0.5f]), null);

    private static List<WalEntry> Replay(string directory, long after = 0)
    {
        var entries = new List<WalEntry>();
        using WriteAheadLog log = WriteAheadLog.Open(directory, after, WalSyncMode.Always, entries.Add);
        return entries;
    }

    [Fact]
    public void Appended_records_replay_in_order_with_their_content()
    {
        using var dir = new TestDirectory();
        using (WriteAheadLog log = WriteAheadLog.Open(dir.Path, 0, WalSyncMode.Always, _ => throw new InvalidOperationException()))
        {
            log.Append([Upsert(1, "a"), Upsert(2, "b")]);
            log.Append([new WalEntry(3, WalEntryKind.Delete, null, "a")]);
            Assert.Equal(3, log.LastLsn);
            Assert.Throws<InvalidOperationException>(() => log.Append([Upsert(5, "gap")]));
        }
        List<WalEntry> replayed = Replay(dir.Path);
        Assert.Equal([1L, 2, 3], replayed.Select(e => e.Lsn));
        Assert.Equal("b", replayed[1].Upsert!.Passage.Id);
        Assert.Equal("v2", replayed[1].Upsert!.Passage.Metadata!["k"]);
        Assert.Equal([2f, -2f, 0.5f], replayed[1].Upsert!.Vector);
        Assert.Equal("a", replayed[2].DeletedId);
        Assert.Equal([3L], Replay(dir.Path, after: 2).Select(e => e.Lsn));
    }

    [Fact]
    public void A_torn_last_record_is_truncated_and_the_log_goes_on()
    {
        using var dir = new TestDirectory();
        using (WriteAheadLog log = WriteAheadLog.Open(dir.Path, 0, WalSyncMode.Always, _ => { }))
        {
            log.Append([Upsert(1, "a"), Upsert(2, "b"), Upsert(3, "c")]);
        }
        string file = Directory.GetFiles(dir.Path, "wal-*.log").Single();
        long full = new FileInfo(file).Length;
        byte[] original = File.ReadAllBytes(file);
        int first = BitConverter.ToInt32(original, 0) + 8;
        int thirdStart = first + BitConverter.ToInt32(original, first) + 8;
        foreach (int cut in new[] { 1, 5, 9, 20 })
        {
            using (var stream = new FileStream(file, FileMode.Open))
            {
                stream.SetLength(full - cut);
            }
            Assert.Equal([1L, 2], Replay(dir.Path).Select(e => e.Lsn));
            Assert.Equal(thirdStart, new FileInfo(file).Length);
            using (WriteAheadLog log = WriteAheadLog.Open(dir.Path, 0, WalSyncMode.Always, _ => { }))
            {
                Assert.Equal(2, log.LastLsn);
                log.Append([Upsert(3, "c")]);
            }
            Assert.Equal([1L, 2, 3], Replay(dir.Path).Select(e => e.Lsn));
        }
    }

    [Fact]
    public void Damage_in_the_middle_is_reported_with_file_and_offset()
    {
        using var dir = new TestDirectory();
        using (WriteAheadLog log = WriteAheadLog.Open(dir.Path, 0, WalSyncMode.Always, _ => { }))
        {
            log.Append([Upsert(1, "a"), Upsert(2, "b"), Upsert(3, "c")]);
        }
        string file = Directory.GetFiles(dir.Path, "wal-*.log").Single();
        byte[] bytes = File.ReadAllBytes(file);
        int secondRecord = BitConverter.ToInt32(bytes, 0) + 8;
        bytes[secondRecord + 20] ^= 0x40;
        File.WriteAllBytes(file, bytes);

        var error = Assert.Throws<WalCorruptException>(() => Replay(dir.Path));
        Assert.Equal(file, error.File);
        Assert.Equal(secondRecord, error.Offset);
        Assert.Contains(Path.GetFileName(file), error.Message);
        Assert.Equal(bytes.Length, new FileInfo(file).Length);
    }

    [Fact]
    public void Rotation_drops_files_a_snapshot_made_obsolete()
    {
        using var dir = new TestDirectory();
        using (WriteAheadLog log = WriteAheadLog.Open(dir.Path, 0, WalSyncMode.OsBuffered, _ => { }))
        {
            log.Append([Upsert(1, "a"), Upsert(2, "b")]);
            log.Rotate(obsoleteThroughLsn: 0);
            log.Append([Upsert(3, "c")]);
            Assert.Equal(2, Directory.GetFiles(dir.Path, "wal-*.log").Length);
            log.Rotate(obsoleteThroughLsn: 2);
            log.Append([Upsert(4, "d")]);
        }
        Assert.Equal(2, Directory.GetFiles(dir.Path, "wal-*.log").Length);
        Assert.Equal([3L, 4], Replay(dir.Path, after: 2).Select(e => e.Lsn));
    }

    [Fact]
    public void Peers_read_records_after_an_lsn_and_learn_when_a_snapshot_replaced_them()
    {
        using var dir = new TestDirectory();
        using WriteAheadLog log = WriteAheadLog.Open(dir.Path, 0, WalSyncMode.OsBuffered, _ => { });
        log.Append([Upsert(1, "a"), Upsert(2, "b"), Upsert(3, "c")]);
        log.Rotate(obsoleteThroughLsn: 0);
        log.Append([Upsert(4, "d"), new WalEntry(5, WalEntryKind.Delete, null, "a")]);
        Assert.Equal([2L, 3, 4, 5], log.ReadAfter(1, 100, 1 << 20)!.Select(e => e.Lsn));
        Assert.Equal([4L], log.ReadAfter(3, 1, 1 << 20)!.Select(e => e.Lsn));
        Assert.Empty(log.ReadAfter(5, 100, 1 << 20)!);
        Assert.Equal("a", log.ReadAfter(4, 100, 1 << 20)![0].DeletedId);
        // A snapshot at 3 lets the rotation drop the first file: records after 0 are no longer there to read.
        log.Rotate(obsoleteThroughLsn: 3);
        Assert.Null(log.ReadAfter(0, 100, 1 << 20));
        Assert.Equal([4L, 5], log.ReadAfter(3, 100, 1 << 20)!.Select(e => e.Lsn));
    }

    [Fact]
    public void A_log_that_ends_before_the_snapshot_goes_on_in_a_file_of_its_own()
    {
        // What a crash while a peer's snapshot (LSN 10) was being installed leaves: the old log still ends at 3.
        using var dir = new TestDirectory();
        using (WriteAheadLog log = WriteAheadLog.Open(dir.Path, 0, WalSyncMode.Always, _ => { }))
        {
            log.Append([Upsert(1, "a"), Upsert(2, "b"), Upsert(3, "c")]);
        }
        string oldFile = Assert.Single(Directory.GetFiles(dir.Path, "wal-*.log"));
        long oldLength = new FileInfo(oldFile).Length;
        using (WriteAheadLog log = WriteAheadLog.Open(dir.Path, 10, WalSyncMode.Always, _ => throw new InvalidOperationException("nothing to replay")))
        {
            Assert.Equal(10, log.LastLsn);
            log.Append([Upsert(11, "k")]);
            Assert.Equal([11L], log.ReadAfter(10, 100, 1 << 20)!.Select(e => e.Lsn));
        }
        Assert.Equal(oldLength, new FileInfo(oldFile).Length);
        Assert.Equal(2, Directory.GetFiles(dir.Path, "wal-*.log").Length);
        Assert.Equal([11L], Replay(dir.Path, after: 10).Select(e => e.Lsn));
    }
}
