using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Net.Postgres;
using ThunderDb.Net.Tests.Support;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Postgres;

/// <summary>The PostgreSQL codec and server at the byte level: framing limits, malformed input, the extended protocol.</summary>
public sealed class PgWireTests
{
    [Test]
    public async Task Frame_header_needs_five_bytes_and_refuses_impossible_lengths()
    {
        byte[] partial = [(byte)'Q', 0, 0];
        await Assert.That(PgFrame.TryHeader(partial, false, PgFrame.MaxMessageLength, out _, out _)).IsEqualTo(PgFrameStatus.NeedMore);
        byte[] ok = [(byte)'Q', 0, 0, 0, 9];
        await Assert.That(PgFrame.TryHeader(ok, false, PgFrame.MaxMessageLength, out byte type, out int body)).IsEqualTo(PgFrameStatus.Complete);
        await Assert.That(type).IsEqualTo((byte)'Q');
        await Assert.That(body).IsEqualTo(5);
        byte[] tooShort = [(byte)'Q', 0, 0, 0, 3];
        await Assert.That(() => PgFrame.TryHeader(tooShort, false, PgFrame.MaxMessageLength, out _, out _)).Throws<PgProtocolException>();
        byte[] huge = [(byte)'Q', 0x7F, 0xFF, 0xFF, 0xFF];
        await Assert.That(() => PgFrame.TryHeader(huge, false, PgFrame.MaxMessageLength, out _, out _)).Throws<PgProtocolException>();
        byte[] bigStartup = [0, 1, 0, 0];
        await Assert.That(() => PgFrame.TryHeader(bigStartup, true, PgFrame.MaxStartupLength, out _, out _)).Throws<PgProtocolException>();
    }

    [Test]
    public async Task Body_reader_refuses_overruns_and_unterminated_strings()
    {
        await Assert.That(() => new PgBody([1, 2]).Int32()).Throws<PgProtocolException>();
        await Assert.That(() => new PgBody("abc"u8).CString()).Throws<PgProtocolException>();
        await Assert.That(() => new PgBody([0, 5, 0, 1]).Count16()).Throws<PgProtocolException>();
        await Assert.That(() => new PgBody([0xFF, 0xFE, 0]).CString()).Throws<PgProtocolException>();
        await Assert.That(new PgBody("hi\0"u8).CString()).IsEqualTo("hi");
    }

