using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// One psql script run against the distribution's PostgreSQL 15 (a private cluster) and a fresh ThunderDB, for tests
/// that compare what the two print: stdout as psql prints it, and the error lines of stderr.
/// </summary>
internal static class PsqlScriptDifferential
{
    /// <summary>Runs <paramref name="script"/> with <c>psql -d postgres -q -e</c> plus <paramref name="psqlArgs"/> on both servers.</summary>
    public static async Task<(ToolResult Pg, ToolResult Thunder)> RunAsync(string script, string[] psqlArgs, CancellationToken ct)
    {
        await using var reference = await ReferencePostgres.StartAsync();
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        var pg = await PsqlTests.PsqlAsync(reference.Port, script, null, ["-U", reference.User, "-d", "postgres", "-q", "-e", .. psqlArgs]);
        var thunder = await PsqlTests.PsqlAsync(server.PgPort, script, null, ["-U", "thunder", "-d", "postgres", "-q", "-e", .. psqlArgs]);
        return (pg, thunder);
    }

    /// <summary>The ERROR and DETAIL lines (and HINT with <paramref name="hints"/>), without psql's LINE / caret lines, which depend on the statement position.</summary>
    public static string Errors(string stderr, bool hints = false) =>
        string.Join('\n', stderr.Split('\n').Where(l => l.Contains("ERROR:", StringComparison.Ordinal) || l.StartsWith("DETAIL:", StringComparison.Ordinal)
            || (hints && l.StartsWith("HINT:", StringComparison.Ordinal))));
}
