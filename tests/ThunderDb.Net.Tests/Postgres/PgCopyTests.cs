using System.Buffers.Binary;
using System.Text;

namespace ThunderDb.Net.Tests.Postgres;

/// <summary>The COPY sub-protocol at the byte level against the in-memory server.</summary>
public sealed class PgCopyTests
{
    private static byte[] Data(string text) => PgClient.Message((byte)'d', Encoding.UTF8.GetBytes(text));

    private static byte[] Query(string sql) => PgClient.Message((byte)'Q', [.. Encoding.UTF8.GetBytes(sql), 0]);

    private static readonly byte[] Done = PgClient.Message((byte)'c', []);

    private static string Text(byte[] body) => Encoding.UTF8.GetString(body).TrimEnd('\0');

    [Test]
    [Timeout(30_000)]
    public async Task Copy_in_and_out_over_the_simple_query_protocol(CancellationToken ct)
    {
        await using var server = await PgWireTests.StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.QueryAsync("CREATE TABLE t (id int PRIMARY KEY, name text)", ct);

        await client.SendAsync(Query("COPY t FROM STDIN"), ct);
        var response = await client.ReadAsync(ct);
        await Assert.That(response.Type).IsEqualTo((byte)'G');
        await Assert.That(response.Body).IsEquivalentTo(new byte[] { 0, 0, 2, 0, 0, 0, 0 });
        // rows split across CopyData messages anywhere
        await client.SendAsync([.. Data("1\ton"), .. Data("e\n2\t\\N\n3\tth"), .. Data("ree\n"), .. Done], ct);
        var complete = await client.ReadAsync(ct);
        await Assert.That(Text(complete.Body)).IsEqualTo("COPY 3");
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'Z');

        await client.SendAsync(Query("COPY t TO STDOUT WITH (FORMAT csv)"), ct);
        var outResponse = await client.ReadAsync(ct);
        await Assert.That(outResponse.Type).IsEqualTo((byte)'H');
        var rows = new StringBuilder();
        (byte Type, byte[] Body) m;
        while ((m = await client.ReadAsync(ct)).Type == (byte)'d')
        {
            rows.Append(Encoding.UTF8.GetString(m.Body));
        }

