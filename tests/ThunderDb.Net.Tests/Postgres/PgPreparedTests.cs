using System.Buffers.Binary;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Net.Postgres;
using ThunderDb.Net.Tests.Support;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Postgres;

/// <summary>Prepared statements over the wire: cached plans, text-format DataRows, and statement cancellation across executions.</summary>
public sealed class PgPreparedTests
{
    private static byte[] BindExecuteSync(string statement, string value) =>
    [
        .. PgClient.Message((byte)'B', [0, .. Encoding.UTF8.GetBytes(statement), 0, 0, 0, 0, 1,
            .. Int32(value.Length), .. Encoding.UTF8.GetBytes(value), 0, 0]),
        .. PgClient.Message((byte)'E', [0, 0, 0, 0, 0]),
        .. PgClient.Message((byte)'S', []),
    ];

    private static byte[] Int32(int v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, v);
        return b;
    }

    /// <summary>The text columns of the DataRows up to ReadyForQuery ("NULL" for null), rows joined by ';', or "error CODE".</summary>
    private static async Task<string> ReadRowsAsync(PgClient client, CancellationToken ct)
    {
        var rows = new List<string>();
        string? error = null;
        while (true)
        {
            (byte type, byte[] body) = await client.ReadAsync(ct);
            if (type == (byte)'E')
            {
                error = "error " + PgClient.Field(body, 'C');
            }
            else if (type == (byte)'D')
            {
                int count = BinaryPrimitives.ReadInt16BigEndian(body);
                var columns = new List<string>();
                int at = 2;
                for (int i = 0; i < count; i++)
                {
                    int length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at));
                    at += 4;
                    columns.Add(length < 0 ? "NULL" : Encoding.UTF8.GetString(body, at, length));
                    at += Math.Max(0, length);
                }

                rows.Add(string.Join(",", columns));
            }
            else if (type == (byte)'Z')
            {
                return error ?? string.Join(";", rows);
            }
        }
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_prepared_point_read_follows_ddl_from_another_connection(CancellationToken ct)
    {
        await using PgServer server = await PgWireTests.StartAsync();
        using PgClient client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        using PgClient admin = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await admin.StartupAsync(ct);
        await admin.QueryAsync("CREATE TABLE t (id int PRIMARY KEY, big int8, flag bool, name text)", ct);
        await admin.QueryAsync("INSERT INTO t VALUES (1, -9223372036854775808, true, 'one'), (2, 42, false, NULL)", ct);

        await client.SendAsync([.. PgClient.Message((byte)'P', [.. "s\0"u8, .. "SELECT id, big, flag, name FROM t WHERE id = $1\0"u8, 0, 0]),
            .. PgClient.Message((byte)'S', [])], ct);
        await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("");
        for (int round = 0; round < 3; round++)
        {
            await client.SendAsync(BindExecuteSync("s", "1"), ct);
            await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("1,-9223372036854775808,t,one");
            await client.SendAsync(BindExecuteSync("s", "2"), ct);
            await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("2,42,f,NULL");
        }

        // the table is replaced by another connection: the next execution binds against the new catalog
        await admin.QueryAsync("DROP TABLE t; CREATE TABLE t (id int PRIMARY KEY, big int8, flag bool, name text); INSERT INTO t VALUES (1, 7, false, 'new')", ct);
        await client.SendAsync(BindExecuteSync("s", "1"), ct);
        await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("1,7,f,new");

        await admin.QueryAsync("DROP TABLE t", ct);
        await client.SendAsync(BindExecuteSync("s", "1"), ct);
        await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("error 42P01");
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_cancel_between_statements_does_not_cancel_the_next_one(CancellationToken ct)
    {
        await using PgServer server = await PgWireTests.StartAsync();
        using PgClient client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        (int pid, int key) = await StartupWithKeyAsync(client, ct);
        await client.QueryAsync("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT g FROM generate_series(1, 100) g", ct);
        await client.SendAsync([.. PgClient.Message((byte)'P', [.. "s\0"u8, .. "SELECT count(*) FROM t WHERE id > $1\0"u8, 0, 0]),
            .. PgClient.Message((byte)'S', [])], ct);
        await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("");
        for (int i = 0; i < 3; i++)
        {
            await client.SendAsync(BindExecuteSync("s", "90"), ct);
            await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("10");

            // a CancelRequest while the connection is idle has nothing to cancel
            using (PgClient canceller = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct))
            {
                byte[] request = [0, 0, 0, 16, .. Int32(80877102), .. Int32(pid), .. Int32(key)];
                await canceller.SendAsync(request, ct);
                await Assert.That(await canceller.ReadEndAsync(ct)).IsTrue();
            }

            await Assert.That(await client.QueryAsync("SELECT count(*) FROM t", ct)).IsEqualTo("100\n");
        }
    }

    [Test]
    [Timeout(30_000)]
    public async Task Integer_parameters_in_text_parse_fast_and_a_failed_bind_drops_the_unnamed_portal(CancellationToken ct)
    {
        await using PgServer server = await PgWireTests.StartAsync();
        using PgClient client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.QueryAsync("CREATE TABLE t (id int PRIMARY KEY, small int2, v int8); INSERT INTO t VALUES (-5, 1, 10), (7, 2, 20)", ct);
        await client.SendAsync([.. PgClient.Message((byte)'P', [.. "byid\0"u8, .. "SELECT v FROM t WHERE id = $1\0"u8, 0, 0]),
            .. PgClient.Message((byte)'P', [.. "bysmall\0"u8, .. "SELECT v FROM t WHERE small = $1\0"u8, 0, 0]),
            .. PgClient.Message((byte)'S', [])], ct);
        await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("");
        foreach ((string statement, string value, string expected) in new[]
        {
            ("byid", "-5", "10"), ("byid", "+7", "20"), ("byid", " 7", "20"), ("byid", "2147483648", "error 22003"), ("byid", "x", "error 22P02"),
            ("bysmall", "2", "20"), ("bysmall", "32768", "error 22003"), ("nosuch", "1", "error 26000"),
        })
        {
            await client.SendAsync(BindExecuteSync(statement, value), ct);
            await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo(expected);
        }

        // inside a transaction block portals outlive Sync; a Bind that fails still replaces the unnamed portal
        await client.QueryAsync("BEGIN", ct);
        await client.SendAsync(BindExecuteSync("byid", "7"), ct);
        await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("20");
        await client.SendAsync([.. PgClient.Message((byte)'B', [0, .. "byid\0"u8, 0, 0, 0, 1, .. Int32(1), (byte)'x', 0, 0]),
            .. PgClient.Message((byte)'S', [])], ct);
        await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("error 22P02");
        await client.SendAsync([.. PgClient.Message((byte)'E', [0, 0, 0, 0, 0]), .. PgClient.Message((byte)'S', [])], ct);
        await Assert.That(await ReadRowsAsync(client, ct)).IsEqualTo("error 34000");
        await client.QueryAsync("ROLLBACK", ct);
    }

    private static async Task<(int Pid, int Key)> StartupWithKeyAsync(PgClient client, CancellationToken ct)
    {
        byte[] parameters = [0, 3, 0, 0, .. "user\0tester\0database\0postgres\0"u8, 0];
        byte[] packet = [.. Int32(4 + parameters.Length), .. parameters];
        await client.SendAsync(packet, ct);
        (int, int) key = default;
        while (true)
        {
            (byte type, byte[] body) = await client.ReadAsync(ct);
            if (type == (byte)'K')
            {
                key = (BinaryPrimitives.ReadInt32BigEndian(body), BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(4)));
            }
            else if (type == (byte)'Z')
            {
                return key;
            }
        }
    }
}
