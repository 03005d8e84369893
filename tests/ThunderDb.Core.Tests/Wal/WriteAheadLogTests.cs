using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Wal;

public class WriteAheadLogTests
{
    private static List<long> Reopen(string dir, ulong start, out WalRecoveryResult result, long segmentSize = 4096)
    {
        var ids = new List<long>();
        using var wal = WriteAheadLog.Open(WalTestRecords.Options(dir, segmentSize), start, 0, r => ids.Add(WalTestRecords.Verify(r)), NullLogger.Instance, out result);
        return ids;
    }

    [Test]
    public async Task Records_round_trip_across_segments_and_ring_wraps()
    {
        using var dir = new TempDirectory();
        using (var wal = WriteAheadLog.Open(WalTestRecords.Options(dir.Path), 0, 0, null, NullLogger.Instance, out _))
        {
            for (var id = 1; id <= 500; id++)
            {
                var end = WalTestRecords.Append(wal, id, valueLength: id % 97 * 7);
                if (id % 50 == 0)
                {
                    await wal.WaitForDurableAsync(end);
                }
            }
        }

        var ids = Reopen(dir.Path, 0, out var result);
        await Assert.That(ids).IsEquivalentTo(Enumerable.Range(1, 500).Select(i => (long)i));
        await Assert.That(result.RecordsReplayed).IsEqualTo(500);
        await Assert.That(result.DiscardedTailBytes).IsEqualTo(0);
        await Assert.That(Directory.GetFiles(dir.Path, "*.wal").Length).IsGreaterThan(5);
    }

