using Npgsql;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>
/// The runbook's <c>max_result_rows</c> on the real binary: a SELECT that would return more rows fails with 54000 (psql's
/// simple protocol and Npgsql's extended protocol, streamed or fetched in pages), results up to the limit and DML over
/// more rows are unaffected, the connection stays usable, and a SIGHUP reload changes the limit.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class MaxResultRowsTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task A_result_over_max_result_rows_fails_with_54000_and_a_reload_raises_the_limit(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, topLevel: "max_result_rows = 5", ct: ct);

        // psql (simple query protocol): the error names the limit and carries the hint.
        var psql = await PsqlTests.PsqlAsync(server.PgPort, "\\set VERBOSITY verbose\nSELECT * FROM generate_series(1, 6);\n", null,
            "-U", "thunder", "-d", "postgres", "-v", "ON_ERROR_STOP=1");
        await Assert.That(psql.ExitCode).IsEqualTo(3).Because(psql.ToString());
        await Assert.That(psql.Stderr).Contains("ERROR:  54000: query result exceeds max_result_rows (5 rows)");
        await Assert.That(psql.Stderr).Contains("HINT:  Add a LIMIT");

        await using var conn = await NpgsqlTests.OpenAsync(server, ct);
        await NpgsqlTests.ExecAsync(conn, "CREATE TABLE big (id int PRIMARY KEY, v text)", ct);
        await NpgsqlTests.ExecAsync(conn, "INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, 20) g", ct);

        // Npgsql (extended protocol): over the limit fails, at the limit works, and the connection goes on.
        var tooMany = await Assert.ThrowsAsync<PostgresException>(() => NpgsqlTests.ScalarAsync(conn, "SELECT id FROM big", ct));
        await Assert.That(tooMany!.SqlState).IsEqualTo("54000");
        await Assert.That(await CountRowsAsync(conn, "SELECT id FROM big ORDER BY id LIMIT 5", ct)).IsEqualTo(5);
        await Assert.That(await NpgsqlTests.ScalarAsync(conn, "SELECT count(*) FROM big", ct)).IsEqualTo(20L);

        // DML over more rows than the limit is not a result set, and is not limited.
        await NpgsqlTests.ExecAsync(conn, "UPDATE big SET v = 'w'", ct);
        await Assert.That(await NpgsqlTests.ScalarAsync(conn, "SELECT count(*) FROM big WHERE v = 'w'", ct)).IsEqualTo(20L);

        // Inside a transaction the error aborts it, as any error does; ROLLBACK brings it back.
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await Assert.ThrowsAsync<PostgresException>(() => CountRowsAsync(conn, "SELECT * FROM big", ct));
            await tx.RollbackAsync(ct);
        }

        await Assert.That(await CountRowsAsync(conn, "SELECT * FROM big WHERE id <= 3", ct)).IsEqualTo(3);

        // SIGHUP raises the limit for the running server.
        string config = dir.Combine("thunderdb.toml");
        File.WriteAllText(config, File.ReadAllText(config).Replace("max_result_rows = 5", "max_result_rows = 50", StringComparison.Ordinal));
        server.Process.Signal(ServerProcess.SIGHUP);
        await server.Process.WaitForLineAsync("max_result_rows changed 5 -> 50", TimeSpan.FromSeconds(30));
        await Assert.That(await CountRowsAsync(conn, "SELECT * FROM big", ct)).IsEqualTo(20);
        var stillTooMany = await Assert.ThrowsAsync<PostgresException>(() => CountRowsAsync(conn, "SELECT * FROM generate_series(1, 51)", ct));
        await Assert.That(stillTooMany!.MessageText).IsEqualTo("query result exceeds max_result_rows (50 rows)");
        await Assert.That(server.Process.AllOutput).DoesNotContain("Unhandled");
    }

    private static async Task<int> CountRowsAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        int n = 0;
        while (await reader.ReadAsync(ct))
        {
            n++;
        }

        return n;
    }
}
