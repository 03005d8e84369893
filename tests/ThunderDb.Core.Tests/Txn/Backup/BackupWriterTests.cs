using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage.Backup;
using ThunderDb.Core.Tests.Storage.Backup;
using ThunderDb.Core.Tests.Storage;
using ThunderDb.Core.Txn.Backup;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Storage.Backup.BackupTestSupport;

namespace ThunderDb.Core.Tests.Txn.Backup;

/// <summary>
/// Online backups: a pinned checkpoint plus the WAL to the backup's end, restored by copying data/ and wal/ into place and
/// opening (recovery replays). Writers and checkpoints run throughout, so without the pin the copied tree would hold
/// pages reused meanwhile.
/// </summary>
public class BackupWriterTests
{
    [Test]
    [Timeout(60_000)]
    public async Task A_backup_under_writes_and_checkpoints_restores_every_commit_acknowledged_before_it_ended(CancellationToken ct)
    {
        using var root = new TempDataDir();
        var live = Options(root, "live");
        var engine = Open(live);
        for (var h = 0; h < 300; h++)
        {
            await CommitAsync(engine, $"h{h:D3}", "initial");
        }

        var acked = new ConcurrentDictionary<int, string>();
        using var stop = new CancellationTokenSource();
        var sequential = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await CommitAsync(engine, $"k{i:D6}", $"v{i}-" + new string('x', i % 200));
                acked[i] = $"v{i}-" + new string('x', i % 200);
            }
        }, ct);
        var churn = Task.Run(async () =>
        {
            // Rewrites a hot set over and over: pages are copied away and freed all the time (ids a pin must hold).
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await CommitAsync(engine, $"h{i % 300:D3}", new string((char)('a' + (i % 26)), 300));
            }
        }, ct);
        await Task.Delay(300, ct);

        HashSet<int> ackedAtPin = [];
        var backupDir = Path.Combine(root.Path, "backups", "b1");
        var manifest = await Task.Run(() => BackupWriter.Run(engine, backupDir, NullLogger.Instance, CancellationToken.None, afterPin: () =>
        {
            // While the checkpoint is pinned: more checkpoints release freed ids, writes reuse what they may.
            for (var c = 0; c < 4; c++)
            {
                Thread.Sleep(50);
                engine.Checkpoint();
            }

            ackedAtPin = [.. acked.Keys];
        }), ct);
        await stop.CancelAsync();
        await Task.WhenAll(sequential, churn);
        engine.Dispose();

        await Assert.That(manifest.Files.Any(f => f.Path == "data/thunder.db")).IsTrue();
        await Assert.That(manifest.EndLsn).IsGreaterThan(manifest.StartLsn);
        await Assert.That(ackedAtPin.Count).IsGreaterThan(0);

        // The runbook's restore: cp -a <backup>/data <data_dir>, cp -a <backup>/wal <wal_dir>, start.
        var restored = Options(root, "restored");
        CopyTree(Path.Combine(backupDir, "data"), restored.DataDir);
        CopyTree(Path.Combine(backupDir, "wal"), restored.EffectiveWalDir);
        using var reopened = Open(restored);
        var keys = ReadAll(reopened, "k");
        foreach (var i in ackedAtPin)
        {
            await Assert.That(keys.GetValueOrDefault($"k{i:D6}")).IsEqualTo(acked[i]);
        }

        // A prefix of the sequential writer's commits, nothing invented.
        for (var i = 0; i < keys.Count; i++)
        {
            await Assert.That(keys.GetValueOrDefault($"k{i:D6}")).IsEqualTo(acked[i]);
        }

        await Assert.That(ReadAll(reopened, "h").Count).IsEqualTo(300);
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_second_backup_while_one_runs_is_refused(CancellationToken ct)
    {
        using var root = new TempDataDir();
        using var engine = Open(Options(root, "live"));
        await CommitAsync(engine, "k1", "v1");
        Exception? second = null;
        BackupWriter.Run(engine, Path.Combine(root.Path, "b1"), NullLogger.Instance, ct, afterPin: () =>
        {
            try
            {
                BackupWriter.Run(engine, Path.Combine(root.Path, "b2"), NullLogger.Instance);
            }
            catch (BackupAlreadyRunningException e)
            {
                second = e;
            }
        });
        await Assert.That(second).IsNotNull();
        await Assert.That(Directory.Exists(Path.Combine(root.Path, "b2"))).IsFalse();

        // The pin is gone afterwards: another backup runs, and a non-empty target is refused.
        BackupWriter.Run(engine, Path.Combine(root.Path, "b3"), NullLogger.Instance);
        await Assert.That(() => BackupWriter.Run(engine, Path.Combine(root.Path, "b3"), NullLogger.Instance)).Throws<BackupTargetException>();
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_corrupted_backup_file_is_refused_naming_the_file(CancellationToken ct)
    {
        using var root = new TempDataDir();
        using (var engine = Open(Options(root, "live")))
        {
            for (var i = 0; i < 200; i++)
            {
                await CommitAsync(engine, $"k{i}", new string('v', 100));
            }

            BackupWriter.Run(engine, Path.Combine(root.Path, "b1"), NullLogger.Instance);
        }

        var backup = Path.Combine(root.Path, "b1");
        BackupManifest.Read(backup).Verify(backup); // intact: passes
        var dataFile = Path.Combine(backup, "data", "thunder.db");
        var bytes = await File.ReadAllBytesAsync(dataFile, ct);
        bytes[^100] ^= 0x40;
        await File.WriteAllBytesAsync(dataFile, bytes, ct);

        var refused = await Assert.That(() => BackupManifest.Read(backup).Verify(backup)).Throws<BackupInvalidException>();
        await Assert.That(refused!.Message).Contains(dataFile);
        await Assert.That(refused.Message).Contains("CRC32C");
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_backup_without_its_manifest_is_listed_incomplete_and_pruned_after_a_newer_complete_one(CancellationToken ct)
    {
        using var root = new TempDataDir();
        var backups = Path.Combine(root.Path, "backups");
        using var engine = Open(Options(root, "live"));
        await CommitAsync(engine, "k1", "v1");
        BackupWriter.Run(engine, Path.Combine(backups, "2025-01-01T00-00-00Z"), NullLogger.Instance);
        File.Delete(Path.Combine(backups, "2025-01-01T00-00-00Z", BackupManifest.FileName)); // as if killed before the manifest
        await Task.Delay(20, ct);
        BackupWriter.Run(engine, Path.Combine(backups, "2025-01-02T00-00-00Z"), NullLogger.Instance);
        BackupCatalog.UpdateLatest(backups);

        var list = BackupCatalog.List(backups);
        await Assert.That(list.Count).IsEqualTo(2);
        await Assert.That(list.Single(b => b.Id == "2025-01-01T00-00-00Z").Complete).IsFalse();
        await Assert.That(list.Single(b => b.Id == "2025-01-02T00-00-00Z").Complete).IsTrue();
        await Assert.That(BackupManifest.Read(Path.Combine(backups, BackupCatalog.LatestName)).Id).IsEqualTo("2025-01-02T00-00-00Z");

        var removed = BackupCatalog.Prune(backups, keep: 5, running: null);
        await Assert.That(removed).IsEquivalentTo(["2025-01-01T00-00-00Z"]);
    }
}
