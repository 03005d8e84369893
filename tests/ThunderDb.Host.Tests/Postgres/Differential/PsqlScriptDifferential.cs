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
    /// <param name="superuser">Both servers' superuser (ThunderDB's security.superuser, PostgreSQL's initdb -U), so owner names print alike.</param>
    public static Task<(ToolResult Pg, ToolResult Thunder)> RunAsync(string script, string[] psqlArgs, CancellationToken ct, string? superuser = null) =>
        OnBothAsync((port, user) => PsqlTests.PsqlAsync(port, script, null, ["-U", user, "-d", "postgres", "-q", "-e", .. psqlArgs]), ct, superuser);

    /// <summary>Starts both servers and runs <paramref name="run"/>(port, superuser) against PostgreSQL, then ThunderDB.</summary>
    public static async Task<(T Pg, T Thunder)> OnBothAsync<T>(Func<int, string, Task<T>> run, CancellationToken ct, string? superuser = null)
    {
        await using var reference = await ReferencePostgres.StartAsync(superuser);
        using var dir = new TempDirectory();
        string sections = superuser is null ? "" : $"[security]\nsuperuser = \"{superuser}\"";
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, sections: sections, ct: ct);
        T pg = await run(reference.Port, reference.User);
        T thunder = await run(server.PgPort, superuser ?? "thunder");
        return (pg, thunder);
    }

    /// <summary>
    /// Runs <paramref name="script"/> on both servers and asserts that ThunderDB prints what PostgreSQL prints: stdout (after
    /// <paramref name="normalize"/>, when given) and the error lines (<see cref="Errors"/>).
    /// </summary>
    public static async Task AssertSamePrintoutAsync(string script, CancellationToken ct, string[]? psqlArgs = null, bool hints = false,
        Func<string, string>? normalize = null)
    {
        var (pg, thunder) = await RunAsync(script, psqlArgs ?? [], ct);
        normalize ??= s => s;
        await Assert.That(normalize(thunder.Stdout)).IsEqualTo(normalize(pg.Stdout)).Because($"PostgreSQL:\n{pg}\n\nThunderDB:\n{thunder}");
        await Assert.That(Errors(thunder.Stderr, hints)).IsEqualTo(Errors(pg.Stderr, hints)).Because($"PostgreSQL:\n{pg.Stderr}\n\nThunderDB:\n{thunder.Stderr}");
    }

    /// <summary>Runs <paramref name="script"/> on both servers and asserts the same stdout and the same whole stderr (error positions and carets included).</summary>
    public static async Task AssertSameOutputAsync(string script, CancellationToken ct, string? superuser = null)
    {
        var (pg, thunder) = await RunAsync(script, [], ct, superuser);
        await Assert.That(thunder.Stdout).IsEqualTo(pg.Stdout).Because($"PostgreSQL:\n{pg}\n\nThunderDB:\n{thunder}");
        await Assert.That(thunder.Stderr).IsEqualTo(pg.Stderr).Because($"PostgreSQL:\n{pg.Stderr}\n\nThunderDB:\n{thunder.Stderr}");
    }

    /// <summary>The ERROR and DETAIL lines (and HINT with <paramref name="hints"/>), without psql's LINE / caret lines, which depend on the statement position.</summary>
    public static string Errors(string stderr, bool hints = false) =>
        string.Join('\n', stderr.Split('\n').Where(l => l.Contains("ERROR:", StringComparison.Ordinal) || l.StartsWith("DETAIL:", StringComparison.Ordinal)
            || (hints && l.StartsWith("HINT:", StringComparison.Ordinal))));
}
