using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage.Backup;
using static ThunderDb.Core.Tests.Storage.Backup.BackupTestSupport;

namespace ThunderDb.Core.Tests.Storage.Backup;

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

    private static async Task<(List<Commit> Commits, BackupManifest Manifest, string Backups)> BuildHistory(TempDataDir root, int after)
    {
        var backups = Path.Combine(root.Path, "backups");
        var commits = new List<Commit>();
        var live = Options(root, "live", syncCommit: false);
        using var engine = Open(live);
        var archive = new WalArchive(backups, engine.Tree.SystemId, NullLogger.Instance);
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
            var key = $"k{random.Next(40):D2}";
            var value = random.Next(10) == 0 ? null : $"v{i}-" + new string('p', random.Next(400));
            commits.Add(new Commit(await CommitAsync(engine, key, value), key, value));
            if (i % 100 == 99)
            {
                engine.Checkpoint(); // segments below the redo point move to the archive
            }
        }

        await Assert.That(Directory.GetFiles(archive.Directory, "*.wal").Length).IsGreaterThan(0);
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

        var live = Options(root, "live");
        foreach (var target in targets.Where(t => t >= manifest.EndTicks))
        {
            // The emergency procedure: the server stopped, its files still in place; restore over them.
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

            using var reopened = Open(restore);
            var expected = StateAt(commits, target);
            var actual = ReadAll(reopened, "k");
            await Assert.That(actual).IsEquivalentTo(expected);
            await Assert.That(reopened.Database.Recovery.RecordsReplayed).IsEqualTo(0); // the restore replayed and checkpointed already
            ct.ThrowIfCancellationRequested();
        }
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