        await Assert.That(m.Type).IsEqualTo((byte)'c');
        await Assert.That(rows.ToString()).IsEqualTo("1,one\n2,\n3,three\n");
        await Assert.That(Text((await client.ReadAsync(ct)).Body)).IsEqualTo("COPY 3");
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'Z');
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_bad_line_answers_with_context_drops_the_rest_and_keeps_the_connection(CancellationToken ct)
    {
        await using var server = await PgWireTests.StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.QueryAsync("CREATE TABLE t (id int PRIMARY KEY, x int)", ct);
        await client.SendAsync(Query("COPY t FROM STDIN"), ct);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'G');
        await client.SendAsync([.. Data("1\t1\n2\t2\n3\tx\n"), .. Data("4\t4\n"), .. Done], ct);
        var error = await client.ReadAsync(ct);
        await Assert.That(error.Type).IsEqualTo((byte)'E');
        await Assert.That(PgClient.Field(error.Body, 'C')).IsEqualTo("22P02");
        await Assert.That(PgClient.Field(error.Body, 'M')).IsEqualTo("invalid input syntax for type integer: \"x\"");
        await Assert.That(PgClient.Field(error.Body, 'W')).IsEqualTo("COPY t, line 3, column x: \"x\"");
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'Z');
        await Assert.That(await client.QueryAsync("SELECT count(*) FROM t", ct)).IsEqualTo("0\n");

        // CopyFail: 57014, nothing kept
        await client.SendAsync(Query("COPY t FROM STDIN"), ct);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'G');
        await client.SendAsync([.. Data("7\t7\n"), .. PgClient.Message((byte)'f', [.. "changed my mind\0"u8])], ct);
        var failed = await client.ReadAsync(ct);
        await Assert.That(PgClient.Field(failed.Body, 'C')).IsEqualTo("57014");
        await Assert.That(PgClient.Field(failed.Body, 'M')).IsEqualTo("COPY from stdin failed: changed my mind");
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'Z');

        // a message that does not belong in a COPY: 08P01, and the connection still works
        await client.SendAsync(Query("COPY t FROM STDIN"), ct);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'G');
        await client.SendAsync([.. Data("8\t8\n"), .. PgClient.Message((byte)'P', [0, .. "SELECT 1\0"u8, 0, 0])], ct);
        var violation = await client.ReadAsync(ct);
        await Assert.That(PgClient.Field(violation.Body, 'C')).IsEqualTo("08P01");
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'Z');
        await Assert.That(await client.QueryAsync("SELECT count(*) FROM t", ct)).IsEqualTo("0\n");
    }

    [Test]
    [Timeout(30_000)]
    public async Task Copy_runs_from_the_extended_protocol_and_in_binary(CancellationToken ct)
    {
        await using var server = await PgWireTests.StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.QueryAsync("CREATE TABLE b (id int8 PRIMARY KEY, name text, n numeric)", ct);

        // libpq's order: Parse, Bind, Execute, Sync, then the copy data (the early Sync is ignored), then Sync again
        await client.SendAsync([
            .. PgClient.Message((byte)'P', [0, .. "COPY b FROM STDIN (FORMAT binary)\0"u8, 0, 0]),
            .. PgClient.Message((byte)'B', [0, 0, 0, 0, 0, 0, 0, 0]),
            .. PgClient.Message((byte)'E', [0, 0, 0, 0, 0]),
            .. PgClient.Message((byte)'S', []),
        ], ct);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'1');
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'2');
        var response = await client.ReadAsync(ct);
        await Assert.That(response.Type).IsEqualTo((byte)'G');
        await Assert.That(response.Body[0]).IsEqualTo((byte)1);

        var copy = new List<byte>();
        copy.AddRange([(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        void Int16(short v) { var b = new byte[2]; BinaryPrimitives.WriteInt16BigEndian(b, v); copy.AddRange(b); }
        void Int32(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32BigEndian(b, v); copy.AddRange(b); }
        void Int64(long v) { var b = new byte[8]; BinaryPrimitives.WriteInt64BigEndian(b, v); copy.AddRange(b); }
        Int16(3);
        Int32(8);
        Int64(42);
        Int32(2);
        copy.AddRange("hi"u8.ToArray());
        // numeric 12.50: ndigits 2, weight 0, sign 0, dscale 2, digits 12 | 5000
        Int32(12);
        Int16(2);
        Int16(0);
        Int16(0);
        Int16(2);
        Int16(12);
        Int16(5000);
        Int16(3);
        Int32(8);
        Int64(43);
        Int32(-1);
        Int32(-1);
        Int16(-1);
        byte[] all = [.. copy];
        await client.SendAsync([.. PgClient.Message((byte)'d', all[..7]), .. PgClient.Message((byte)'d', all[7..]), .. Done, .. PgClient.Message((byte)'S', [])], ct);
        await Assert.That(Text((await client.ReadAsync(ct)).Body)).IsEqualTo("COPY 2");
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'Z');
        await Assert.That(await client.QueryAsync("SELECT id, name, n FROM b WHERE id = 42", ct)).Contains("12.50");

        // and back out in binary: the same bytes
        await client.SendAsync(Query("COPY b TO STDOUT (FORMAT binary)"), ct);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'H');
        var output = new List<byte>();
        (byte Type, byte[] Body) m;
        while ((m = await client.ReadAsync(ct)).Type == (byte)'d')
        {
            output.AddRange(m.Body);
        }

        await Assert.That(output.ToArray()).IsEquivalentTo(all);
        await Assert.That(Text((await client.ReadAsync(ct)).Body)).IsEqualTo("COPY 2");
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'Z');
    }
}
