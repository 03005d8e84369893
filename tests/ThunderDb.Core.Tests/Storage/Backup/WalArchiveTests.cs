using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Backup;
using ThunderDb.Core.Txn.Backup;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Storage.Backup.BackupTestSupport;

namespace ThunderDb.Core.Tests.Storage.Backup;

/// <summary>
/// The WAL archive with compression: checkpoints archive compressed segments, pruning measures them by their
/// uncompressed length (a compressed file is far shorter than the LSN range it covers), stale temporary files go,
/// and a segment already archived in another form is not archived twice.
/// </summary>
public class WalArchiveTests
{
    private static async Task WriteAndCheckpoint(StorageEngine engine, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await CommitAsync(engine, $"k{i % 50:D2}", $"v{i}-" + new string('w', 300));
            if (i % 100 == 99)
            {
                engine.Checkpoint();
            }
        }
    }

    private static List<(ulong Start, string Name)> Segments(string dir) =>
        [.. Directory.GetFiles(dir).Select(Path.GetFileName).Where(n => ArchivedSegment.TryParse(n!, out _, out _))
            .Select(n => { ArchivedSegment.TryParse(n!, out var s, out _); return (s, n!); }).OrderBy(x => x.s)];

    [Test]
    [Timeout(60_000)]
    [Arguments(CompressionAlgorithm.Lz4)]
    [Arguments(CompressionAlgorithm.Zstd)]
    public async Task Pruning_keeps_exactly_the_compressed_segments_the_oldest_backup_needs(CompressionAlgorithm algorithm, CancellationToken ct)
    {
        using var root = new TempDataDir();
        var backups = Path.Combine(root.Path, "backups");
        var options = Options(root, "live", syncCommit: false);
        using var engine = Open(options);
        var archive = new WalArchive(backups, engine.Tree.SystemId, NullLogger.Instance, algorithm);
        engine.Database.Wal.Archiver = archive;
        await WriteAndCheckpoint(engine, 0, 100);
        BackupWriter.Run(engine, Path.Combine(backups, "b1"), NullLogger.Instance);
        archive.Refresh();
        await WriteAndCheckpoint(engine, 100, 600);
        var b2 = BackupWriter.Run(engine, Path.Combine(backups, "b2"), NullLogger.Instance);
        await WriteAndCheckpoint(engine, 700, 600);

        var segment = (ulong)options.WalSegmentSize;
        var before = Segments(archive.Directory);
        await Assert.That(before.Count).IsGreaterThan(4);
        await Assert.That(before.All(s => s.Name.EndsWith(algorithm == CompressionAlgorithm.Zstd ? ".zst" : ".lz4", StringComparison.Ordinal))).IsTrue();
        await Assert.That(before.Any(s => s.Start + segment <= b2.StartLsn)).IsTrue().Because("b1 needs segments b2 does not");
        await Assert.That(before.Any(s => s.Start <= b2.StartLsn && b2.StartLsn < s.Start + segment)).IsTrue().Because("the segment b2 starts in was archived");

        // A crash mid-copy leaves a temporary file; the "Disk Full" procedure removes the oldest backup by hand.
        File.WriteAllBytes(Path.Combine(archive.Directory, before[^1].Name + ".tmp"), new byte[100]);
        Directory.Delete(Path.Combine(backups, "b1"), recursive: true);
        archive.Refresh();

        var after = Segments(archive.Directory);
        await Assert.That(after.Select(s => s.Start)).IsEquivalentTo(before.Where(s => s.Start + segment > b2.StartLsn).Select(s => s.Start));
        await Assert.That(Directory.GetFiles(archive.Directory, "*.tmp")).IsEmpty();

        // What is left still restores from b2 to its newest commit.
        var restore = Options(root, "r");
        CopyTree(options.DataDir, restore.DataDir);
        CopyTree(options.EffectiveWalDir, restore.EffectiveWalDir);
        var expected = ReadAll(engine, "k");
        PointInTimeRestore.Run(new PitrRequest(Path.Combine(backups, "b2"), DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks, restore) { ArchiveRoots = [backups] },
            NullLogger.Instance, _ => { });
        using var reopened = Open(restore);
        await Assert.That(ReadAll(reopened, "k")).IsEquivalentTo(expected);
        ct.ThrowIfCancellationRequested();
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_segment_archived_plain_is_not_archived_again_compressed(CancellationToken ct)
    {
        using var root = new TempDataDir();
        var backups = Path.Combine(root.Path, "backups");
        using var engine = Open(Options(root, "live", syncCommit: false));
        BackupWriter.Run(engine, Path.Combine(backups, "b1"), NullLogger.Instance);
        var plain = new WalArchive(backups, engine.Tree.SystemId, NullLogger.Instance);
        plain.Refresh();
        var source = Path.Combine(root.Path, "segment.wal");
        File.WriteAllBytes(source, new byte[64 << 10]);
        var start = (ulong)(8 << 20); // beyond the backup's start: needed
        await Assert.That(plain.Archive(source, start, 64 << 10)).IsTrue();

        var zstd = new WalArchive(backups, engine.Tree.SystemId, NullLogger.Instance, CompressionAlgorithm.Zstd);
        zstd.Refresh();
        await Assert.That(zstd.Archive(source, start, 64 << 10)).IsTrue();
        await Assert.That(Segments(zstd.Directory).Select(s => s.Name)).IsEquivalentTo(new[] { ArchivedSegment.FileName(start, null) });

        // A copy of another length (a restored copy of the database wrote the same LSNs) is replaced, in the configured form.
        File.WriteAllBytes(source, new byte[32 << 10]);
        await Assert.That(zstd.Archive(source, start, 64 << 10)).IsTrue();
        await Assert.That(Segments(zstd.Directory).Select(s => s.Name)).IsEquivalentTo(new[] { ArchivedSegment.FileName(start, CompressionAlgorithm.Zstd) });
        await Assert.That(ArchivedSegment.RawLength(Path.Combine(zstd.Directory, ArchivedSegment.FileName(start, CompressionAlgorithm.Zstd)), ArchivedSegment.Form.Zstd))
            .IsEqualTo(32 << 10);
        ct.ThrowIfCancellationRequested();
    }
}
