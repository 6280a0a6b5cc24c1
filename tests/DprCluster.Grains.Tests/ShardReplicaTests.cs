using DprCluster.Abstractions;
using DprCluster.Grains.Shard;
using DprCluster.Grains.Shard.Storage;
using DprCluster.Index.Hnsw;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;
using DprCluster.Testing;

namespace DprCluster.Grains.Tests;

public class ShardReplicaTests
{
    private static readonly HashingEncoder Encoder = new();

    private static async Task<ShardReplica> StartAsync(string directory, int snapshotEvery = 50_000)
    {
        var grain = new ShardReplica(3, new ShardOptions(directory, Encoder.Dimension) { SnapshotEveryRecords = snapshotEvery });
        await grain.StartAsync();
        return grain;
    }

    private static EncodedPassage Encoded(string id, string text) => new(new Passage(id, "", text), Encoder.Encode(text));

    private static Task<ShardWriteResponse> UpsertAsync(ShardReplica grain, params (string Id, string Text)[] passages) =>
        grain.UpsertAsync(new ShardUpsertRequest(passages.Select(p => Encoded(p.Id, p.Text)).ToArray()), CancellationToken.None);

    private static async Task<List<string>> DenseIdsAsync(ShardReplica grain, string query, int k = 10)
    {
        ShardSearchResponse response = await grain.SearchAsync(new ShardSearchRequest(Encoder.Encode(query), null, null, k), CancellationToken.None);
        return response.Dense.Select(h => h.Id).ToList();
    }

    [Fact]
    public async Task An_acknowledged_upsert_is_visible_to_the_next_search_and_a_delete_is_gone()
    {
        using var dir = new TestDirectory();
        await using ShardReplica grain = await StartAsync(dir.Path);
        ShardWriteResponse ack = await UpsertAsync(grain, ("p1", "red apples grow on trees"), ("p2", "the ocean is deep and blue"));
        Assert.Equal(2, ack.Applied);
        Assert.Equal(2, ack.Lsn);
        Assert.Equal("p1", (await DenseIdsAsync(grain, "red apples"))[0]);

        QueryTerms terms = Bm25Messages.ToMessage(Bm25Query.Parse("ocean", EnglishAnalyzer.Default));
        ShardSearchResponse bm25 = await grain.SearchAsync(new ShardSearchRequest(null, terms, null, 5), CancellationToken.None);
        Assert.Equal("p2", Assert.Single(bm25.Bm25).Id);

        await UpsertAsync(grain, ("p1", "the ocean has whales"));
        Assert.Equal("the ocean has whales", (await grain.GetAsync("p1", CancellationToken.None))!.Text);

        ShardWriteResponse deleted = await grain.DeleteAsync(new ShardDeleteRequest(["p2", "never-there"]), CancellationToken.None);
        Assert.Equal(1, deleted.Applied);
        Assert.DoesNotContain("p2", await DenseIdsAsync(grain, "the ocean is deep and blue"));
        Assert.Null(await grain.GetAsync("p2", CancellationToken.None));
        ShardStats stats = await grain.GetStatsAsync(CancellationToken.None);
        Assert.Equal((ShardState.Serving, 1, 5L), (stats.State, stats.Passages, stats.LastLsn));
    }

