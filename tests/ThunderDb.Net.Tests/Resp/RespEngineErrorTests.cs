using ThunderDb.Core.Txn;
using ThunderDb.Net.Tests.Support;

namespace ThunderDb.Net.Tests.Resp;

/// <summary>Every engine failure reaches the client as an error reply and the connection keeps working.</summary>
public class RespEngineErrorTests
{
    [Test]
    public async Task Exec_of_a_transaction_too_large_answers_execabort_and_the_connection_stays_usable()
    {
        var store = new InMemoryKvDatabase();
        await using RespTestServer server = RespTestServer.Start(database: store);
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("MULTI");
        await c.CallAsync("SET", "a", "1");
        await c.CallAsync("SET", "b", "2");
        store.FailNextCommitWith = new TransactionTooLargeException("transaction too large: its write set needs a 99-byte WAL record");
        await Assert.That(await c.CallAsync("EXEC"))
            .IsEqualTo("-EXECABORT Transaction discarded because of: ERR transaction too large: its write set needs a 99-byte WAL record\r\n");
        await Assert.That(await c.CallAsync("PING")).IsEqualTo("+PONG\r\n");
        await Assert.That(await c.CallAsync("EXISTS", "a", "b")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("SET", "a", "3")).IsEqualTo("+OK\r\n");
    }

    [Test]
    public async Task Exec_hit_by_an_unexpected_engine_failure_answers_an_error_instead_of_closing()
    {
        var store = new InMemoryKvDatabase();
        await using RespTestServer server = RespTestServer.Start(database: store);
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("MULTI");
        await c.CallAsync("INCR", "n");
        store.FailNextCommitWith = new IOException("disk on fire");
        await Assert.That(await c.CallAsync("EXEC")).IsEqualTo("-EXECABORT Transaction discarded because of: ERR storage engine error: disk on fire\r\n");
        await Assert.That(await c.CallAsync("PING")).IsEqualTo("+PONG\r\n");

        // A read-only store while the queued commands run: also one EXECABORT, nothing applied.
        await c.CallAsync("MULTI");
        await c.CallAsync("SET", "x", "1");
        store.IsReadOnly = true;
        await Assert.That(await c.CallAsync("EXEC")).IsEqualTo("-EXECABORT Transaction discarded because of: READONLY the store refuses writes: read-only\r\n");
        await Assert.That(await c.CallAsync("GET", "n")).IsEqualTo("$-1\r\n");
    }

    [Test]
    public async Task A_blocking_pop_on_a_read_only_store_answers_readonly()
    {
        var store = new InMemoryKvDatabase();
        await using RespTestServer server = RespTestServer.Start(database: store);
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("RPUSH", "l", "a", "b");
        store.IsReadOnly = true;
        await Assert.That(await c.CallAsync("BLPOP", "l", "1")).IsEqualTo("-READONLY the store refuses writes: read-only\r\n");
        await Assert.That(await c.CallAsync("PING")).IsEqualTo("+PONG\r\n");
        await Assert.That(await c.CallAsync("LLEN", "l")).IsEqualTo(":2\r\n");
    }

    [Test]
    public async Task A_blocking_move_to_a_key_too_large_answers_the_error()
    {
        var store = new InMemoryKvDatabase { MaxKeyLength = 1000 };
        await using RespTestServer server = RespTestServer.Start(database: store);
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("RPUSH", "src", "a");
        var huge = new string('k', 2000);
        await Assert.That(await c.CallAsync("BLMOVE", "src", huge, "LEFT", "LEFT", "1")).StartsWith("-ERR key too large");
        await Assert.That(await c.CallAsync("PING")).IsEqualTo("+PONG\r\n");
        await Assert.That(await c.CallAsync("LRANGE", "src", "0", "-1")).IsEqualTo("*1\r\n$1\r\na\r\n");

        // The same failure woken from a wait: the push arrives while BLMOVE is blocked.
        using RawClient pusher = await server.ConnectAsync();
        await c.CallAsync("DEL", "src");
        await c.SendAsync(RawClient.Command("BLMOVE", "src", huge, "LEFT", "LEFT", "5"));
        await Task.Delay(100);
        await Assert.That(await pusher.CallAsync("RPUSH", "src", "b")).IsEqualTo(":1\r\n");
        await Assert.That(await c.ReadFrameAsync()).StartsWith("-ERR key too large");
        await Assert.That(await c.CallAsync("PING")).IsEqualTo("+PONG\r\n");
    }
}
