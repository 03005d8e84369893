using System.Diagnostics;
using System.Globalization;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// A private PostgreSQL 15 (the distribution's postgresql-15) on a free loopback port, in a temporary
/// cluster made with initdb and removed afterwards: the reference the differential test compares with.
/// initdb refuses to run as root, so as root the cluster belongs to the <c>postgres</c> system user.
/// </summary>
internal sealed class ReferencePostgres : IAsyncDisposable
{
    private const string BinDir = "/usr/lib/postgresql/15/bin";
    private readonly string _dir;
    private readonly bool _asPostgresUser;

    private readonly string? _superuser;

    private ReferencePostgres(string dir, int port, bool asPostgresUser, string? superuser)
    {
        _dir = dir;
        Port = port;
        _asPostgresUser = asPostgresUser;
        _superuser = superuser;
    }

    public int Port { get; }

    /// <summary>The superuser name psql connects as.</summary>
    public string User => _superuser ?? (_asPostgresUser ? "postgres" : Environment.UserName);

    public static bool Installed => File.Exists(Path.Combine(BinDir, "postgres"));

    /// <param name="superuser">The bootstrap superuser's name (initdb -U), e.g. the one ThunderDB is configured with, so owners print alike.</param>
    public static async Task<ReferencePostgres> StartAsync(string? superuser = null)
    {
        if (!Installed)
        {
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({BinDir}/postgres missing): scripts/test.sh installs postgresql-15");
        }

        bool root = Environment.UserName == "root";
        var dir = Path.Combine(Path.GetTempPath(), "thunderdb-pgref-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        if (root)
        {
            await RunAsync("chown", ["postgres:postgres", dir], asPostgres: false).ConfigureAwait(false);
        }

        var port = ServerProcess.FreePort();
        var server = new ReferencePostgres(dir, port, root, superuser);
        var data = Path.Combine(dir, "data");
        await RunAsync(Path.Combine(BinDir, "initdb"), ["-D", data, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", .. (superuser is null ? Array.Empty<string>() : ["-U", superuser])], root).ConfigureAwait(false);
        var options = string.Create(CultureInfo.InvariantCulture,
            $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=32MB -c max_connections=20 -c TimeZone=UTC");
        await RunAsync(Path.Combine(BinDir, "pg_ctl"), ["-D", data, "-l", Path.Combine(dir, "log"), "-w", "-t", "60", "-o", options, "start"], root).ConfigureAwait(false);
        return server;
    }

    private static async Task RunAsync(string program, string[] args, bool asPostgres)
    {
        string[] command = asPostgres ? ["-u", "postgres", "--", program, .. args] : args;
        var r = await ExternalTool.RunAsync(asPostgres ? "runuser" : program, command, null, TimeSpan.FromSeconds(90)).ConfigureAwait(false);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed: {r}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(BinDir, "pg_ctl"), ["-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop"], _asPostgresUser).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            Debug.WriteLine(e.Message); // already stopped: nothing to do but remove the files
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
