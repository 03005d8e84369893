using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Net.Postgres;
using ThunderDb.Net.Tests.Support;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Postgres;

/// <summary>
/// Regressions from the wire fuzzers (PgDecoderFuzzTests, Host PgWireFuzzTests): malformed input that once became
/// XX000 with a logged stack, or a crash in output, now gets its SQLSTATE (FATAL 08P01 and a close when the
/// connection's framing is broken) and logs no error.
/// </summary>
public sealed class PgMalformedInputTests
{
    private static async Task<(PgServer Server, ErrorLog Log)> StartAsync()
    {
        var log = new ErrorLog();
        var engine = await SqlEngine.OpenAsync(new InMemoryKvDatabase());
        var server = new PgServer(engine, new PgServerOptions(), log, new ConnectionRegistry());
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return (server, log);
    }

    private static byte[] Query(string sql) => PgClient.Message((byte)'Q', [.. Encoding.UTF8.GetBytes(sql), 0]);

    /// <summary>Every message up to the close; the last must be the FATAL.</summary>
    private static async Task<List<(byte Type, byte[] Body)>> ReadToCloseAsync(PgClient client, CancellationToken ct)
    {
        var messages = new List<(byte, byte[])>();
        try
        {
            while (true)
            {
                messages.Add(await client.ReadAsync(ct));
            }
        }
        catch (EndOfStreamException)
        {
            return messages;
        }
        catch (IOException)
        {
            return messages;
        }
    }

