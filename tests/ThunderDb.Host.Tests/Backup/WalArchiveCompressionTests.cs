using System.Globalization;
using System.Net.Http;
using System.Text;
using ThunderDb.Host.Tests.Durability;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Backup;

/// <summary>
/// <c>storage.compression</c> / <c>compression_algorithm</c> against the published binary: the WAL archive the
/// checkpoints feed holds <c>.wal.zst</c> segments (and, after a restart with compression off, plain ones next to them),
/// <c>/metrics</c> reports both the bytes on disk and the uncompressed bytes, the backup itself stays plain, and the
/// runbook's PITR procedure restores through the mixed archive to the newest state.
/// </summary>
[NotInParallel("thunderdb-process")]
public class WalArchiveCompressionTests
{
    private const long SegmentSize = 64L << 20; // the server's WAL segment size

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    /// <summary>~54 KB of JSON-like rows: what a WAL of application writes looks like (repetitive structure, varying numbers).</summary>
    private static string Value(int i)
    {
        var sb = new StringBuilder(56 * 1024);
        for (var j = 0; j < 1200; j++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{{\"id\":{(i * 1200) + j},\"name\":\"user{(i + j) % 97}\",\"score\":{(i * 31 + j * 17) % 1009}}},");
        }

        return sb.ToString();
    }

    private static async Task WriteAsync(BackupNode node, int from, int count, CancellationToken ct)
    {
        using var client = await RespTestClient.ConnectAsync(node.RespPort, ct);
        for (var i = from; i < from + count; i += 40)
        {
            var batch = Enumerable.Range(i, Math.Min(40, from + count - i)).Select(n => new[] { "SET", $"big{n:D5}", Value(n) }).ToList();
            await client.SendPipelineAsync(ct, batch);
            foreach (var _ in batch)
            {
                await Assert.That(await client.ReadAsync(ct)).IsEqualTo("OK");
            }
        }
    }

    private static string[] Archived(BackupNode node) =>
        Directory.Exists(Path.Combine(node.BackupDir, "wal"))
            ? [.. Directory.GetDirectories(Path.Combine(node.BackupDir, "wal")).SelectMany(Directory.GetFiles)
                .Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]
            : [];

    private static async Task WaitForArchivedAsync(BackupNode node, string extension, int count, ServerProcess server, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Archived(node).Count(f => f.EndsWith(extension, StringComparison.Ordinal)) < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, ct);
        }

        await Assert.That(Archived(node).Count(f => f.EndsWith(extension, StringComparison.Ordinal))).IsGreaterThanOrEqualTo(count)
            .Because(string.Join(", ", Archived(node)) + "\n" + server.AllOutput);
    }

    private static async Task<double> MetricAsync(BackupNode node, string name)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{node.HttpPort}/metrics"));
        var line = text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    [Test]
    [Timeout(300_000)]
    public async Task A_zstd_then_plain_archive_restores_to_the_newest_state_with_the_runbook_procedure(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var zstd = new BackupNode(dir, extraStorage: "compression = true\ncompression_algorithm = \"Zstd\"");
        string backupPath;
        const int First = 3000; // ~155 MB of WAL: two full 64 MiB segments archived, the third being written
        await using (var server = await zstd.StartAsync(ct))
        {
            using (var client = await RespTestClient.ConnectAsync(zstd.RespPort, ct))
            {
                await client.CallAsync(ct, "SET", "base", "v");
            }

            var (status, body) = await zstd.CurlBackupAsync(null);
            await Assert.That(status).IsEqualTo(200).Because(body.ToString());
            backupPath = body.GetProperty("path").GetString()!;
            await WriteAsync(zstd, 0, First, ct);
            await WaitForArchivedAsync(zstd, ".wal.zst", 2, server, ct);

            var archived = Archived(zstd);
            await Assert.That(archived.All(f => f.EndsWith(".wal.zst", StringComparison.Ordinal))).IsTrue().Because(string.Join(", ", archived));
            var onDisk = archived.Sum(f => new FileInfo(f).Length);
            var deadline = DateTime.UtcNow.AddSeconds(5); // the gauge moves just after the rename
            while (await MetricAsync(zstd, "thunderdb_wal_archive_size_bytes") != onDisk && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, ct);
            }

            await Assert.That(await MetricAsync(zstd, "thunderdb_wal_archive_size_bytes")).IsEqualTo(onDisk);
            await Assert.That(await MetricAsync(zstd, "thunderdb_wal_archive_uncompressed_bytes")).IsEqualTo(archived.Length * SegmentSize);
            await Assert.That(onDisk).IsLessThan(archived.Length * SegmentSize / 3);
            await BackupNode.StopAsync(server);
        }

        // The backup itself stays plain: the runbook's cp -a of <backup>/data and <backup>/wal needs no tool.
        await Assert.That(Directory.GetFiles(Path.Combine(backupPath, "wal")).Any(f => f.EndsWith(".zst", StringComparison.Ordinal))).IsFalse();

        // A restart with compression off: later segments are archived plain, next to the compressed ones.
        var plain = new BackupNode(dir, extraStorage: "compression = false");
        const int Second = 1500;
        await using (var server = await plain.StartAsync(ct))
        {
            await WriteAsync(plain, First, Second, ct);
            await WaitForArchivedAsync(plain, ".wal", 1, server, ct);
            await BackupNode.StopAsync(server);
        }

        // The runbook's emergency form: now, from the backup; PITR reads .wal.zst and .wal alike into a plain wal_dir.
        await Task.Delay(1100, ct);
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var r = await BackupNode.RunCli("--config", plain.Config, "--restore-pitr", now, "--restore-backup", backupPath);
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        await Assert.That(r.Lines[^1]).IsEqualTo("PITR restore complete. You can now start the server normally.");
        await Assert.That(r.Stderr).Contains(".wal.zst");
        await Assert.That(Directory.GetFiles(plain.WalDir).Any(f => f.EndsWith(".zst", StringComparison.Ordinal) || f.EndsWith(".lz4", StringComparison.Ordinal))).IsFalse();

        await using (var server = await plain.StartAsync(ct))
        {
            using var client = await RespTestClient.ConnectAsync(plain.RespPort, ct);
            await Assert.That(await client.CallAsync(ct, "DBSIZE")).IsEqualTo((long)(1 + First + Second));
            await Assert.That(await client.CallAsync(ct, "GET", "base")).IsEqualTo("v");
            var random = new Random(14);
            foreach (var i in Enumerable.Range(0, 25).Select(_ => random.Next(First + Second)).Append(0).Append(First + Second - 1))
            {
                await Assert.That((string?)await client.CallAsync(ct, "GET", $"big{i:D5}") == Value(i)).IsTrue().Because($"big{i:D5}");
            }

            await BackupNode.StopAsync(server);
        }
    }
}