    [Fact]
    public async Task A_full_disk_refuses_writes_with_insufficient_storage_keeps_serving_reads_and_resumes_when_space_returns()
    {
        using var dir = new TestDirectory();
        var device = new FaultyStorageDevice();
        var options = new ShardOptions(dir.Path, Encoder.Dimension) { Device = device, ReadOnlyRetryMs = 50 };
        var acknowledged = new List<string>();
        await using (var grain = new ShardReplica(3, options))
        {
            await grain.StartAsync();
            await UpsertAsync(grain, ("before", "written before the disk filled"));
            acknowledged.Add("before");

            device.DiskFull = true;
            ClusterException refused = await Assert.ThrowsAsync<ClusterException>(() => UpsertAsync(grain, ("during", "the disk is full now")));
            Assert.Equal(ClusterErrorCodes.InsufficientStorage, refused.Code);
            Assert.Equal(ShardState.ReadOnly, grain.State);
            Assert.Equal(ClusterErrorCodes.InsufficientStorage,
                (await Assert.ThrowsAsync<ClusterException>(() => UpsertAsync(grain, ("also", "refused at once")))).Code);
            Assert.Equal("before", (await DenseIdsAsync(grain, "written before the disk filled"))[0]);
            Assert.NotNull(await grain.GetAsync("before", CancellationToken.None));
            Assert.Null(await grain.GetAsync("during", CancellationToken.None));

            device.DiskFull = false;
            await Poll.UntilAsync("the replica to take writes again", TimeSpan.FromSeconds(30), () => Task.FromResult(grain.State == ShardState.Serving));
            await UpsertAsync(grain, ("after", "space came back"));
            acknowledged.Add("after");
        }
        await using ShardReplica restarted = await StartAsync(dir.Path);
        Assert.Equal(ShardState.Serving, restarted.State);
        foreach (string id in acknowledged)
        {
            Assert.NotNull(await restarted.GetAsync(id, CancellationToken.None));
        }
        Assert.Null(await restarted.GetAsync("during", CancellationToken.None));
        Assert.Equal(2, (await restarted.GetStatsAsync(CancellationToken.None)).LastLsn);
    }

    [Fact]
    public async Task A_failed_fsync_fails_its_group_and_no_later_write_follows_a_half_record()
    {
        using var dir = new TestDirectory();
        var device = new FaultyStorageDevice();
        var options = new ShardOptions(dir.Path, Encoder.Dimension) { Device = device, ReadOnlyRetryMs = 50 };
        await using (var grain = new ShardReplica(3, options))
        {
            await grain.StartAsync();
            device.FailNextFsync = true;
            ClusterException failed = await Assert.ThrowsAsync<ClusterException>(() => UpsertAsync(grain, ("lost", "never acknowledged")));
            Assert.Equal(ClusterErrorCodes.ShardReadOnly, failed.Code);
            await Poll.UntilAsync("the replica to take writes again", TimeSpan.FromSeconds(30), () => Task.FromResult(grain.State == ShardState.Serving));
            await UpsertAsync(grain, ("kept", "acknowledged after the failure"));
        }
        await using ShardReplica restarted = await StartAsync(dir.Path);
        Assert.Equal(ShardState.Serving, restarted.State);
        Assert.NotNull(await restarted.GetAsync("kept", CancellationToken.None));
        Assert.Null(await restarted.GetAsync("lost", CancellationToken.None));
    }

