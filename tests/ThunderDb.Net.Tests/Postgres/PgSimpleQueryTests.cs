using System.Text;
using ThunderDb.Net.Postgres;

namespace ThunderDb.Net.Tests.Postgres;

/// <summary>
/// Simple queries that are primary-key point reads run inline on the socket loop (SqlSession.PrepareBriefQuery): the
/// client must see exactly what the ordinary path sends, inside and outside transaction blocks.
/// </summary>
public sealed class PgSimpleQueryTests
{
    /// <summary>The message types and, for D/C/E, their text up to ReadyForQuery, e.g. "T D(one) C(SELECT 1) Z(I)".</summary>
    private static async Task<string> ExchangeAsync(PgClient client, string sql, CancellationToken ct)
    {
        await client.SendAsync(PgClient.Message((byte)'Q', [.. Encoding.UTF8.GetBytes(sql), 0]), ct);
        var seen = new List<string>();
        while (true)
        {
            (byte type, byte[] body) = await client.ReadAsync(ct);
            seen.Add(type switch
            {
                (byte)'D' => $"D({Encoding.UTF8.GetString(body.AsSpan(6))})",
                (byte)'C' => $"C({Encoding.UTF8.GetString(body.AsSpan(0, body.Length - 1))})",
                (byte)'E' => $"E({PgClient.Field(body, 'C')})",
                (byte)'Z' => $"Z({(char)body[0]})",
                _ => ((char)type).ToString(),
            });
            if (type == (byte)'Z')
            {
                return string.Join(" ", seen);
            }
        }
    }

    [Test]
    [Timeout(30_000)]
    public async Task Point_reads_answer_as_the_ordinary_path_inside_and_outside_transactions(CancellationToken ct)
    {
        await using PgServer server = await PgWireTests.StartAsync();
        using PgClient client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.QueryAsync("CREATE TABLE t (id int PRIMARY KEY, name text)", ct);
        await client.QueryAsync("INSERT INTO t VALUES (1, 'one')", ct);

        await Assert.That(await ExchangeAsync(client, "SELECT name FROM t WHERE id = 1", ct)).IsEqualTo("T D(one) C(SELECT 1) Z(I)");
        await Assert.That(await ExchangeAsync(client, "SELECT name FROM t WHERE id = 2", ct)).IsEqualTo("T C(SELECT 0) Z(I)");

        // a transaction block sees its own write, and an error fails the block: the next point read is refused (25P02)
        await Assert.That(await ExchangeAsync(client, "BEGIN", ct)).IsEqualTo("C(BEGIN) Z(T)");
        await Assert.That(await ExchangeAsync(client, "INSERT INTO t VALUES (2, 'two')", ct)).IsEqualTo("C(INSERT 0 1) Z(T)");
        await Assert.That(await ExchangeAsync(client, "SELECT name FROM t WHERE id = 2", ct)).IsEqualTo("T D(two) C(SELECT 1) Z(T)");
        await Assert.That(await ExchangeAsync(client, "SELECT name FROM t WHERE id = 1/0", ct)).IsEqualTo("E(22012) Z(E)");
        await Assert.That(await ExchangeAsync(client, "SELECT name FROM t WHERE id = 1", ct)).IsEqualTo("E(25P02) Z(E)");
        await Assert.That(await ExchangeAsync(client, "ROLLBACK", ct)).IsEqualTo("C(ROLLBACK) Z(I)");
        await Assert.That(await ExchangeAsync(client, "SELECT name FROM t WHERE id = 2", ct)).IsEqualTo("T C(SELECT 0) Z(I)");

        // not point reads, or not valid: the ordinary path answers
        await Assert.That(await ExchangeAsync(client, "SELECT name FROM t WHERE id = $1", ct)).StartsWith("E(");
        await Assert.That(await ExchangeAsync(client, "SELECT nme FROM t WHERE id = 1", ct)).IsEqualTo("E(42703) Z(I)");
        await Assert.That(await ExchangeAsync(client, "SELECT name FROM t WHERE id = 1; SELECT 2", ct)).IsEqualTo("T D(one) C(SELECT 1) T D(2) C(SELECT 1) Z(I)");
    }
}
