using System.Net.Sockets;
using System.Text;
using ThunderDb.Net.Resp;
using ThunderDb.Net.Tests.Support;

namespace ThunderDb.Net.Tests.Resp;

/// <summary>The socket loop: frames split across sends, pipelining, bad input, limits, auth, fuzz.</summary>
public class RespWireTests
{
    [Test]
    public async Task Frames_split_at_every_byte_across_sends_are_answered()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        byte[] frame = Encoding.UTF8.GetBytes(RawClient.Command("SET", "key", "va\r\nlue"));
        for (int split = 1; split < frame.Length; split++)
        {
            await c.SendAsync(frame[..split]);
            await Task.Delay(2);
            await c.SendAsync(frame[split..]);
            await Assert.That(await c.ReadFrameAsync()).IsEqualTo("+OK\r\n");
        }

        await Assert.That(await c.CallAsync("GET", "key")).IsEqualTo("$7\r\nva\r\nlue\r\n");
    }

    [Test]
    public async Task Pipelined_requests_are_all_answered_in_order()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        var batch = new StringBuilder();
        for (int i = 0; i < 500; i++)
        {
            batch.Append(RawClient.Command("INCR", "counter"));
        }

        await c.SendAsync(batch.ToString());
        for (int i = 1; i <= 500; i++)
        {
            await Assert.That(await c.ReadFrameAsync()).IsEqualTo($":{i}\r\n");
        }
    }

    [Test]
    public async Task A_pipeline_cut_into_random_pieces_gets_every_reply_in_order()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        var stream = new StringBuilder();
        var expected = new List<string>();
        for (int i = 0; i < 200; i++)
        {
            switch (i % 4)
            {
                case 0:
                    stream.Append(RawClient.Command("RPUSH", "l", "v" + i));
                    expected.Add($":{(i / 4) + 1}\r\n");
                    break;
                case 1:
                    stream.Append("PING\r\n");
                    expected.Add("+PONG\r\n");
                    break;
                case 2:
                    stream.Append(RawClient.Command("SET", "k" + i, "x\r\ny"));
                    expected.Add("+OK\r\n");
                    break;
                default:
                    stream.Append(RawClient.Command("GET", "k" + (i - 1)));
                    expected.Add("$4\r\nx\r\ny\r\n");
                    break;
            }
        }

        byte[] bytes = Encoding.UTF8.GetBytes(stream.ToString());
        var random = new Random(7);
        for (int at = 0; at < bytes.Length;)
        {
            int n = Math.Min(random.Next(1, 40), bytes.Length - at);
            await c.SendAsync(bytes[at..(at + n)]);
            at += n;
        }

        foreach (string reply in expected)
        {
            await Assert.That(await c.ReadFrameAsync()).IsEqualTo(reply);
        }
    }

    [Test]
    public async Task Large_values_round_trip()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        string big = new('x', 300_000);
        await Assert.That(await c.CallAsync("SET", "big", big)).IsEqualTo("+OK\r\n");
        string reply = await c.CallAsync("GET", "big");
        await Assert.That(reply.Length).IsEqualTo(big.Length + 11);
        await Assert.That(await c.CallAsync("STRLEN", "big")).IsEqualTo(":300000\r\n");
    }

    [Test]
    public async Task A_large_announced_bulk_arriving_slowly_is_accepted()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        const int size = 5_000_000;
        await c.SendAsync($"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${size}\r\n");
        byte[] chunk = new byte[size / 10];
        chunk.AsSpan().Fill((byte)'y');
        for (int i = 0; i < 10; i++)
        {
            await c.SendAsync(chunk);
        }

        await c.SendAsync("\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("STRLEN", "big")).IsEqualTo($":{size}\r\n");
    }

    [Test]
    public async Task Protocol_error_replies_and_closes()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await c.SendAsync("*1\r\n$999999999999\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("-ERR Protocol error: invalid bulk length\r\n");
        await Assert.That(await c.IsClosedAsync()).IsTrue();
        using RawClient d = await server.ConnectAsync();
        await Assert.That(await d.CallAsync("PING")).IsEqualTo("+PONG\r\n");
    }

    [Test]
    public async Task Connections_beyond_the_limit_are_refused()
    {
        await using RespTestServer server = RespTestServer.Start(new RespServerOptions { MaxConnections = 2 });
        using RawClient a = await server.ConnectAsync();
        using RawClient b = await server.ConnectAsync();
        await Assert.That(await a.CallAsync("PING")).IsEqualTo("+PONG\r\n");
        await Assert.That(await b.CallAsync("PING")).IsEqualTo("+PONG\r\n");
        using RawClient refused = await server.ConnectAsync();
        await Assert.That(await refused.ReadFrameAsync()).IsEqualTo("-ERR max number of clients reached\r\n");
        await Assert.That(await refused.IsClosedAsync()).IsTrue();
        a.Dispose();
        await Task.Delay(200);
        using RawClient again = await server.ConnectAsync();
        await Assert.That(await again.CallAsync("PING")).IsEqualTo("+PONG\r\n");
    }

    [Test]
    public async Task Auth_with_the_superuser_bcrypt_hash()
    {
        var options = new RespServerOptions
        {
            AuthEnabled = true,
            SuperuserName = "admin",
            SuperuserPasswordHash = BCrypt.Net.BCrypt.HashPassword("s3cret", 4),
        };
        await using RespTestServer server = RespTestServer.Start(options);
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("GET", "k")).IsEqualTo("-NOAUTH Authentication required.\r\n");
        await Assert.That(await c.CallAsync("AUTH", "wrong")).IsEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        await Assert.That(await c.CallAsync("AUTH", "other", "s3cret")).IsEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        await Assert.That(await c.CallAsync("AUTH", "admin", "s3cret")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("GET", "k")).IsEqualTo("$-1\r\n");
        using RawClient d = await server.ConnectAsync();
        await Assert.That(await d.CallAsync("HELLO", "3", "AUTH", "admin", "s3cret")).StartsWith("%7\r\n");
        await Assert.That(await d.CallAsync("CLIENT", "INFO")).Contains("user=admin");
    }

    [Test]
    public async Task Client_kill_closes_the_other_connection()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient victim = await server.ConnectAsync();
        string id = (await victim.CallAsync("CLIENT", "ID")).Trim(':', '\r', '\n');
        using RawClient killer = await server.ConnectAsync();
        await Assert.That(await killer.CallAsync("CLIENT", "KILL", "ID", id)).IsEqualTo(":1\r\n");
        await Assert.That(await victim.IsClosedAsync()).IsTrue();
    }

    [Test]
    public async Task Fuzz_random_bytes_and_random_commands_never_take_the_server_down()
    {
        await using RespTestServer server = RespTestServer.Start();
        var random = new Random(12345);
        string[] names = ["SET", "GET", "DEL", "LPUSH", "RPOP", "HSET", "HGETALL", "SADD", "SPOP", "ZADD", "ZRANGE", "INCR", "EXPIRE",
            "LRANGE", "SCAN", "RENAME", "GETRANGE", "SETRANGE", "LPOS", "ZRANGEBYSCORE", "HINCRBYFLOAT", "MULTI", "EXEC", "SUBSCRIBE", "OBJECT"];
        string[] tokens = ["k", "k2", "0", "-1", "1", "inf", "(1", "[a", "-", "+", "NX", "XX", "WITHSCORES", "LIMIT", "COUNT", "MATCH", "*", "1e400", "x"];
        for (int round = 0; round < 40; round++)
        {
            using RawClient c = await server.ConnectAsync();
            if (round % 2 == 0)
            {
                byte[] junk = new byte[random.Next(1, 2000)];
                random.NextBytes(junk);
                try
                {
                    await c.SendAsync(junk);
                }
                catch (SocketException)
                {
                    // the server may already have closed on a protocol error
                }
            }
            else
            {
                var batch = new StringBuilder();
                for (int i = 0; i < 50; i++)
                {
                    var args = new List<string> { names[random.Next(names.Length)] };
                    int n = random.Next(0, 6);
                    for (int j = 0; j < n; j++)
                    {
                        args.Add(tokens[random.Next(tokens.Length)]);
                    }

                    batch.Append(RawClient.Command([.. args]));
                }

                await c.SendAsync(batch.ToString());
                await Task.Delay(20);
            }
        }

        using RawClient probe = await server.ConnectAsync();
        await Assert.That(await probe.CallAsync("PING")).IsEqualTo("+PONG\r\n");
    }
}