    [Test]
    [Arguments("0", 0, 0, 0)]
    [Arguments("12345.678", 3, 1, 3)]
    [Arguments("-0.0001", 1, -1, 4)]
    public async Task Numeric_binary_matches_numeric_send(string text, int ndigits, int weight, int dscale)
    {
        var w = new PgWriter();
        PgBinaryFormat.WriteNumeric(w, text);
        byte[] bytes = Captured(w);
        await Assert.That(BinaryPrimitives.ReadInt32BigEndian(bytes)).IsEqualTo(8 + (2 * ndigits));
        await Assert.That((int)BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(4))).IsEqualTo(ndigits);
        await Assert.That((int)BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(6))).IsEqualTo(weight);
        await Assert.That((int)BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(8))).IsEqualTo(text.StartsWith('-') ? 0x4000 : 0);
        await Assert.That((int)BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(10))).IsEqualTo(dscale);
        if (text == "12345.678")
        {
            // 1 | 2345 | 6780
            await Assert.That((int)BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(12))).IsEqualTo(1);
            await Assert.That((int)BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(14))).IsEqualTo(2345);
            await Assert.That((int)BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(16))).IsEqualTo(6780);
        }
    }

    private static byte[] Captured(PgWriter w) => w.Pending.ToArray();

    [Test]
    [Arguments("SELECT $1, $12", 12)]
    [Arguments("SELECT '$5', \"$6\", $2 -- $9", 2)]
    [Arguments("UPDATE t SET a = $1 /* $7 */ WHERE b = $3", 3)]
    [Arguments("SELECT a$1 FROM t", 0)]
    public async Task Parameter_numbers_are_counted_outside_quotes_and_comments(string sql, int expected) =>
        await Assert.That(PgConnection.MaxParameterNumber(sql)).IsEqualTo(expected);

    [Test]
    public async Task Server_version_num_follows_the_reported_version()
    {
        await Assert.That(PgConnection.ServerVersionNum("15.0")).IsEqualTo("150000");
        await Assert.That(PgConnection.ServerVersionNum("16.4")).IsEqualTo("160004");
    }

    [Test]
    [Timeout(30_000)]
    public async Task Startup_parameters_and_options_become_session_settings(CancellationToken ct)
    {
        await using var server = await StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct, "application_name\0wire-test\0options\0-c search_path=audit --statement-timeout=5s\0TimeZone\0Europe/Paris\0");
        await Assert.That((await client.QueryAsync("SHOW search_path", ct)).Trim()).IsEqualTo("audit");
        await Assert.That((await client.QueryAsync("SHOW application_name", ct)).Trim()).IsEqualTo("wire-test");
        await Assert.That((await client.QueryAsync("SHOW statement_timeout", ct)).Trim()).IsEqualTo("5s");
        // refused by the engine: the default stays in force
        await Assert.That((await client.QueryAsync("SHOW TimeZone", ct)).Trim()).IsEqualTo("UTC");
    }

    [Test]
    [Arguments("")]
    [Arguments(" ; ")]
    [Arguments("-- only a comment")]
    [Timeout(30_000)]
    public async Task A_query_without_statements_gets_EmptyQueryResponse(string sql, CancellationToken ct)
    {
        await using var server = await StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.SendAsync(PgClient.Message((byte)'Q', [.. Encoding.UTF8.GetBytes(sql), 0]), ct);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'I');
        var ready = await client.ReadAsync(ct);
        await Assert.That(ready.Type).IsEqualTo((byte)'Z');
        await Assert.That(ready.Body[0]).IsEqualTo((byte)'I');
    }

    [Test]
    [Timeout(30_000)]
    public async Task Unknown_message_type_gets_08P01_and_the_connection_closes(CancellationToken ct)
    {
        await using var server = await StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.SendAsync(PgClient.Message((byte)'!', []), ct);
        var error = await client.ReadAsync(ct);
        await Assert.That(error.Type).IsEqualTo((byte)'E');
        await Assert.That(PgClient.Field(error.Body, 'C')).IsEqualTo("08P01");
        await Assert.That(await client.ReadEndAsync(ct)).IsTrue();
    }

    [Test]
    [Timeout(30_000)]
    public async Task Oversized_length_gets_08P01_without_allocating(CancellationToken ct)
    {
        await using var server = await StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.SendAsync([(byte)'Q', 0x7F, 0xFF, 0xFF, 0xF0], ct);
        var error = await client.ReadAsync(ct);
        await Assert.That(PgClient.Field(error.Body, 'C')).IsEqualTo("08P01");
        await Assert.That(await client.ReadEndAsync(ct)).IsTrue();
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_large_query_arriving_in_pieces_is_read_whole(CancellationToken ct)
    {
        await using var server = await StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        string big = "SELECT '" + new string('x', 300_000) + "' AS v";
        byte[] message = PgClient.Message((byte)'Q', [.. Encoding.UTF8.GetBytes(big), 0]);
        for (int at = 0; at < message.Length; at += 70_000)
        {
            await client.SendAsync(message[at..Math.Min(message.Length, at + 70_000)], ct);
            await Task.Delay(5, ct);
        }

        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'T');
        var row = await client.ReadAsync(ct);
        await Assert.That(row.Type).IsEqualTo((byte)'D');
        await Assert.That(BinaryPrimitives.ReadInt32BigEndian(row.Body.AsSpan(2))).IsEqualTo(300_000);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'C');
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'Z');
        await Assert.That(await client.QueryAsync("SELECT 1", ct)).IsEqualTo("1\n");
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_multi_statement_query_answers_each_statement_in_order_and_stops_at_the_error(CancellationToken ct)
    {
        await using var server = await StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.SendAsync(PgClient.Message((byte)'Q',
            [.. "SELECT 1; SELECT 2 WHERE false; CREATE TABLE wire_t (a int); SELECT * FROM generate_series(1, 3) WHERE 6 / (3 - generate_series) > 0; SELECT 'not reached'"u8, 0]), ct);
        var seen = new List<string>();
        while (true)
        {
            var m = await client.ReadAsync(ct);
            seen.Add(m.Type switch
            {
                (byte)'C' => "C:" + Encoding.UTF8.GetString(m.Body.AsSpan(0, m.Body.Length - 1)),
                (byte)'E' => "E:" + PgClient.Field(m.Body, 'C'),
                (byte)'D' => "D:" + Encoding.UTF8.GetString(m.Body.AsSpan(6)),
                var t => ((char)t).ToString(),
            });
            if (m.Type == (byte)'Z')
            {
                break;
            }
        }

        // a SELECT without rows still describes its columns; the failing SELECT's rows before its error are sent;
        // the error undoes the implicit transaction of the whole Query (CREATE TABLE included)
        await Assert.That(string.Join(" ", seen)).IsEqualTo("T D:1 C:SELECT 1 T C:SELECT 0 C:CREATE TABLE T D:1 D:2 E:22012 Z");
        await Assert.That(async () => await client.QueryAsync("SELECT * FROM wire_t", ct)).Throws<InvalidOperationException>();
    }

    [Test]
    [Timeout(30_000)]
    public async Task Extended_protocol_infers_parameter_types_and_sends_binary_results(CancellationToken ct)
    {
        await using var server = await StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.QueryAsync("CREATE TABLE t (id int4 PRIMARY KEY, v int8, name text)", ct);
        await client.QueryAsync("INSERT INTO t VALUES (1, 10, 'one'), (2, 20, 'two'), (3, 30, 'three')", ct);

        // Parse with no declared types, Describe statement, Bind a text parameter, binary results, Execute.
        await client.SendAsync([
            .. PgClient.Message((byte)'P', [.. "s1\0"u8, .. "SELECT v, name FROM t WHERE id >= $1 ORDER BY id\0"u8, 0, 0]),
            .. PgClient.Message((byte)'D', [(byte)'S', .. "s1\0"u8]),
            .. PgClient.Message((byte)'B', [0, .. "s1\0"u8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, (byte)'2', 0, 1, 0, 1]),
            .. PgClient.Message((byte)'E', [0, 0, 0, 0, 1]),
            .. PgClient.Message((byte)'E', [0, 0, 0, 0, 0]),
            .. PgClient.Message((byte)'S', []),
        ], ct);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'1');
        var parameters = await client.ReadAsync(ct);
        await Assert.That(parameters.Type).IsEqualTo((byte)'t');
        await Assert.That(BinaryPrimitives.ReadInt16BigEndian(parameters.Body)).IsEqualTo((short)1);
        await Assert.That(BinaryPrimitives.ReadInt32BigEndian(parameters.Body.AsSpan(2))).IsEqualTo(23);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'T');
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'2');
        var row = await client.ReadAsync(ct);
        await Assert.That(row.Type).IsEqualTo((byte)'D');
        // two columns: int8 20 in 8 binary bytes, then "two"
        await Assert.That(BinaryPrimitives.ReadInt32BigEndian(row.Body.AsSpan(2))).IsEqualTo(8);
        await Assert.That(BinaryPrimitives.ReadInt64BigEndian(row.Body.AsSpan(6))).IsEqualTo(20L);
        await Assert.That(Encoding.UTF8.GetString(row.Body.AsSpan(18, 3))).IsEqualTo("two");
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'s');
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'D');
        var done = await client.ReadAsync(ct);
        await Assert.That(done.Type).IsEqualTo((byte)'C');
        await Assert.That(Encoding.UTF8.GetString(done.Body).TrimEnd('\0')).IsEqualTo("SELECT 2");
        var ready = await client.ReadAsync(ct);
        await Assert.That(ready.Type).IsEqualTo((byte)'Z');

        // An error skips everything up to Sync, then the connection works again.
        await client.SendAsync([
            .. PgClient.Message((byte)'P', [.. "\0"u8, .. "SELECT * FROM missing\0"u8, 0, 0]),
            .. PgClient.Message((byte)'B', [0, 0, 0, 0, 0, 0, 0, 0]),
            .. PgClient.Message((byte)'E', [0, 0, 0, 0, 0]),
            .. PgClient.Message((byte)'S', []),
        ], ct);
        var error = await client.ReadAsync(ct);
        await Assert.That(error.Type).IsEqualTo((byte)'E');
        await Assert.That(PgClient.Field(error.Body, 'C')).IsEqualTo("42P01");
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'Z');
        var count = await client.QueryAsync("SELECT count(*) FROM t", ct);
        await Assert.That(count).Contains("3");
    }

    /// <summary>A PostgreSQL server over an in-memory store on a free loopback port (shared by the wire tests).</summary>
    internal static async Task<PgServer> StartAsync()
    {
        var engine = await SqlEngine.OpenAsync(new InMemoryKvDatabase());
        var server = new PgServer(engine, new PgServerOptions(), NullLogger.Instance, new ConnectionRegistry());
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return server;
    }
}

