using System.Collections.Concurrent;
using System.Globalization;
using ThunderDb.Host.Tests.Durability;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Backup;

/// <summary>
/// The runbook's "Backup and Restore" and "Point-in-Time Recovery" procedures as written, against the published binary:
/// curl for the backup, mv / cp -a for the restore, <c>thunderdb --restore-pitr ... --restore-backup ...</c> for PITR.
/// </summary>
[NotInParallel("thunderdb-process")]
public class BackupRestoreTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    private static async Task Sh(string program, params string[] args)
    {
        var r = await ExternalTool.RunAsync(program, args, null, TimeSpan.FromSeconds(60));
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
    }

    [Test]
    [Timeout(120_000)]
    public async Task Runbook_backup_under_write_load_then_mv_and_cp_a_restore_serves_every_key_acknowledged_before_the_backup_ended(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var node = new BackupNode(dir);
        var acked = new ConcurrentDictionary<string, (string Value, long AckTicks)>();
        var manual = Path.Combine(node.BackupDir, "manual");
        System.Text.Json.JsonElement backup;
        await using (var server = await node.StartAsync(ct))
        {
            var psql = await ExternalTool.RunAsync("psql", ["-X", "-h", "127.0.0.1", "-p", node.PgPort.ToString(CultureInfo.InvariantCulture), "-U", "thunder", "-d", "postgres",
                "-v", "ON_ERROR_STOP=1", "-c", "CREATE TABLE t (id int PRIMARY KEY, v text)", "-c", "INSERT INTO t SELECT g, 'row' || g FROM generate_series(1, 500) g"], null, TimeSpan.FromSeconds(30));
            await Assert.That(psql.ExitCode).IsEqualTo(0).Because(psql.ToString());

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
            {
                using var client = await RespTestClient.ConnectAsync(node.RespPort, stop.Token);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"w{w}:{i}";
                    var value = $"value-{w}-{i}-" + new string('x', i % 500);
                    if (await client.CallAsync(stop.Token, "SET", key, value) is "OK")
                    {
                        acked[key] = (value, BackupNode.NowTicks());
                    }
                }
            }, stop.Token)).ToList();
            await Task.Delay(1500, ct);

            var (status, body) = await node.CurlBackupAsync(manual);
            await Assert.That(status).IsEqualTo(200).Because(body.ToString());
            backup = body;
            await Task.Delay(300, ct);
            await stop.CancelAsync();
            foreach (var w in writers)
            {
                try
                {
                    await w;
                }
                catch (OperationCanceledException)
                {
                }
            }

            var list = await node.ListBackupsAsync();
            var entry = list.GetProperty("backups").EnumerateArray().Single(b => b.GetProperty("id").GetString() == "manual");
            await Assert.That(entry.GetProperty("status").GetString()).IsEqualTo("complete");
            await Assert.That(entry.GetProperty("pitr").GetBoolean()).IsTrue();
            await BackupNode.StopAsync(server);
        }

        var endTicks = System.DateTimeOffset.Parse(backup.GetProperty("end_time").GetString()!, CultureInfo.InvariantCulture).UtcTicks - DateTime.UnixEpoch.Ticks;
        var before = acked.Where(kv => kv.Value.AckTicks < endTicks).ToList();
        await Assert.That(before.Count).IsGreaterThan(50);
        await Assert.That(acked.Count).IsGreaterThan(before.Count); // writes went on after the backup's end: they must not matter

        // 2. Move existing data away; 3. cp -a the backup into place; 4. start.
        await Sh("mv", node.DataDir, node.DataDir + ".old");
        await Sh("mv", node.WalDir, node.WalDir + ".old");
        await Sh("cp", "-a", Path.Combine(manual, "data"), node.DataDir);
        await Sh("cp", "-a", Path.Combine(manual, "wal"), node.WalDir);
        await using (var restored = await node.StartAsync(ct))
        {
            var health = await node.HealthAsync();
            await Assert.That(health.GetProperty("status").GetString()).IsNotEqualTo("unhealthy");
            var keys = await node.ReadAllAsync("w", ct);
            var missing = before.Where(kv => keys.GetValueOrDefault(kv.Key) != kv.Value.Value).Select(kv => kv.Key).ToList();
            await Assert.That(missing).IsEmpty();
            foreach (var (key, value) in keys)
            {
                await Assert.That(acked.ContainsKey(key) ? acked[key].Value : value).IsEqualTo(value); // nothing invented
            }

            var count = await ExternalTool.RunAsync("psql", ["-X", "-h", "127.0.0.1", "-p", node.PgPort.ToString(CultureInfo.InvariantCulture), "-U", "thunder", "-d", "postgres",
                "-A", "-t", "-c", "SELECT count(*), max(v) FROM t WHERE id = 500"], null, TimeSpan.FromSeconds(30));
            await Assert.That(count.Stdout.Trim()).IsEqualTo("1|row500").Because(count.ToString());
            await BackupNode.StopAsync(restored);
        }
    }

    [Test]
    [Timeout(150_000)]
    public async Task Pitr_round_trip_restores_exactly_the_acknowledged_state_at_each_target_time(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var node = new BackupNode(dir);
        var writes = new List<(string Key, string Value, long SentTicks, long AckTicks)>();
        string backupPath;
        await using (var server = await node.StartAsync(ct))
        {
            using var client = await RespTestClient.ConnectAsync(node.RespPort, ct);
            for (var i = 0; i < 30; i++)
            {
                await client.CallAsync(ct, "SET", $"k{i:D2}", "base");
            }

            var (status, body) = await node.CurlBackupAsync(null); // default: a timestamped directory under backup_dir
            await Assert.That(status).IsEqualTo(200).Because(body.ToString());
            backupPath = body.GetProperty("path").GetString()!;
            await Assert.That(Path.GetDirectoryName(backupPath)).IsEqualTo(node.BackupDir);

            var random = new Random(1414);
            for (var i = 0; i < 300; i++)
            {
                var key = $"k{random.Next(30):D2}";
                var value = $"v{i}";
                var sent = BackupNode.NowTicks();
                await Assert.That(await client.CallAsync(ct, "SET", key, value)).IsEqualTo("OK");
                writes.Add((key, value, sent, BackupNode.NowTicks()));
            }

            await BackupNode.StopAsync(server);
        }

        Dictionary<string, string> StateAfter(int count)
        {
            var state = Enumerable.Range(0, 30).ToDictionary(i => $"k{i:D2}", _ => "base", StringComparer.Ordinal);
            foreach (var w in writes.Take(count))
            {
                state[w.Key] = w.Value;
            }

            return state;
        }

        // Targets strictly between write i's acknowledgement and write i+1's request: the state is exactly writes 0..i.
        var random2 = new Random(7);
        var rounds = Enumerable.Range(0, writes.Count - 1).Where(i => writes[i + 1].SentTicks - writes[i].AckTicks >= 2)
            .OrderBy(_ => random2.Next()).Take(12).ToList();
        await Assert.That(rounds.Count).IsEqualTo(12);
        var baseline = dir.Combine("stopped");
        await Sh("cp", "-a", dir.Combine("var"), baseline);
        foreach (var i in rounds)
        {
            var target = writes[i].AckTicks + ((writes[i + 1].SentTicks - writes[i].AckTicks) / 2);
            var state = await RestoreAndReadAsync(dir, node, baseline, BackupNode.Rfc3339(target), backupPath, ct);
            await Assert.That(state).IsEquivalentTo(StateAfter(i + 1)).Because($"target between write {i} and {i + 1}");
        }

        // The runbook's emergency form: whole seconds, now, from backup_dir/latest: the newest state.
        await Task.Delay(1100, ct);
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var newest = await RestoreAndReadAsync(dir, node, baseline, now, Path.Combine(node.BackupDir, "latest"), ct);
        await Assert.That(newest).IsEquivalentTo(StateAfter(writes.Count));

        // Before the backup ended: refused with the available range, nothing changed (the server still serves everything).
        await ResetFromBaselineAsync(dir, baseline);
        var refused = await BackupNode.RunCli("--config", node.Config, "--restore-pitr", "2020-01-01T00:00:00+02:00", "--restore-backup", backupPath);
        await Assert.That(refused.ExitCode).IsEqualTo(1);
        await Assert.That(refused.Stderr).Contains("before the end of backup");
        await Assert.That(refused.Stderr).Contains("restores to times from");
        await using (var server = await node.StartAsync(ct))
        {
            await Assert.That(await node.ReadAllAsync("k", ct)).IsEquivalentTo(StateAfter(writes.Count));
            await BackupNode.StopAsync(server);
        }
    }

    private static async Task ResetFromBaselineAsync(TempDirectory dir, string baseline)
    {
        Directory.Delete(dir.Combine("var"), recursive: true);
        await Sh("cp", "-a", baseline, dir.Combine("var"));
    }

    /// <summary>The runbook's PITR procedure over the stopped server's files (a fresh copy each round), then a normal start.</summary>
    private static async Task<Dictionary<string, string>> RestoreAndReadAsync(TempDirectory dir, BackupNode node, string baseline, string target, string backup, CancellationToken ct)
    {
        await ResetFromBaselineAsync(dir, baseline);
        var r = await BackupNode.RunCli("--config", node.Config, "--restore-pitr", target, "--restore-backup", backup);
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        var at = System.DateTimeOffset.Parse(target, CultureInfo.InvariantCulture);
        await Assert.That(r.Lines).IsEquivalentTo(new[]
        {
            $"Restoring from backup \"{backup}\" to timestamp {at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)} ({at.ToUnixTimeMilliseconds()} ms)...",
            "PITR restore complete. You can now start the server normally.",
        });
        await using var server = await node.StartAsync(ct);
        var state = await node.ReadAllAsync("k", ct);
        await BackupNode.StopAsync(server);
        return state;
    }

    [Test]
    [Timeout(120_000)]
    public async Task A_backup_killed_with_sigkill_midway_is_never_listed_complete(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var node = new BackupNode(dir);
        var target = Path.Combine(node.BackupDir, "killed");
        await using (var server = await node.StartAsync(ct))
        {
            using var client = await RespTestClient.ConnectAsync(node.RespPort, ct);
            var big = new string('z', 256 << 10);
            for (var batch = 0; batch < 40; batch++)
            {
                await client.SendPipelineAsync(ct, Enumerable.Range(0, 8).Select(i => new[] { "SET", $"big{batch}:{i}", big + batch + i }));
                for (var i = 0; i < 8; i++)
                {
                    await client.ReadAsync(ct);
                }
            }

            var post = node.CurlBackupAsync(target);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!File.Exists(Path.Combine(target, "data", "thunder.db")) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(1, ct);
            }

            server.Signal(9);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
            try
            {
                await post;
            }
#pragma warning disable CA1031 // curl sees the connection drop
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        await Assert.That(File.Exists(Path.Combine(target, "manifest.json"))).IsFalse().Because("the kill came after the backup completed: make the data larger");
        var refused = await BackupNode.RunCli("--config", node.Config, "--restore-pitr", "2030-01-01T00:00:00Z", "--restore-backup", target);
        await Assert.That(refused.ExitCode).IsEqualTo(1);
        await Assert.That(refused.Stderr).Contains("has no manifest.json");
        await using (var restarted = await node.StartAsync(ct))
        {
            var list = await node.ListBackupsAsync();
            var entry = list.GetProperty("backups").EnumerateArray().Single(b => b.GetProperty("id").GetString() == "killed");
            await Assert.That(entry.GetProperty("status").GetString()).IsEqualTo("incomplete");
            await Assert.That(entry.GetProperty("pitr").GetBoolean()).IsFalse();
            await Assert.That(Directory.Exists(Path.Combine(node.BackupDir, "latest"))).IsFalse();

            // PITR while the server runs is refused before anything is touched.
            var (okStatus, okBody) = await node.CurlBackupAsync(Path.Combine(node.BackupDir, "while-running"));
            await Assert.That(okStatus).IsEqualTo(200).Because(okBody.ToString());
            var running = await BackupNode.RunCli("--config", node.Config, "--restore-pitr", "2030-01-01T00:00:00Z", "--restore-backup", Path.Combine(node.BackupDir, "while-running"));
            await Assert.That(running.ExitCode).IsEqualTo(1);
            await Assert.That(running.Stderr).Contains("stop it first");

            // A new backup completes and becomes latest; the killed one stays incomplete.
            var (status, body) = await node.CurlBackupAsync(null);
            await Assert.That(status).IsEqualTo(200).Because(body.ToString());
            await Assert.That(Directory.Exists(Path.Combine(node.BackupDir, "latest"))).IsTrue();
            await BackupNode.StopAsync(restarted);
        }
    }
}
