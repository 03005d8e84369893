using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using ThunderDb.Host.Tests.Durability;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Backup;

/// <summary>A server with the runbook's layout (<c>var/data</c>, <c>var/wal</c>, backups in <c>backups/</c>) and the helpers the backup tests share.</summary>
internal sealed class BackupNode(TempDirectory dir, string name = "var", string extraStorage = "")
{
    public int HttpPort { get; } = ServerProcess.FreePort();

    public int RespPort { get; } = ServerProcess.FreePort();

    public int PgPort { get; } = ServerProcess.FreePort();

    public string DataDir => dir.Combine(Path.Combine(name, "data"));

    public string WalDir => dir.Combine(Path.Combine(name, "wal"));

    public string BackupDir => dir.Combine("backups");

    public string Config => dir.Write(name + ".toml", $"""
        http_port = {HttpPort}
        data_dir = "{DataDir}"
        wal_dir = "{WalDir}"
        [storage]
        sync_commit = true
        checkpoint_interval = "1s"
        buffer_pool_size = 8388608
        backup_dir = "{BackupDir}"
        {extraStorage}
        """);

    public async Task<ServerProcess> StartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(dir.Combine(name));
        var server = await ServerProcess.StartAsync(dir.Path, ["--config", Config], new Dictionary<string, string>
        {
            ["THUNDERDB_RESP_PORT"] = RespPort.ToString(CultureInfo.InvariantCulture),
            ["THUNDERDB_PG_PORT"] = PgPort.ToString(CultureInfo.InvariantCulture),
        });
        await CrashRecoveryTests.WaitReadyAsync(HttpPort, server, ct);
        return server;
    }

    public static async Task StopAsync(ServerProcess server)
    {
        server.Signal(ServerProcess.SIGTERM);
        await Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(30))).IsEqualTo(0).Because(server.AllOutput);
    }

    /// <summary>The runbook's <c>curl -X POST .../admin/backup -H "Content-Type: application/json" -d '{"target_dir": ...}'</c>.</summary>
    public async Task<(int Status, JsonElement Body)> CurlBackupAsync(string? targetDir)
    {
        List<string> args = ["-s", "-w", "\n%{http_code}", "-X", "POST", $"http://127.0.0.1:{HttpPort}/admin/backup", "-H", "Content-Type: application/json"];
        if (targetDir is not null)
        {
            args.AddRange(["-d", $"{{\"target_dir\": \"{targetDir}\"}}"]);
        }

        var r = await ExternalTool.RunAsync("curl", args, null, TimeSpan.FromSeconds(120));
        var lines = r.Stdout.TrimEnd().Split('\n');
        return (int.Parse(lines[^1], CultureInfo.InvariantCulture), JsonDocument.Parse(string.Join('\n', lines[..^1])).RootElement.Clone());
    }

    public async Task<JsonElement> ListBackupsAsync()
    {
        using var http = new HttpClient();
        return JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{HttpPort}/admin/backups"))).RootElement.Clone();
    }

    public async Task<JsonElement> HealthAsync()
    {
        using var http = new HttpClient();
        return JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{HttpPort}/admin/health"))).RootElement.Clone();
    }

    /// <summary>Every key of the form prefix* and its value, read with redis-cli's KEYS and GET through the RESP client.</summary>
    public async Task<Dictionary<string, string>> ReadAllAsync(string prefix, CancellationToken ct)
    {
        using var client = await RespTestClient.ConnectAsync(RespPort, ct);
        var keys = (object?[])(await client.CallAsync(ct, "KEYS", prefix + "*"))!;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys.Cast<string>())
        {
            result[key] = (string)(await client.CallAsync(ct, "GET", key))!;
        }

        return result;
    }

    public static Task<ToolResult> RunCli(params string[] args) => RunCliAsync(args);

    private static async Task<ToolResult> RunCliAsync(string[] args) =>
        await ExternalTool.RunAsync(await PublishedBinary.PathAsync(), args, null, TimeSpan.FromSeconds(120));

    public static long NowTicks() => DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;

    public static string Rfc3339(long unixTicks) =>
        new DateTime(DateTime.UnixEpoch.Ticks + unixTicks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