/// <summary>A byte-level PostgreSQL client for the tests: sends exactly what it is given, reads one message at a time.</summary>
internal sealed class PgClient(Socket socket) : IDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);

    public static async Task<PgClient> ConnectAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, ct);
        return new PgClient(socket);
    }

    public static byte[] Message(byte type, byte[] body)
    {
        var m = new byte[5 + body.Length];
        m[0] = type;
        BinaryPrimitives.WriteInt32BigEndian(m.AsSpan(1), body.Length + 4);
        body.CopyTo(m, 5);
        return m;
    }

    public static string? Field(byte[] body, char code)
    {
        int i = 0;
        while (i < body.Length && body[i] != 0)
        {
            int end = Array.IndexOf(body, (byte)0, i + 1);
            if (body[i] == code)
            {
                return Encoding.UTF8.GetString(body, i + 1, end - i - 1);
            }

            i = end + 1;
        }

        return null;
    }

    public async Task SendAsync(byte[] bytes, CancellationToken ct) => await _stream.WriteAsync(bytes, ct);

    public async Task StartupAsync(CancellationToken ct, string extra = "")
    {
        byte[] parameters = [0, 3, 0, 0, .. "user\0tester\0database\0postgres\0"u8, .. Encoding.UTF8.GetBytes(extra), 0];
        var packet = new byte[4 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(packet, packet.Length);
        parameters.CopyTo(packet, 4);
        await SendAsync(packet, ct);
        while ((await ReadAsync(ct)).Type != (byte)'Z')
        {
        }
    }

    /// <summary>A simple query; the data rows' text joined, after ReadyForQuery. Throws on ErrorResponse.</summary>
    public async Task<string> QueryAsync(string sql, CancellationToken ct)
    {
        await SendAsync(Message((byte)'Q', [.. Encoding.UTF8.GetBytes(sql), 0]), ct);
        var text = new StringBuilder();
        string? error = null;
        while (true)
        {
            var m = await ReadAsync(ct);
            if (m.Type == (byte)'E')
            {
                error = Field(m.Body, 'M');
            }
            else if (m.Type == (byte)'D')
            {
                text.Append(Encoding.UTF8.GetString(m.Body.AsSpan(6))).Append('\n');
            }
            else if (m.Type == (byte)'Z')
            {
                return error is null ? text.ToString() : throw new InvalidOperationException(error);
            }
        }
    }

    public async Task<(byte Type, byte[] Body)> ReadAsync(CancellationToken ct)
    {
        var header = new byte[5];
        await _stream.ReadExactlyAsync(header, ct);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
        await _stream.ReadExactlyAsync(body, ct);
        return (header[0], body);
    }

    /// <summary>True when the server closed the connection.</summary>
    public async Task<bool> ReadEndAsync(CancellationToken ct)
    {
        var one = new byte[1];
        try
        {
            return await _stream.ReadAsync(one, ct) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _stream.Dispose();
}
