using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Backup;
using ThunderDb.Core.Tests.Storage.Backup;
using ThunderDb.Core.Tests.Storage;
using ThunderDb.Core.Txn.Backup;
using static ThunderDb.Core.Tests.Storage.Backup.BackupTestSupport;

namespace ThunderDb.Core.Tests.Txn.Backup;

/// <summary>
/// Point-in-time restore from a base backup, the WAL archive (segments checkpoints removed) and the live WAL: after each
/// restore the database holds exactly the commits at or before the target, including targets between two commits of
/// the same millisecond (commit times are 100 ns ticks, strictly increasing).
/// </summary>
public class PointInTimeRestoreTests
{
    private sealed record Commit(long Ticks, string Key, string? Value);

    private static Dictionary<string, string> StateAt(List<Commit> commits, long target)
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in commits.Where(c => c.Ticks <= target))
        {
            if (c.Value is null)
            {
                state.Remove(c.Key);
            }
            else
            {
                state[c.Key] = c.Value;
            }
        }

        return state;
    }

    /// <summary>
    /// 50 commits, backup b1, then <paramref name="after"/> commits with a checkpoint every 100 (archiving segments). The
    /// archive compresses as <paramref name="phases"/> says, one phase after another (a restart with another
    /// <c>storage.compression</c>); none given: plain.
    /// </summary>
    private static async Task<(List<Commit> Commits, BackupManifest Manifest, string Backups)> BuildHistory(TempDataDir root, int after, params CompressionAlgorithm?[] phases)
    {
        var backups = Path.Combine(root.Path, "backups");
        var commits = new List<Commit>();
        var live = Options(root, "live", syncCommit: false);
        using var engine = Open(live);
        phases = phases.Length == 0 ? [null] : phases;
        var archive = new WalArchive(backups, engine.Tree.SystemId, NullLogger.Instance, phases[0]);
        engine.Database.Wal.Archiver = archive;
        for (var i = 0; i < 50; i++)
        {
            commits.Add(new Commit(await CommitAsync(engine, $"k{i % 40:D2}", $"base{i}"), $"k{i % 40:D2}", $"base{i}"));
        }

        var manifest = BackupWriter.Run(engine, Path.Combine(backups, "b1"), NullLogger.Instance);
        archive.Refresh();
        var random = new Random(14);
        for (var i = 0; i < after; i++)
        {
            if (i > 0 && i % (after / phases.Length) == 0 && i / (after / phases.Length) < phases.Length)
            {
                archive = new WalArchive(backups, engine.Tree.SystemId, NullLogger.Instance, phases[i / (after / phases.Length)]);
                engine.Database.Wal.Archiver = archive;
            }

            var key = $"k{random.Next(40):D2}";
            var value = random.Next(10) == 0 ? null : $"v{i}-" + new string('p', random.Next(400));
            commits.Add(new Commit(await CommitAsync(engine, key, value), key, value));
            if (i % 100 == 99)
            {
                engine.Checkpoint(); // segments below the redo point move to the archive
            }
        }

        await Assert.That(Directory.GetFiles(archive.Directory).Length).IsGreaterThan(0);
        return (commits, manifest, backups);
    }

    [Test]
    [Timeout(90_000)]
    public async Task Each_restore_holds_exactly_the_commits_at_or_before_the_target(CancellationToken ct)
    {
        using var root = new TempDataDir();
        var (commits, manifest, backups) = await BuildHistory(root, after: 600);
        var later = commits.Skip(50).ToList();
        for (var i = 1; i < later.Count; i++)
        {
            await Assert.That(later[i].Ticks).IsGreaterThan(later[i - 1].Ticks);
        }

        // 100 targets: at a commit, one tick after it, between two commits of one millisecond, the backup's end, the last commit.
        var random = new Random(7);
        var targets = new List<long> { manifest.EndTicks, later[^1].Ticks };
        var sameMs = Enumerable.Range(1, later.Count - 1)
            .Where(i => later[i].Ticks / TimeSpan.TicksPerMillisecond == later[i - 1].Ticks / TimeSpan.TicksPerMillisecond && later[i].Ticks - later[i - 1].Ticks > 1)
            .ToList();
        await Assert.That(sameMs.Count).IsGreaterThan(1);
        targets.AddRange(sameMs.OrderBy(_ => random.Next()).Take(8).Select(i => later[i - 1].Ticks + 1));
        for (var n = 0; n < 90; n++)
        {
            var c = later[random.Next(later.Count)];
            targets.Add(n % 2 == 0 ? c.Ticks : c.Ticks + 1);
        }

        await RestoreEach(root, commits, manifest, backups, targets, ct);
    }

    /// <summary>The emergency procedure for each target: the server stopped, its files still in place; restore over them and compare.</summary>
    private static async Task RestoreEach(TempDataDir root, List<Commit> commits, BackupManifest manifest, string backups, IEnumerable<long> targets, CancellationToken ct)
    {
        var live = Options(root, "live");
        foreach (var target in targets.Where(t => t >= manifest.EndTicks))
        {
            var restoreRoot = Path.Combine(root.Path, "r");
            if (Directory.Exists(restoreRoot))
            {
                Directory.Delete(restoreRoot, recursive: true);
            }

            var restore = Options(root, "r");
            CopyTree(live.DataDir, restore.DataDir);
            CopyTree(live.EffectiveWalDir, restore.EffectiveWalDir);
            var result = PointInTimeRestore.Run(new PitrRequest(Path.Combine(backups, "b1"), target, restore) { ArchiveRoots = [backups] }, NullLogger.Instance, _ => { });
            await Assert.That(result.MovedAsideData).IsNotNull();
            await Assert.That(Directory.GetFiles(restore.EffectiveWalDir).Where(f => f.EndsWith(".lz4", StringComparison.Ordinal) || f.EndsWith(".zst", StringComparison.Ordinal)))
                .IsEmpty().Because("wal_dir holds plain segments only");

            using var reopened = Open(restore);
            var expected = StateAt(commits, target);
            var actual = ReadAll(reopened, "k");
            await Assert.That(actual).IsEquivalentTo(expected);
            await Assert.That(reopened.Database.Recovery.RecordsReplayed).IsEqualTo(0); // the restore replayed and checkpointed already
            ct.ThrowIfCancellationRequested();
        }
    }

    private static List<long> SomeTargets(List<Commit> commits, int count, int seed)
    {
        var later = commits.Skip(50).ToList();
        var random = new Random(seed);
        var targets = new List<long> { later[^1].Ticks };
        targets.AddRange(Enumerable.Range(0, count).Select(n => later[random.Next(later.Count)].Ticks + (n % 2)));
        return targets;
    }

    [Test]
    [Timeout(90_000)]
    [Arguments(CompressionAlgorithm.Lz4, ".wal.lz4")]
    [Arguments(CompressionAlgorithm.Zstd, ".wal.zst")]
    public async Task A_compressed_archive_restores_exactly_like_a_plain_one(CompressionAlgorithm algorithm, string extension, CancellationToken ct)
    {
        using var root = new TempDataDir();
        var (commits, manifest, backups) = await BuildHistory(root, 600, algorithm);
        var archived = Directory.GetFiles(WalArchive.DirectoryFor(backups, manifest.SystemId));
        await Assert.That(archived.Length).IsGreaterThan(1);
        await Assert.That(archived.All(f => f.EndsWith(extension, StringComparison.Ordinal))).IsTrue().Because(string.Join(", ", archived));
        var stored = archived.Sum(f => new FileInfo(f).Length);
        await Assert.That(stored).IsLessThan(archived.Length * (64L << 10) / 2); // 64 KiB segments of repetitive values
        await RestoreEach(root, commits, manifest, backups, SomeTargets(commits, 20, 3), ct);
    }

    [Test]
    [Timeout(90_000)]
    public async Task An_archive_written_plain_then_lz4_then_zstd_restores_across_all_three(CancellationToken ct)
    {
        using var root = new TempDataDir();
        var (commits, manifest, backups) = await BuildHistory(root, 1200, null, CompressionAlgorithm.Lz4, CompressionAlgorithm.Zstd);
        var names = Directory.GetFiles(WalArchive.DirectoryFor(backups, manifest.SystemId)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        foreach (var extension in new[] { ".wal", ".wal.lz4", ".wal.zst" })
        {
            await Assert.That(names.Any(n => n!.EndsWith(extension, StringComparison.Ordinal))).IsTrue().Because($"{extension} in {string.Join(", ", names)}");
        }

        await Assert.That(names.Select(n => n![..16]).Distinct().Count()).IsEqualTo(names.Count).Because("one copy of each segment");
        await RestoreEach(root, commits, manifest, backups, SomeTargets(commits, 20, 5), ct);
    }

    private static Dictionary<string, long> Listing(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), f => new FileInfo(f).Length, StringComparer.Ordinal);

    [Test]
    [Timeout(90_000)]
    public async Task A_damaged_compressed_segment_refuses_the_restore_naming_it_and_changes_nothing(CancellationToken ct)
    {
        using var root = new TempDataDir();
        var (commits, manifest, backups) = await BuildHistory(root, 1000, CompressionAlgorithm.Zstd);
        var archived = Directory.GetFiles(WalArchive.DirectoryFor(backups, manifest.SystemId)).Order(StringComparer.Ordinal).ToList();
        await Assert.That(archived.Count).IsGreaterThan(2);
        var damaged = archived[archived.Count / 2];
        var bytes = File.ReadAllBytes(damaged);
        bytes[ArchivedSegment.HeaderSize + 16 + 40] ^= 0x20;
        File.WriteAllBytes(damaged, bytes);

        var live = Options(root, "live");
        var restore = Options(root, "r");
        CopyTree(live.DataDir, restore.DataDir);
        CopyTree(live.EffectiveWalDir, restore.EffectiveWalDir);
        var (data, wal) = (Listing(restore.DataDir), Listing(restore.EffectiveWalDir));
        var backup = Path.Combine(backups, "b1");
        var error = await Assert.That(() => PointInTimeRestore.Run(new PitrRequest(backup, commits[^1].Ticks, restore) { ArchiveRoots = [backups] }, NullLogger.Instance, _ => { }))
            .Throws<BackupInvalidException>();
        await Assert.That(error!.Message).Contains($"WAL archive segment '{damaged}' is damaged");
        await Assert.That(Listing(restore.DataDir)).IsEquivalentTo(data);
        await Assert.That(Listing(restore.EffectiveWalDir)).IsEquivalentTo(wal);
        await Assert.That(Directory.GetDirectories(restore.DataDir)).IsEmpty();

        // Moved out of the archive, as the message says: the newest state is out of reach (a gap), earlier ones restore.
        File.Move(damaged, Path.Combine(root.Path, "damaged.wal.zst"));
        var gap = await Assert.That(() => PointInTimeRestore.Run(new PitrRequest(backup, commits[^1].Ticks, restore) { ArchiveRoots = [backups] }, NullLogger.Instance, _ => { }))
            .Throws<PitrRangeException>();
        await Assert.That(gap!.Message).Contains($"WAL segment {Path.GetFileName(damaged)[..20]} is missing");
        await Assert.That(Listing(restore.DataDir)).IsEquivalentTo(data);
        Directory.Delete(Path.Combine(root.Path, "r"), recursive: true);
        await RestoreEach(root, commits, manifest, backups, [manifest.EndTicks], ct);
        ct.ThrowIfCancellationRequested();
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_target_outside_the_available_range_is_refused_with_the_range_and_nothing_changes(CancellationToken ct)
    {
        using var root = new TempDataDir();
        var (commits, manifest, backups) = await BuildHistory(root, after: 500);
        var restore = Options(root, "fresh");
        var backup = Path.Combine(backups, "b1");

        var early = await Assert.That(() => PointInTimeRestore.Run(new PitrRequest(backup, manifest.EndTicks - TimeSpan.TicksPerSecond, restore), NullLogger.Instance, _ => { }))
            .Throws<PitrRangeException>();
        await Assert.That(early!.Message).Contains("before the end of backup");
        await Assert.That(Directory.Exists(restore.DataDir)).IsFalse();

        // Without the live WAL the archive ends at the last archived segment: a later time cannot be vouched for.
        var late = await Assert.That(() => PointInTimeRestore.Run(new PitrRequest(backup, commits[^1].Ticks + 1, restore) { ArchiveRoots = [backups] },
            NullLogger.Instance, _ => { })).Throws<PitrRangeException>();
        await Assert.That(late!.Message).Contains("available range: " + BackupManifest.FormatTime(manifest.EndTicks));
        await Assert.That(Directory.GetFiles(restore.DataDir).Length).IsEqualTo(0);

        var future = await Assert.That(() => PointInTimeRestore.Run(new PitrRequest(backup, DateTime.UtcNow.AddHours(1).Ticks - DateTime.UnixEpoch.Ticks, restore), NullLogger.Instance, _ => { }))
            .Throws<PitrRangeException>();
        await Assert.That(future!.Message).Contains("in the future");
    }
}
