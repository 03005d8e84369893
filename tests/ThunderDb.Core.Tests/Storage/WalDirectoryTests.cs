using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Core.Tests.Txn;
using ThunderDb.Core.Tests.Wal;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Storage;

/// <summary>
/// A data directory refuses to start against a WAL directory that is not its own (a typo in wal_dir, another
/// database's WAL, or lost segments) instead of silently serving its last checkpoint.
/// </summary>
public class WalDirectoryTests
{
    private static StorageOptions Options(TempDataDir dir, string? walDir = null) =>
        dir.Options() with { SyncCommit = true, WalDir = walDir };

    private static StorageEngine Open(StorageOptions options) => StorageEngine.Open(options, NullLogger.Instance, backgroundWorkers: false);

    private static async Task WriteKeys(StorageEngine engine, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            using var txn = engine.Begin();
            txn.Put(B($"k{i:D3}"), B($"v{i}"));
            await txn.CommitAsync();
        }
    }

    [Test]
    public async Task An_empty_wal_dir_after_a_crash_is_refused_naming_the_directory_and_the_lsn()
    {
        using var dir = new TempDataDir();
        ulong redoLsn;
        var engine = Open(Options(dir));
        await WriteKeys(engine, 0, 25);
        engine.Checkpoint();
        redoLsn = engine.LastCheckpointLsn;
        await WriteKeys(engine, 25, 25);
        engine.SimulateCrash();

        var typo = Path.Combine(dir.Path, "wall");
        var error = await Assert.That(() => Open(Options(dir, typo))).Throws<WalMissingException>();
        await Assert.That(error!.Message).Contains(typo);
        await Assert.That(error.Message).Contains($"LSN {redoLsn}");
        await Assert.That(redoLsn).IsGreaterThan(0UL);
        await Assert.That(Directory.Exists(typo)).IsFalse(); // refused, not created

        // The right directory still recovers all 50.
        using var recovered = Open(Options(dir));
        using var check = recovered.Begin();
        await Assert.That(Scan(check, "", "").Count).IsEqualTo(50);
    }

    [Test]
    public async Task An_empty_wal_dir_is_refused_even_before_the_first_checkpoint()
    {
        using var dir = new TempDataDir();
        var engine = Open(Options(dir));
        await WriteKeys(engine, 0, 50);
        engine.SimulateCrash();
        var empty = Path.Combine(dir.Path, "empty-wal");
        Directory.CreateDirectory(empty);
        var error = await Assert.That(() => Open(Options(dir, empty))).Throws<WalMissingException>();
        await Assert.That(error!.Message).Contains("LSN 0");
        await Assert.That(error.Message).Contains(empty);
    }

    [Test]
    public async Task Another_databases_wal_dir_is_refused()
    {
        using var a = new TempDataDir();
        using var b = new TempDataDir();
        var engineA = Open(Options(a));
        await WriteKeys(engineA, 0, 5);
        engineA.SimulateCrash();
        Open(Options(b)).Dispose();

        var walOfB = Path.Combine(b.Path, "wal");
        var error = await Assert.That(() => Open(Options(a, walOfB))).Throws<WalMissingException>();
        await Assert.That(error!.Message).Contains("another database");

        // A new data directory pointed at a live WAL of another database is refused too (it would replay foreign commits).
        using var fresh = new TempDataDir();
        await Assert.That(() => Open(Options(fresh, Path.Combine(a.Path, "wal")))).Throws<WalMissingException>();
    }

    [Test]
    public async Task Deleted_segments_are_refused_even_with_the_marker_in_place()
    {
        using var dir = new TempDataDir();
        var engine = Open(Options(dir));
        await WriteKeys(engine, 0, 10);
        engine.SimulateCrash();
        var walDir = Path.Combine(dir.Path, "wal");
        foreach (var segment in Directory.GetFiles(walDir, "*.wal"))
        {
            File.Delete(segment);
        }

        var error = await Assert.That(() => Open(Options(dir))).Throws<WalMissingException>();
        await Assert.That(error!.Message).Contains("0000000000000000.wal");
    }

    [Test]
    public async Task A_segment_missing_in_the_middle_is_refused()
    {
        using var dir = new TempDirectory();
        using (var wal = WriteAheadLog.Open(WalTestRecords.Options(dir.Path), 0, 0, null, NullLogger.Instance, out _))
        {
            ulong end = 0;
            for (var id = 1; id <= 300; id++)
            {
                end = WalTestRecords.Append(wal, id, valueLength: 40);
            }

            await wal.WaitForDurableAsync(end);
        }

        var segments = Directory.GetFiles(dir.Path, "*.wal").Order(StringComparer.Ordinal).ToArray();
        await Assert.That(segments.Length).IsGreaterThan(3);
        File.Delete(segments[1]);
        var error = await Assert.That(() => WriteAheadLog.Open(WalTestRecords.Options(dir.Path), 0, 0, null, NullLogger.Instance, out _).Dispose())
            .Throws<WalMissingException>();
        await Assert.That(error!.Message).Contains(Path.GetFileName(segments[1]));
    }

    [Test]
    public async Task A_new_data_dir_initialises_control_and_wal_and_restarts_cleanly()
    {
        using var dir = new TempDataDir();
        ulong id;
        using (var engine = Open(Options(dir)))
        {
            id = engine.Tree.SystemId;
            await WriteKeys(engine, 0, 3);
        }

        await Assert.That(id).IsNotEqualTo(0UL);
        await Assert.That(ControlFile.Read(Path.Combine(dir.Path, ControlFile.FileName)).SystemId).IsEqualTo(id);
        await Assert.That(WalDirectoryMarker.Read(Path.Combine(dir.Path, "wal", WalDirectoryMarker.FileName))).IsEqualTo(id);
        using var again = Open(Options(dir));
        using var check = again.Begin();
        await Assert.That(Scan(check, "", "").Count).IsEqualTo(3);
    }

    [Test]
    public async Task A_version_1_control_file_is_upgraded_and_its_wal_adopted()
    {
        using var dir = new TempDataDir();
        var engine = Open(Options(dir));
        await WriteKeys(engine, 0, 7);
        engine.SimulateCrash();

        DowngradeToVersion1(dir);
        var control = Path.Combine(dir.Path, ControlFile.FileName);

        using (var upgraded = Open(Options(dir)))
        {
            using var check = upgraded.Begin();
            await Assert.That(Scan(check, "", "").Count).IsEqualTo(7);
        }

        var now = ControlFile.Read(control);
        await Assert.That(now.FormatVersion).IsEqualTo(ControlFile.CurrentFormatVersion);
        await Assert.That(WalDirectoryMarker.Read(Path.Combine(dir.Path, "wal", WalDirectoryMarker.FileName))).IsEqualTo(now.SystemId);
    }

    [Test]
    public async Task A_version_1_data_directory_that_never_wrote_a_wal_segment_is_upgraded()
    {
        using var dir = new TempDataDir();
        Open(Options(dir)).Dispose(); // no commit: builds before markers left no segment at all
        DowngradeToVersion1(dir);
        foreach (var segment in Directory.GetFiles(Path.Combine(dir.Path, "wal"), "*.wal"))
        {
            File.Delete(segment);
        }

        Open(Options(dir)).Dispose();
        using var again = Open(Options(dir)); // and from then on it is checked like any other
        await Assert.That(again.Tree.SystemId).IsEqualTo(ControlFile.Read(Path.Combine(dir.Path, ControlFile.FileName)).SystemId);
    }

    /// <summary>Rewrites CONTROL as a build from before system identifiers did, and drops the marker it never wrote.</summary>
    private static void DowngradeToVersion1(TempDataDir dir)
    {
        var control = Path.Combine(dir.Path, ControlFile.FileName);
        var v1 = File.ReadAllBytes(control)[..32];
        BinaryPrimitives.WriteInt32LittleEndian(v1.AsSpan(8), 1);
        v1.AsSpan(24, 8).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(v1.AsSpan(28), Crc32C.Compute(v1.AsSpan(0, 28)));
        File.WriteAllBytes(control, v1);
        File.Delete(Path.Combine(dir.Path, "wal", WalDirectoryMarker.FileName));
    }

    [Test]
    public async Task A_crash_during_initialisation_is_finished_at_the_next_start()
    {
        using var dir = new TempDataDir();
        Open(Options(dir)).Dispose();

        // As if the process died after CONTROL and WAL_ID were written but before the first segment and thunder.db.
        File.Delete(dir.DataFile);
        foreach (var segment in Directory.GetFiles(Path.Combine(dir.Path, "wal"), "*.wal"))
        {
            File.Delete(segment);
        }

        using (var engine = Open(Options(dir)))
        {
            await WriteKeys(engine, 0, 3);
            engine.SimulateCrash();
        }

        using var again = Open(Options(dir));
        using var check = again.Begin();
        await Assert.That(Scan(check, "", "").Count).IsEqualTo(3);
    }
}