    [Fact]
    public async Task Under_random_short_writes_full_disks_and_failed_fsyncs_every_acknowledged_write_replays_and_no_refused_one_does()
    {
        using var dir = new TestDirectory();
        var device = new FaultyStorageDevice { Chaos = new Random(1202), FaultRate = 0.15 };
        var options = new ShardOptions(dir.Path, Encoder.Dimension) { Device = device, ReadOnlyRetryMs = 5, SnapshotEveryRecords = 40 };
        var acknowledged = new HashSet<string>();
        await using (var grain = new ShardReplica(3, options))
        {
            await grain.StartAsync();
            for (int i = 0; i < 300; i++)
            {
                try
                {
                    await UpsertAsync(grain, ($"p{i}", $"passage {i} about rivers and kelp"), ($"q{i}", $"its twin {i}"));
                    acknowledged.Add($"p{i}");
                    acknowledged.Add($"q{i}");
                }
                catch (ClusterException e) when (e.Code is ClusterErrorCodes.InsufficientStorage or ClusterErrorCodes.ShardReadOnly)
                {
                    await Poll.UntilAsync("the replica to take writes again", TimeSpan.FromSeconds(30),
                        () => Task.FromResult(grain.State == ShardState.Serving));
                }
            }
            device.Chaos = null;
        }
        Assert.InRange(device.Faults, 20, 300);
        Assert.InRange(acknowledged.Count, 200, 600);
        await using ShardReplica restarted = await StartAsync(dir.Path);
        Assert.Equal(ShardState.Serving, restarted.State);
        Assert.Equal(acknowledged.Count, (await restarted.GetStatsAsync(CancellationToken.None)).Passages);
        foreach (string id in acknowledged)
        {
            Assert.NotNull(await restarted.GetAsync(id, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Zeros_after_the_last_record_are_a_torn_tail_and_stale_snapshot_temporaries_are_removed()
    {
        using var dir = new TestDirectory();
        await using (ShardReplica grain = await StartAsync(dir.Path))
        {
            await UpsertAsync(grain, ("a", "first"), ("b", "second"));
        }
        string shard = Path.Combine(dir.Path, "shard-3");
        string log = Directory.GetFiles(shard, "wal-*.log").Single();
        long length = new FileInfo(log).Length;
        using (var stream = new FileStream(log, FileMode.Append))
        {
            stream.Write(new byte[4096]);
        }
        string temporary = Path.Combine(shard, "snapshot-00000000000000000009.bin.tmp");
        File.WriteAllBytes(temporary, new byte[100]);
        await using ShardReplica restarted = await StartAsync(dir.Path);
        Assert.Equal(ShardState.Serving, restarted.State);
        Assert.Equal(length, new FileInfo(log).Length);
        Assert.False(File.Exists(temporary));
        Assert.Contains("torn tail", (await restarted.GetStatsAsync(CancellationToken.None)).Error);
        Assert.NotNull(await restarted.GetAsync("b", CancellationToken.None));
    }

    [Fact]
    public async Task A_last_record_with_a_bad_checksum_and_garbage_after_it_is_a_torn_tail()
    {
        using var dir = new TestDirectory();
        await using (ShardReplica grain = await StartAsync(dir.Path))
        {
            await UpsertAsync(grain, ("a", "first"));
            await UpsertAsync(grain, ("b", "second"));
        }
        string log = Directory.GetFiles(Path.Combine(dir.Path, "shard-3"), "wal-*.log").Single();
        byte[] bytes = File.ReadAllBytes(log);
        int second = BitConverter.ToInt32(bytes, 0) + 8;
        bytes[^3] ^= 0x55; // the second (last) record's payload is damaged ...
        File.WriteAllBytes(log, [.. bytes, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // ... and stale bytes follow it
        await using ShardReplica restarted = await StartAsync(dir.Path);
        Assert.Equal(ShardState.Serving, restarted.State);
        Assert.NotNull(await restarted.GetAsync("a", CancellationToken.None));
        Assert.Null(await restarted.GetAsync("b", CancellationToken.None));
        Assert.Equal(second, new FileInfo(log).Length);
    }

    [Fact]
    public async Task A_damaged_length_field_with_records_after_it_stops_the_replica_naming_file_and_offset()
    {
        using var dir = new TestDirectory();
        await using (ShardReplica grain = await StartAsync(dir.Path))
        {
            for (int i = 0; i < 5; i++)
            {
                await UpsertAsync(grain, ($"p{i}", $"passage number {i}"));
            }
        }
        string log = Directory.GetFiles(Path.Combine(dir.Path, "shard-3"), "wal-*.log").Single();
        byte[] bytes = File.ReadAllBytes(log);
        int second = BitConverter.ToInt32(bytes, 0) + 8;
        bytes[second + 3] = 0x7f; // the second record's length now runs past the end of the file
        File.WriteAllBytes(log, bytes);
        await using ShardReplica restarted = await StartAsync(dir.Path);
        Assert.Equal(ShardState.Failed, restarted.State);
        Assert.Contains($"offset {second}", restarted.Error);
        Assert.Contains(Path.GetFileName(log), restarted.Error);
        Assert.Equal(bytes.Length, new FileInfo(log).Length); // nothing was cut
    }

    [Theory]
    [InlineData(50_000)]
    [InlineData(7)]
    public async Task Every_acknowledged_write_survives_a_restart(int snapshotEvery)
    {
        using var dir = new TestDirectory();
        var expected = new Dictionary<string, string>();
        await using (ShardReplica grain = await StartAsync(dir.Path, snapshotEvery))
        {
            var writes = new List<Task>();
            for (int i = 0; i < 60; i++)
            {
                string text = $"passage number {i} about topic {i % 7}";
                writes.Add(UpsertAsync(grain, ($"id-{i}", text)));
                expected[$"id-{i}"] = text;
            }
            await Task.WhenAll(writes);
            for (int i = 0; i < 60; i += 5)
            {
                await grain.DeleteAsync(new ShardDeleteRequest([$"id-{i}"]), CancellationToken.None);
                expected.Remove($"id-{i}");
            }
            if (snapshotEvery < 60)
            {
                // Due snapshots are written beside the writer, so one may still be on its way.
                await Poll.UntilAsync("a snapshot written", TimeSpan.FromSeconds(60),
                    () => Task.FromResult(ShardSnapshot.List(Path.Combine(dir.Path, "shard-3")).Count > 0));
            }
        }

        await using ShardReplica recovered = await StartAsync(dir.Path, snapshotEvery);
        Assert.Equal(ShardState.Serving, recovered.State);
        Assert.Equal(expected.Count, (await recovered.GetStatsAsync(CancellationToken.None)).Passages);
        foreach ((string id, string text) in expected)
        {
            Assert.Equal(text, (await recovered.GetAsync(id, CancellationToken.None))?.Text);
            Assert.Contains(id, await DenseIdsAsync(recovered, text, k: 3));
        }
        Assert.Null(await recovered.GetAsync("id-0", CancellationToken.None));
    }

    [Fact]
    public async Task Writes_are_acknowledged_while_a_snapshot_is_written_and_the_snapshot_holds_the_frozen_position()
    {
        using var dir = new TestDirectory();
        var device = new FaultyStorageDevice { SnapshotGate = new SemaphoreSlim(0) };
        var options = new ShardOptions(dir.Path, Encoder.Dimension) { Device = device };
        var expected = new Dictionary<string, string>();
        await using (var grain = new ShardReplica(3, options))
        {
            await grain.StartAsync();
            for (int i = 0; i < 10; i++)
            {
                await UpsertAsync(grain, ($"before-{i}", $"written before the snapshot {i}"));
                expected[$"before-{i}"] = $"written before the snapshot {i}";
            }
            Task snapshot = grain.SnapshotAsync();
            await Poll.UntilAsync("the snapshot to reach the disk", TimeSpan.FromSeconds(60),
                () => Task.FromResult(Volatile.Read(ref device.SnapshotsStarted) == 1));

            // The snapshot is stalled on its disk; the writer is not.
            for (int i = 0; i < 20; i++)
            {
                await UpsertAsync(grain, ($"during-{i}", $"written while the snapshot stalls {i}")).WaitAsync(TimeSpan.FromSeconds(60));
                expected[$"during-{i}"] = $"written while the snapshot stalls {i}";
            }
            await UpsertAsync(grain, ("before-0", "replaced while the snapshot stalls")).WaitAsync(TimeSpan.FromSeconds(60));
            expected["before-0"] = "replaced while the snapshot stalls";
            await grain.DeleteAsync(new ShardDeleteRequest(["before-1"]), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            expected.Remove("before-1");
            Assert.False(snapshot.IsCompleted);

            device.SnapshotGate.Release();
            await snapshot.WaitAsync(TimeSpan.FromSeconds(60));
            ShardStats stats = await grain.GetStatsAsync(CancellationToken.None);
            Assert.Equal((10L, 32L), (stats.SnapshotLsn, stats.LastLsn));

            // With no write since, the log file the rotation started is still empty: the next snapshot keeps it.
            device.SnapshotGate = null;
            await grain.SnapshotAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(32L, (await grain.GetStatsAsync(CancellationToken.None)).SnapshotLsn);
            await UpsertAsync(grain, ("after", "written after both snapshots"));
            expected["after"] = "written after both snapshots";
        }
        List<(string Path, long Lsn)> snapshots = ShardSnapshot.List(Path.Combine(dir.Path, "shard-3"));
        Assert.Equal([32L, 10L], snapshots.Select(s => s.Lsn));
        ShardContents older = ShardSnapshot.Read(snapshots[1].Path, 3, new BufferedIndexingOptions(100, 1));
        Assert.Equal(10, older.Passages.Count);
        older.Vectors.Dispose();

        await using ShardReplica recovered = await StartAsync(dir.Path);
        Assert.Equal((ShardState.Serving, expected.Count), (recovered.State, (await recovered.GetStatsAsync(CancellationToken.None)).Passages));
        foreach ((string id, string text) in expected)
        {
            Assert.Equal(text, (await recovered.GetAsync(id, CancellationToken.None))?.Text);
            Assert.Contains(id, await DenseIdsAsync(recovered, text, k: 3));
        }
        Assert.Null(await recovered.GetAsync("before-1", CancellationToken.None));
    }

    [Fact]
    public async Task The_recall_probe_s_latest_measurement_shows_in_the_stats()
    {
        using var dir = new TestDirectory();
        await using var grain = new ShardReplica(3, new ShardOptions(dir.Path, Encoder.Dimension) { RecallProbeIntervalMs = 1 });
        await grain.StartAsync();
        await UpsertAsync(grain, ("a", "alpha words"), ("b", "beta words"), ("c", "gamma words"));
        Assert.Null((await grain.GetStatsAsync(CancellationToken.None)).Recall);
        // A graph of three nodes finds the exact top-k, so the probe measures 1.
        await Poll.UntilAsync("a recall measurement", TimeSpan.FromSeconds(60), async () =>
        {
            await DenseIdsAsync(grain, "alpha", k: 2);
            return (await grain.GetStatsAsync(CancellationToken.None)).Recall == 1.0;
        });
    }

    [Fact]
    public async Task A_failed_snapshot_is_reported_to_its_caller_and_writes_go_on()
    {
        using var dir = new TestDirectory();
        var device = new FaultyStorageDevice();
        var options = new ShardOptions(dir.Path, Encoder.Dimension) { Device = device };
        await using var grain = new ShardReplica(3, options);
        await grain.StartAsync();
        await UpsertAsync(grain, ("a", "alpha words"));
        device.SnapshotGate = new SemaphoreSlim(0);
        Task snapshot = grain.SnapshotAsync();
        await Poll.UntilAsync("the snapshot to reach the disk", TimeSpan.FromSeconds(60),
            () => Task.FromResult(Volatile.Read(ref device.SnapshotsStarted) == 1));
        device.DiskFull = true;
        device.SnapshotGate.Release();

        var failure = await Assert.ThrowsAsync<ClusterException>(() => snapshot.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(ClusterErrorCodes.Internal, failure.Code);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "shard-3"), "snapshot-*"));
        device.DiskFull = false;
        device.SnapshotGate = null;
        Assert.Equal(1, (await UpsertAsync(grain, ("b", "beta words"))).Applied);
        await grain.SnapshotAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2L, (await grain.GetStatsAsync(CancellationToken.None)).SnapshotLsn);
    }

    [Fact]
    public async Task A_damaged_newest_snapshot_falls_back_to_the_previous_one_and_the_log()
    {
        using var dir = new TestDirectory();
        await using (ShardReplica grain = await StartAsync(dir.Path))
        {
            await UpsertAsync(grain, ("a", "alpha words"), ("b", "beta words"));
            await grain.SnapshotAsync();
            await UpsertAsync(grain, ("c", "gamma words"));
            await grain.SnapshotAsync();
            await UpsertAsync(grain, ("d", "delta words"));
        }
        string newest = ShardSnapshot.List(Path.Combine(dir.Path, "shard-3"))[0].Path;
        byte[] bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);

        await using ShardReplica recovered = await StartAsync(dir.Path);
        Assert.Equal(ShardState.Serving, recovered.State);
        foreach (string id in new[] { "a", "b", "c", "d" })
        {
            Assert.NotNull(await recovered.GetAsync(id, CancellationToken.None));
        }
        Assert.Contains("damaged", recovered.Error);
    }

    [Fact]
    public async Task A_corrupt_log_fails_the_replica_with_the_file_and_offset()
    {
        using var dir = new TestDirectory();
        await using (ShardReplica grain = await StartAsync(dir.Path))
        {
            await UpsertAsync(grain, ("a", "one"), ("b", "two"), ("c", "three"));
        }
        string log = Directory.GetFiles(Path.Combine(dir.Path, "shard-3"), "wal-*.log").Single();
        byte[] bytes = File.ReadAllBytes(log);
        bytes[12] ^= 0x01;
        File.WriteAllBytes(log, bytes);

        await using ShardReplica failed = await StartAsync(dir.Path);
        Assert.Equal(ShardState.Failed, failed.State);
        Assert.Contains(Path.GetFileName(log), failed.Error);
        Assert.Contains("offset 0", failed.Error);
        var error = await Assert.ThrowsAsync<ClusterException>(() => failed.GetAsync("a", CancellationToken.None));
        Assert.Equal(ClusterErrorCodes.ShardFailed, error.Code);
    }

    [Fact]
    public async Task Bad_writes_and_searches_get_specific_errors_and_change_nothing()
    {
        using var dir = new TestDirectory();
        await using ShardReplica grain = await StartAsync(dir.Path);
        await UpsertAsync(grain, ("ok", "fine text"));

        async Task<string> Code(Func<Task> action) => (await Assert.ThrowsAsync<ClusterException>(action)).Code;
        var wrongDimension = new EncodedPassage(new Passage("x", "", "t"), new float[5]);
        Assert.Equal(ClusterErrorCodes.DimensionMismatch,
            await Code(() => grain.UpsertAsync(new ShardUpsertRequest([wrongDimension]), CancellationToken.None)));
        var nan = new EncodedPassage(new Passage("x", "", "t"), Enumerable.Repeat(float.NaN, Encoder.Dimension).ToArray());
        Assert.Equal(ClusterErrorCodes.InvalidRequest, await Code(() => grain.UpsertAsync(new ShardUpsertRequest([nan]), CancellationToken.None)));
        Assert.Equal(ClusterErrorCodes.InvalidRequest, await Code(() => grain.DeleteAsync(new ShardDeleteRequest([""]), CancellationToken.None)));
        Assert.Equal(ClusterErrorCodes.InvalidRequest,
            await Code(() => grain.SearchAsync(new ShardSearchRequest(Encoder.Encode("q"), null, null, 0), CancellationToken.None)));
        Assert.Equal(ClusterErrorCodes.DimensionMismatch,
            await Code(() => grain.SearchAsync(new ShardSearchRequest(new float[3], null, null, 5), CancellationToken.None)));

        ShardStats stats = await grain.GetStatsAsync(CancellationToken.None);
        Assert.Equal((1, 1L), (stats.Passages, stats.LastLsn));
        Assert.Equal(["ok"], await DenseIdsAsync(grain, "fine text"));
    }
}
