using System.Globalization;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>
/// The published <c>thunderdb</c> on free RESP and HTTP ports over a data directory the caller owns,
/// started and waited for until <c>/admin/ready</c> answers 200. Restarting on the same directory is
/// a new <see cref="RunningServer"/>.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private RunningServer(ServerProcess process, int respPort, int httpPort, int pgPort)
    {
        Process = process;
        RespPort = respPort;
        HttpPort = httpPort;
        PgPort = pgPort;
    }

    public ServerProcess Process { get; }

    public int RespPort { get; }

    public int HttpPort { get; }

    public int PgPort { get; }

    public string RespPortText => RespPort.ToString(CultureInfo.InvariantCulture);

    public Uri HttpBase => new($"http://127.0.0.1:{HttpPort}");

    /// <summary>Starts the server with <paramref name="dir"/>/data as its data directory.</summary>
    /// <param name="sections">TOML appended after the top-level keys (e.g. a <c>[security]</c> table).</param>
    /// <param name="topLevel">More top-level keys (e.g. <c>max_connections_per_protocol = 1</c>).</param>
    public static async Task<RunningServer> StartAsync(TempDirectory dir, bool syncCommit = true, string sections = "", CancellationToken ct = default, string topLevel = "",
        IReadOnlyDictionary<string, string>? env = null, string? binary = null)
    {
        var respPort = ServerProcess.FreePort();
        var httpPort = ServerProcess.FreePort();
        var pgPort = ServerProcess.FreePort();
        var config = dir.Write("thunderdb.toml", $"""
            http_port = {httpPort}
            data_dir = "{dir.Combine("data")}"
            {topLevel}

            [storage]
            sync_commit = {(syncCommit ? "true" : "false")}
            buffer_pool_size = 16777216

            {sections}
            """);
        var environment = new Dictionary<string, string>(env ?? new Dictionary<string, string>())
        {
            ["THUNDERDB_RESP_PORT"] = respPort.ToString(CultureInfo.InvariantCulture),
            ["THUNDERDB_PG_PORT"] = pgPort.ToString(CultureInfo.InvariantCulture),
        };
        var process = await ServerProcess.StartAsync(dir.Path, ["--config", config], environment, binary).ConfigureAwait(false);
        var server = new RunningServer(process, respPort, httpPort, pgPort);
        try
        {
            await server.WaitReadyAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    public HttpClient Http(string? bearer = null)
    {
        var http = new HttpClient { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(5) };
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return http;
    }

    /// <summary>SIGTERM and the exit code of the graceful shutdown.</summary>
    public async Task<int> StopAsync()
    {
        Process.Signal(ServerProcess.SIGTERM);
        return await Process.WaitForExitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
    }

    /// <summary>SIGKILL: no shutdown sequence at all.</summary>
    public async Task KillAsync()
    {
        Process.Signal(9);
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var r = await http.GetAsync(new Uri("/admin/ready", UriKind.Relative), ct).ConfigureAwait(false);
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not bound yet
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // slow first answer
            }

            await Task.Delay(25, ct).ConfigureAwait(false);
        }

        throw new TimeoutException("server not ready:\n" + Process.AllOutput);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
