using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Txn;
using ThunderDb.Net.Postgres;
using ThunderDb.Net.Tests.Support;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Postgres;

/// <summary>Engine failures that are not SQL errors: the statement fails with an ErrorResponse, the connection stays.</summary>
public sealed class PgEngineErrorTests
{
    private static async Task<(PgServer Server, InMemoryKvDatabase Db)> StartAsync(ILogger? log = null)
    {
        var db = new InMemoryKvDatabase();
        var engine = await SqlEngine.OpenAsync(db);
        var server = new PgServer(engine, new PgServerOptions(), log ?? NullLogger.Instance, new ConnectionRegistry());
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return (server, db);
    }

    /// <summary>The SQLSTATE of the one error a Query produced (null if none), after reading up to ReadyForQuery.</summary>
    private static async Task<(string? State, string? Message)> QueryStateAsync(PgClient client, string sql, CancellationToken ct)
    {
        await client.SendAsync(PgClient.Message((byte)'Q', [.. Encoding.UTF8.GetBytes(sql), 0]), ct);
        (string?, string?) error = (null, null);
        while (true)
        {
            var m = await client.ReadAsync(ct);
            if (m.Type == (byte)'E')
            {
                error = (PgClient.Field(m.Body, 'C'), PgClient.Field(m.Body, 'M'));
            }
            else if (m.Type == (byte)'Z')
            {
                return error;
            }
        }
    }

    [Test]
    [Timeout(20_000)]
    public async Task An_engine_bug_is_XX000_and_the_connection_stays_usable(CancellationToken ct)
    {
        var log = new ErrorLog();
        var (server, db) = await StartAsync(log);
        await using var owned = server;
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.QueryAsync("CREATE TABLE t (id int PRIMARY KEY)", ct);
        db.FailNextCommitWith = new InvalidOperationException("injected engine bug");
        var (state, message) = await QueryStateAsync(client, "INSERT INTO t VALUES (1)", ct);
        await Assert.That(state).IsEqualTo("XX000");
        await Assert.That(message).IsEqualTo("internal error: injected engine bug");
        db.FailNextCommitWith = new NotSupportedException("not here");
        (state, message) = await QueryStateAsync(client, "INSERT INTO t VALUES (1)", ct);
        await Assert.That(state).IsEqualTo("XX000");
        await Assert.That(message).IsEqualTo("internal error: not here");
        // each bug is logged once, with its exception (and so its stack)
        await Assert.That(log.Errors.Select(e => e.Message)).IsEquivalentTo(new[] { "injected engine bug", "not here" });
        await Assert.That(await client.QueryAsync("INSERT INTO t VALUES (2)", ct)).IsEqualTo("");
        await Assert.That((await client.QueryAsync("SELECT count(*) FROM t", ct)).Trim()).IsEqualTo("1");
    }

    [Test]
    [Timeout(20_000)]
    public async Task A_transaction_too_large_is_54000(CancellationToken ct)
    {
        var (server, db) = await StartAsync();
        await using var owned = server;
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.QueryAsync("CREATE TABLE t (id int PRIMARY KEY)", ct);
        db.FailNextCommitWith = new TransactionTooLargeException("transaction write set exceeds storage.max_transaction_size (100 bytes)");
        var (state, message) = await QueryStateAsync(client, "INSERT INTO t VALUES (1)", ct);
        await Assert.That(state).IsEqualTo("54000");
        await Assert.That(message).Contains("max_transaction_size");
        await Assert.That((await client.QueryAsync("SELECT count(*) FROM t", ct)).Trim()).IsEqualTo("0");
    }
}