    private static async Task<PgClient> InCopyAsync(PgServer server, CancellationToken ct)
    {
        var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.QueryAsync("CREATE TABLE t (id int, v text)", ct);
        await client.SendAsync(Query("COPY t FROM STDIN"), ct);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'G');
        return client;
    }

    [Test]
    [Arguments("bad length", new byte[] { (byte)'d', 0xF4, 0x68, 0x9C, 0x58 })]
    [Arguments("oversized", new byte[] { (byte)'d', 0x64, 0, 0, 0 })]
    [Arguments("CopyFail without NUL", new byte[] { (byte)'f', 0, 0, 0, 7, (byte)'a', (byte)'b', (byte)'c' })]
    [Arguments("CopyFail not UTF-8", new byte[] { (byte)'f', 0, 0, 0, 6, 0xFF, 0 })]
    [Timeout(20_000)]
    public async Task A_broken_frame_during_copy_in_is_fatal_08P01_without_an_internal_error(string what, byte[] frame, CancellationToken ct)
    {
        var (server, log) = await StartAsync();
        await using var owned = server;
        using var client = await InCopyAsync(server, ct);
        await client.SendAsync([.. PgClient.Message((byte)'d', "1\tone\n"u8.ToArray()), .. frame], ct);
        List<(byte Type, byte[] Body)> replies = await ReadToCloseAsync(client, ct);
        // PostgreSQL ends the connection there too: one FATAL, no ReadyForQuery, no XX000
        await Assert.That(replies.Count).IsEqualTo(1).Because(what);
        await Assert.That(PgClient.Field(replies[0].Body, 'S')).IsEqualTo("FATAL");
        await Assert.That(PgClient.Field(replies[0].Body, 'C')).IsEqualTo("08P01");
        await Assert.That(log.Errors).IsEmpty();

        // the COPY rolled back
        using var other = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await other.StartupAsync(ct);
        await Assert.That((await other.QueryAsync("SELECT count(*) FROM t", ct)).Trim()).IsEqualTo("0");
    }

    [Test]
    [Timeout(20_000)]
    public async Task A_client_gone_during_copy_in_closes_quietly(CancellationToken ct)
    {
        var (server, log) = await StartAsync();
        await using var owned = server;
        using (PgClient client = await InCopyAsync(server, ct))
        {
            await client.SendAsync(PgClient.Message((byte)'d', "1\tone\n"u8.ToArray()), ct);
            await client.SendAsync([(byte)'d', 0, 0, 0, 40, (byte)'2'], ct); // half a CopyData, then EOF
        }

        using var other = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await other.StartupAsync(ct);
        for (int i = 0; i < 100 && server.Registry.Count > 1; i++)
        {
            await Task.Delay(20, ct);
        }

        await Assert.That((await other.QueryAsync("SELECT count(*) FROM t", ct)).Trim()).IsEqualTo("0");
        await Assert.That(log.Errors).IsEmpty();
    }

    [Test]
    [Timeout(20_000)]
    public async Task A_long_statement_name_that_is_not_utf8_is_08P01(CancellationToken ct)
    {
        var (server, log) = await StartAsync();
        await using var owned = server;
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        byte[] name = [.. Enumerable.Repeat((byte)'n', 140), 0xED, 0xA0, 0x80, 0];
        await client.SendAsync([.. PgClient.Message((byte)'B', [0, .. name, 0, 0, 0, 0, 0, 0]), .. PgClient.Message((byte)'S', [])], ct);
        List<(byte Type, byte[] Body)> replies = await ReadToCloseAsync(client, ct);
        await Assert.That(replies.Count).IsEqualTo(1);
        await Assert.That(PgClient.Field(replies[0].Body, 'C')).IsEqualTo("08P01");
        // PostgreSQL's text, naming the bytes
        await Assert.That(PgClient.Field(replies[0].Body, 'M')).IsEqualTo("invalid byte sequence for encoding \"UTF8\": 0xed");
        await Assert.That(log.Errors).IsEmpty();
    }

    [Test]
    [Arguments(1082, new byte[] { 0, 0x4B, 0x22, 0x79 }, "date out of range")]
    [Arguments(1082, new byte[] { 0x80, 0, 0, 0 }, "date out of range")]
    [Arguments(1114, new byte[] { 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, "timestamp out of range")]
    [Arguments(1184, new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0 }, "timestamp out of range")]
    [Arguments(1083, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, "time out of range")]
    public async Task Binary_dates_and_times_beyond_what_can_be_shown_are_22008(int oid, byte[] value, string message)
    {
        // once accepted, then a crash (ArgumentOutOfRangeException) when the value was formatted
        var e = Assert.Throws<ThunderDb.Core.Sql.SqlException>(() => PgBinaryFormat.Read(value, oid, 1));
        await Assert.That(e.SqlState).IsEqualTo("22008");
        await Assert.That(e.Message).IsEqualTo(message);
        byte[] lastDay = [0, 0x2C, 0x95, 0xD3]; // 9999-12-31 is 2,921,939 days after 2000-01-01
        await Assert.That(ThunderDb.Core.Sql.Types.SqlText.Format(PgBinaryFormat.Read(lastDay, 1082, 1))).IsEqualTo("9999-12-31");
    }

    [Test]
    [Timeout(20_000)]
    public async Task Garbage_after_startup_gets_08P01_and_the_server_keeps_serving(CancellationToken ct)
    {
        var (server, log) = await StartAsync();
        await using var owned = server;
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, server.LocalEndPoint!.Port, ct);
            byte[] parameters = [0, 3, 0, 0, .. "user\0tester\0database\0postgres\0\0"u8];
            var startup = new byte[4 + parameters.Length];
            BinaryPrimitives.WriteInt32BigEndian(startup, startup.Length);
            parameters.CopyTo(startup, 4);
            await socket.SendAsync((byte[])[.. startup, (byte)'P', 0xE8, 0x00, 0x00, 0x00], SocketFlags.None, ct);
            var buffer = new byte[8192];
            int total = 0, n;
            while ((n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, ct)) > 0)
            {
                total += n;
            }

            await Assert.That(Encoding.UTF8.GetString(buffer, 0, total)).Contains("08P01");
        }

        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await Assert.That(await client.QueryAsync("SELECT 1", ct)).IsEqualTo("1\n");
        await Assert.That(log.Errors).IsEmpty();
    }
}
