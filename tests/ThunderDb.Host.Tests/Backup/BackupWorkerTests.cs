using ThunderDb.Host.Tests.Durability;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Backup;

/// <summary>
/// Automatic backups (<c>backup_enabled</c>, <c>backup_interval</c>, <c>backup_retention_count</c>): the worker keeps the
/// newest N, moves <c>latest</c>, survives the "Disk Full" procedure's <c>rm -rf backups/&lt;oldest&gt;</c>, and stops with the server.
/// </summary>
[NotInParallel("thunderdb-process")]
public class BackupWorkerTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    private static List<string> Backups(BackupNode node) =>
        Directory.Exists(node.BackupDir)
            ? [.. Directory.GetDirectories(node.BackupDir).Select(d => Path.GetFileName(d)).Where(n => n is not ("latest" or "wal")).Order(StringComparer.Ordinal)]
            : [];

    [Test]
    [Timeout(90_000)]
    public async Task The_worker_keeps_the_newest_backups_and_tolerates_one_removed_by_hand(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var node = new BackupNode(dir, extraStorage: "backup_enabled = true\nbackup_interval = \"1s\"\nbackup_retention_count = 2");
        await using var server = await node.StartAsync(ct);
        using (var client = await RespTestClient.ConnectAsync(node.RespPort, ct))
        {
            await client.CallAsync(ct, "SET", "k", "v");
        }

        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (Backups(node).Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }

        await Assert.That(Backups(node).Count).IsEqualTo(2).Because(server.AllOutput);

        // Disk Full: rm -rf backups/<oldest>. The worker goes on, prunes to 2 and keeps latest on the newest.
        var oldest = Backups(node)[0];
        Directory.Delete(Path.Combine(node.BackupDir, oldest), recursive: true);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        deadline = DateTime.UtcNow.AddSeconds(40);
        while (seen.Count < 4 && DateTime.UtcNow < deadline)
        {
            foreach (var b in Backups(node))
            {
                seen.Add(b);
            }

            await Assert.That(Backups(node).Count).IsLessThanOrEqualTo(3); // 2 kept + at most one being written
            await Task.Delay(50, ct);
        }

        await Assert.That(seen.Count).IsGreaterThanOrEqualTo(4).Because(server.AllOutput);
        var latest = new DirectoryInfo(Path.Combine(node.BackupDir, "latest")).LinkTarget;
        await Assert.That(latest).IsNotNull();
        var list = await node.ListBackupsAsync();
        var newestComplete = list.GetProperty("backups").EnumerateArray().First(b => b.GetProperty("status").GetString() == "complete");
        await Assert.That(newestComplete.GetProperty("latest").GetBoolean()).IsTrue();
        await Assert.That(server.AllOutput).Contains("Pruned backup");
        await Assert.That(server.AllOutput).DoesNotContain("Automatic backup failed");

        await BackupNode.StopAsync(server);
        await Assert.That(server.AllOutput).Contains("ThunderDB server stopped");
    }
}
