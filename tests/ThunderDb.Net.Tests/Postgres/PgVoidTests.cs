using System.Buffers.Binary;
using System.Text;

namespace ThunderDb.Net.Tests.Postgres;

/// <summary>void results (pg_sleep, pg_notify, pg_advisory_unlock_all) on the wire as PostgreSQL sends them.</summary>
public sealed class PgVoidTests
{
    [Test]
    [Arguments("SELECT pg_sleep(0)")]
    [Arguments("SELECT pg_notify('ch', 'payload')")]
    [Arguments("SELECT pg_advisory_unlock_all()")]
    [Timeout(20_000)]
    public async Task A_void_function_returns_a_void_column_with_an_empty_value(string sql, CancellationToken ct)
    {
        await using var server = await PgWireTests.StartAsync();
        using var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.SendAsync(PgClient.Message((byte)'Q', [.. Encoding.UTF8.GetBytes(sql), 0]), ct);
        var description = await client.ReadAsync(ct);
        await Assert.That(description.Type).IsEqualTo((byte)'T');
        int nameEnd = Array.IndexOf(description.Body, (byte)0, 2);
        await Assert.That(BinaryPrimitives.ReadInt32BigEndian(description.Body.AsSpan(nameEnd + 7))).IsEqualTo(2278);
        await Assert.That(BinaryPrimitives.ReadInt16BigEndian(description.Body.AsSpan(nameEnd + 11))).IsEqualTo((short)4);
        var row = await client.ReadAsync(ct);
        await Assert.That(row.Type).IsEqualTo((byte)'D');
        // one field of length 0: an empty value, not NULL (-1)
        await Assert.That(BinaryPrimitives.ReadInt32BigEndian(row.Body.AsSpan(2))).IsEqualTo(0);
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'C');
        await Assert.That((await client.ReadAsync(ct)).Type).IsEqualTo((byte)'Z');
        await Assert.That((await client.QueryAsync("SELECT pg_sleep(0) IS NULL", ct)).Trim()).IsEqualTo("f");
    }
}