    [Test]
    public async Task Group_commit_makes_every_concurrent_committer_durable_with_fewer_syncs()
    {
        using var dir = new TempDirectory();
        const int committers = 32;
        const int perCommitter = 40;
        long syncs;
        using (var wal = WriteAheadLog.Open(WalTestRecords.Options(dir.Path, segmentSize: 1 << 20), 0, 0, null, NullLogger.Instance, out _))
        {
            var ids = 0L;
            var gate = new object();
            var tasks = Enumerable.Range(0, committers).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < perCommitter; i++)
                {
                    ulong end;
                    lock (gate)
                    {
                        // Commit timestamps follow LSN order, as under the database's commit lock.
                        end = WalTestRecords.Append(wal, Interlocked.Increment(ref ids));
                    }

                    await wal.WaitForDurableAsync(end);
                    if (wal.FlushedLsn < end)
                    {
                        throw new InvalidOperationException("acknowledged before durable");
                    }
                }
            })).ToArray();
            await Task.WhenAll(tasks);
            syncs = wal.FlushCount;
        }

        var replayed = Reopen(dir.Path, 0, out _, 1 << 20);
        await Assert.That(replayed.Count).IsEqualTo(committers * perCommitter);
        await Assert.That(syncs).IsLessThan(committers * perCommitter);
    }

    [Test]
    public async Task A_tail_cut_at_any_offset_recovers_to_the_last_whole_record_and_appends_after_it()
    {
        using var source = new TempDirectory();
        var ends = new List<ulong>();
        using (var wal = WriteAheadLog.Open(WalTestRecords.Options(source.Path, segmentSize: 1 << 20), 0, 0, null, NullLogger.Instance, out _))
        {
            ulong end = 0;
            for (var id = 1; id <= 60; id++)
            {
                end = WalTestRecords.Append(wal, id, valueLength: 10 + id);
                ends.Add(end);
            }

            await wal.WaitForDurableAsync(end);
        }

        var segment = Path.Combine(source.Path, "0000000000000000.wal");
        var length = new FileInfo(segment).Length;
        var random = new Random(42);
        for (var round = 0; round < 25; round++)
        {
            using var copy = new TempDirectory();
            var cut = random.NextInt64(0, length);
            var bytes = File.ReadAllBytes(segment);
            File.WriteAllBytes(Path.Combine(copy.Path, "0000000000000000.wal"), bytes[..(int)cut]);
            var expected = ends.Count(e => e <= (ulong)cut);

            var ids = Reopen(copy.Path, 0, out var result, 1 << 20);
            await Assert.That(ids.Count).IsEqualTo(expected);
            await Assert.That(result.EndLsn).IsEqualTo(expected == 0 ? 0 : ends[expected - 1]);

            // New appends continue right after the valid prefix and survive the next restart.
            using (var wal = WriteAheadLog.Open(WalTestRecords.Options(copy.Path, 1 << 20), 0, 0, null, NullLogger.Instance, out _))
            {
                await wal.WaitForDurableAsync(WalTestRecords.Append(wal, 1000));
            }

            var again = Reopen(copy.Path, 0, out _, 1 << 20);
            await Assert.That(again.Count).IsEqualTo(expected + 1);
            await Assert.That(again[^1]).IsEqualTo(1000);
        }
    }

    [Test]
    public async Task Garbage_in_the_last_batch_ends_the_log_but_damage_before_later_durable_records_stops_startup()
    {
        using var source = new TempDirectory();
        var ends = new List<ulong> { 0 };
        using (var wal = WriteAheadLog.Open(WalTestRecords.Options(source.Path, segmentSize: 1 << 20), 0, 0, null, NullLogger.Instance, out _))
        {
            for (var id = 1; id <= 20; id++)
            {
                var end = WalTestRecords.Append(wal, id, valueLength: 40);
                await wal.WaitForDurableAsync(end); // one flush per record: each record was appended after the previous was durable
                ends.Add(end);
            }
        }

        var segmentName = "0000000000000000.wal";
        var random = new Random(7);
        for (var round = 0; round < 20; round++)
        {
            using var copy = new TempDirectory();
            var bytes = File.ReadAllBytes(Path.Combine(source.Path, segmentName));
            var offset = random.Next(0, bytes.Length);
            bytes[offset] ^= (byte)(1 + random.Next(255));
            var path = Path.Combine(copy.Path, segmentName);
            File.WriteAllBytes(path, bytes);
            var damaged = ends.FindLastIndex(e => e <= (ulong)offset); // records before the damaged one

            if (damaged == 19)
            {
                var ids = Reopen(copy.Path, 0, out var result, 1 << 20);
                await Assert.That(ids.Count).IsEqualTo(19);
                await Assert.That(result.DiscardedTailBytes).IsGreaterThan(0);
            }
            else
            {
                var error = Assert.Throws<WalCorruptionException>(() => Reopen(copy.Path, 0, out _, 1 << 20));
                await Assert.That(error.SegmentPath).IsEqualTo(path);
                await Assert.That(error.OffsetInSegment).IsEqualTo((long)ends[damaged]);
                await Assert.That(error.Message).Contains(segmentName);
            }
        }
    }

    [Test]
    public async Task Replay_starts_at_the_given_lsn_and_old_segments_can_be_removed()
    {
        using var dir = new TempDirectory();
        ulong middle = 0;
        using (var wal = WriteAheadLog.Open(WalTestRecords.Options(dir.Path), 0, 0, null, NullLogger.Instance, out _))
        {
            ulong end = 0;
            for (var id = 1; id <= 200; id++)
            {
                end = WalTestRecords.Append(wal, id, valueLength: 30);
                if (id == 100)
                {
                    middle = end;
                }
            }

            wal.FlushTo(end);
            var before = wal.SegmentCount;
            var removed = wal.RemoveSegmentsBelow(middle);
            await Assert.That(removed).IsGreaterThan(0);
            await Assert.That(wal.SegmentCount).IsEqualTo(before - removed);
            await Assert.That(wal.SizeOnDisk).IsLessThanOrEqualTo((long)(end - (middle - (middle % 4096))));
        }

        var ids = Reopen(dir.Path, middle, out var result);
        await Assert.That(ids).IsEquivalentTo(Enumerable.Range(101, 100).Select(i => (long)i));
        await Assert.That(result.StartLsn).IsEqualTo(middle);
    }

    [Test]
    public async Task A_write_error_fails_the_pending_commits_and_makes_the_log_read_only()
    {
        using var dir = new TempDirectory();
        using var wal = WriteAheadLog.Open(WalTestRecords.Options(dir.Path), 0, 0, null, NullLogger.Instance, out _);
        // The second segment is /dev/full: every write to it fails with ENOSPC.
        File.CreateSymbolicLink(Path.Combine(dir.Path, "0000000000001000.wal"), "/dev/full");
        ulong lastGood = 0;
        Exception? failure = null;
        for (var id = 1; id < 1000 && failure is null; id++)
        {
            try
            {
                var end = WalTestRecords.Append(wal, id, valueLength: 40);
                await wal.WaitForDurableAsync(end);
                lastGood = end;
            }
            catch (StorageReadOnlyException ex)
            {
                failure = ex;
            }
        }

        await Assert.That(failure).IsNotNull();
        await Assert.That(wal.IsFailed).IsTrue();
        await Assert.That(lastGood).IsGreaterThan(0UL);
        await Assert.That(wal.FlushedLsn).IsEqualTo(lastGood);
        Assert.Throws<StorageReadOnlyException>(() => wal.Reserve(64));
    }

    [Test]
    public async Task A_failed_flush_that_crossed_into_a_new_segment_leaves_no_failed_commit_behind()
    {
        using var dir = new TempDirectory();
        var options = WalTestRecords.Options(dir.Path) with { SyncCommit = false, FlushDelay = TimeSpan.FromSeconds(5) };
        ulong end = 0;
        var id = 1;
        var wal = WriteAheadLog.Open(options, 0, 0, null, NullLogger.Instance, out _);
        try
        {
            while (4096 - (long)end > 200)
            {
                end = WalTestRecords.Append(wal, id++, valueLength: 40);
            }

            wal.FlushTo(end);
            var durable = end;

            // The next segment cannot be written (ENOSPC). One batch holds a record that fits the old segment and one
            // that crosses into the new one: the writer fsyncs the old segment before it moves on, then fails.
            File.CreateSymbolicLink(Path.Combine(dir.Path, "0000000000001000.wal"), "/dev/full");
            var failedInOldSegment = id;
            var endA = WalTestRecords.Append(wal, id++, valueLength: 8);
            var endB = WalTestRecords.Append(wal, id++, valueLength: 400);
            await Assert.That(endA).IsLessThan(4096UL);
            await Assert.That(endB).IsGreaterThan(4096UL);
            await Assert.That(() => wal.FlushTo(endB)).Throws<StorageReadOnlyException>();
            await Assert.That(wal.FlushedLsn).IsEqualTo(durable);

            wal.Dispose();
            File.Delete(Path.Combine(dir.Path, "0000000000001000.wal"));
            var ids = Reopen(dir.Path, 0, out var result);
            await Assert.That(ids).DoesNotContain(failedInOldSegment).Because("a commit reported as failed came back after restart");
            await Assert.That(ids).IsEquivalentTo(Enumerable.Range(1, failedInOldSegment - 1).Select(i => (long)i));
            await Assert.That(result.EndLsn).IsEqualTo(durable);
        }
        finally
        {
            wal.Dispose();
        }
    }
}
