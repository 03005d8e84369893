using System.Text;
using ThunderDb.Net.Resp;
using ThunderDb.Net.Tests.Support;

namespace ThunderDb.Net.Tests.Resp;

/// <summary>What one client can make the server hold: frames before AUTH, large buffers after their request.</summary>
public class RespResourceLimitTests
{
    private static RespServerOptions AuthOptions() => new()
    {
        AuthEnabled = true,
        SuperuserName = "admin",
        SuperuserPasswordHash = BCrypt.Net.BCrypt.HashPassword("s3cret", 4),
    };

    [Test]
    [Timeout(30_000)]
    public async Task Before_auth_only_small_frames_are_accepted_as_in_redis(CancellationToken ct)
    {
        await using RespTestServer server = RespTestServer.Start(AuthOptions());

        using RawClient manyArgs = await server.ConnectAsync();
        await manyArgs.SendAsync("*11\r\n");
        await Assert.That(await manyArgs.ReadFrameAsync()).IsEqualTo("-ERR Protocol error: unauthenticated multibulk length\r\n");
        await Assert.That(await manyArgs.IsClosedAsync()).IsTrue();

        using RawClient bigBulk = await server.ConnectAsync();
        await bigBulk.SendAsync("*2\r\n$4\r\nAUTH\r\n$16385\r\n"); // announces 16 KiB + 1 and sends none of it
        await Assert.That(await bigBulk.ReadFrameAsync()).IsEqualTo("-ERR Protocol error: unauthenticated bulk length\r\n");
        await Assert.That(await bigBulk.IsClosedAsync()).IsTrue();

        // At the limits the command is parsed and refused as usual; after AUTH large frames are fine.
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("GET", new string('k', 16384))).IsEqualTo("-NOAUTH Authentication required.\r\n");
        await Assert.That(await c.CallAsync("DEL", "1", "2", "3", "4", "5", "6", "7", "8", "9")).IsEqualTo("-NOAUTH Authentication required.\r\n");
        await Assert.That(await c.CallAsync("AUTH", "admin", "s3cret")).IsEqualTo("+OK\r\n");
        string big = new('v', 100_000);
        await Assert.That(await c.CallAsync("SET", "k", big)).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("STRLEN", "k")).IsEqualTo(":100000\r\n");
    }

    [Test]
    [NotInParallel]
    [Timeout(60_000)]
    public async Task Large_receive_and_reply_buffers_are_not_kept_after_the_request(CancellationToken ct)
    {
        await using RespTestServer server = RespTestServer.Start();
        string value = new('x', 8 << 20);
        byte[] request = Encoding.ASCII.GetBytes(RawClient.Command("ECHO", value));
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 3; i++)
        {
            using RawClient c = await server.ConnectAsync();
            await c.SendAsync(request);
            long expected = value.Length + 12; // "$8388608\r\n" + value + "\r\n"
            await Assert.That(await ReadBytesAsync(c, expected, ct)).IsEqualTo(expected);
            await Assert.That(await c.CallAsync("PING")).IsEqualTo("+PONG\r\n");
        }

        // The server's 16 MiB receive buffers and reply buffers are garbage now, not parked in a pool.
        long after = before;
        for (int attempt = 0; attempt < 50; attempt++)
        {
            await Task.Delay(100, ct);
            after = GC.GetTotalMemory(forceFullCollection: true);
            if (after - before < 8 << 20)
            {
                break;
            }
        }

        GC.KeepAlive(value);
        GC.KeepAlive(request);
        await Assert.That(after - before).IsLessThan(8 << 20);
    }

    [Test]
    [Timeout(30_000)]
    public async Task Values_longer_than_a_write_can_commit_are_refused_before_they_are_built(CancellationToken ct)
    {
        await using RespTestServer server = RespTestServer.Start(new RespServerOptions { MaxValueBytes = 65536 });
        const string TooLarge = "-ERR value is too large (max 65536 bytes, set by storage.wal_buffer_size)\r\n";
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("SETRANGE", "k", "536870911", "x")).IsEqualTo(TooLarge);
        await Assert.That(await c.CallAsync("SETRANGE", "k", "65536", "x")).IsEqualTo(TooLarge);
        await Assert.That(await c.CallAsync("SETRANGE", "k", "536870912", "x")).IsEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
        await Assert.That(await c.CallAsync("SETRANGE", "k", "9223372036854775807", "x")).IsEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
        await Assert.That(await c.CallAsync("EXISTS", "k")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("SETRANGE", "k", "65535", "x")).IsEqualTo(":65536\r\n");
        await Assert.That(await c.CallAsync("APPEND", "k", "y")).IsEqualTo(TooLarge);
        await Assert.That(await c.CallAsync("STRLEN", "k")).IsEqualTo(":65536\r\n");
        await Assert.That(await c.CallAsync("CONFIG", "GET", "proto-max-bulk-len")).IsEqualTo("*2\r\n$18\r\nproto-max-bulk-len\r\n$5\r\n65536\r\n");

        // A bulk argument longer than the limit is refused when its length is read: nothing of it is buffered.
        await c.SendAsync("*3\r\n$3\r\nSET\r\n$1\r\nv\r\n$65537\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo(TooLarge);
        await Assert.That(await c.IsClosedAsync()).IsTrue();
        using RawClient d = await server.ConnectAsync();
        await Assert.That(await d.CallAsync("SET", "v", new string('v', 65536))).IsEqualTo("+OK\r\n");
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_subscriber_that_does_not_read_is_closed_at_the_pubsub_hard_limit_in_bytes(CancellationToken ct)
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient admin = await server.ConnectAsync();
        await Assert.That(await admin.CallAsync("CONFIG", "GET", "client-output-buffer-limit")).IsEqualTo(
            Bulks("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"));
        await Assert.That(await admin.CallAsync("CONFIG", "SET", "client-output-buffer-limit", "pubsub 4mb 0 0")).IsEqualTo("+OK\r\n");
        await Assert.That(await admin.CallAsync("CONFIG", "GET", "client-output-buffer-limit")).IsEqualTo(
            Bulks("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 4194304 0 0"));
        await Assert.That(await admin.CallAsync("CONFIG", "SET", "client-output-buffer-limit", "pubsub 4mb 0")).IsEqualTo(
            "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.\r\n");
        await Assert.That(await admin.CallAsync("CONFIG", "SET", "client-output-buffer-limit", "master 1 1 1")).IsEqualTo(
            "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.\r\n");

        using RawClient subscriber = await server.ConnectAsync();
        await Assert.That(await subscriber.CallAsync("SUBSCRIBE", "ch")).IsEqualTo("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
        string message = new('m', 1 << 20);
        for (int i = 0; i < 64 && await SubscribersAsync(admin) == 1; i++)
        {
            await admin.CallAsync("PUBLISH", "ch", message); // the subscriber reads nothing
        }

        await Assert.That(await WaitForSubscribersAsync(admin, 0, ct)).IsEqualTo(0);
        await Assert.That(await DrainUntilClosedAsync(subscriber, ct)).IsTrue();
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_subscriber_held_above_the_soft_limit_for_its_seconds_is_closed(CancellationToken ct)
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient admin = await server.ConnectAsync();
        await admin.CallAsync("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 2mb 1");
        using RawClient subscriber = await server.ConnectAsync();
        await subscriber.CallAsync("SUBSCRIBE", "ch");
        string message = new('m', 512 << 10);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await SubscribersAsync(admin) == 1 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await admin.CallAsync("PUBLISH", "ch", message);
            await Task.Delay(100, ct);
        }

        await Assert.That(await SubscribersAsync(admin)).IsEqualTo(0);
        await Assert.That(clock.Elapsed).IsGreaterThan(TimeSpan.FromSeconds(1)); // the soft limit waits its seconds
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_reply_past_the_normal_hard_limit_closes_that_client_only(CancellationToken ct)
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient admin = await server.ConnectAsync();
        await admin.CallAsync("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0");
        await Assert.That(await admin.CallAsync("SET", "k", new string('v', 600_000))).IsEqualTo("+OK\r\n");
        using RawClient greedy = await server.ConnectAsync();
        await greedy.SendAsync(RawClient.Command("MGET", "k", "k"));
        await Assert.That(await DrainUntilClosedAsync(greedy, ct)).IsTrue();
        await Assert.That(await admin.CallAsync("STRLEN", "k")).IsEqualTo(":600000\r\n");
        await admin.CallAsync("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
        using RawClient again = await server.ConnectAsync();
        await again.SendAsync(RawClient.Command("MGET", "k", "k"));
        long reply = 4 + (2 * (9 + 600_000 + 2)); // *2, then $600000 and the value twice
        await Assert.That(await ReadBytesAsync(again, reply, ct)).IsEqualTo(reply);
        await Assert.That(await again.CallAsync("PING")).IsEqualTo("+PONG\r\n");
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_connection_that_does_not_authenticate_in_time_is_closed(CancellationToken ct)
    {
        var options = new RespServerOptions
        {
            AuthEnabled = true,
            SuperuserName = "admin",
            SuperuserPasswordHash = BCrypt.Net.BCrypt.HashPassword("s3cret", 4),
            AuthenticationTimeout = TimeSpan.FromMilliseconds(500),
        };
        await using RespTestServer server = RespTestServer.Start(options);
        using RawClient silent = await server.ConnectAsync();
        using RawClient busy = await server.ConnectAsync();
        using RawClient good = await server.ConnectAsync();
        await Assert.That(await good.CallAsync("AUTH", "admin", "s3cret")).IsEqualTo("+OK\r\n");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool busyRefused = false;
        while (clock.ElapsedMilliseconds < 1500 && !busyRefused)
        {
            try
            {
                await busy.SendAsync(RawClient.Command("PING")); // activity without AUTH does not extend the deadline
            }
            catch (System.Net.Sockets.SocketException)
            {
                busyRefused = true; // closed by the server
            }

            await Task.Delay(100, ct);
        }

        await Assert.That(await silent.IsClosedAsync()).IsTrue();
        await Assert.That(await DrainUntilClosedAsync(busy, ct)).IsTrue();
        await Task.Delay(600, ct);
        await Assert.That(await good.CallAsync("PING")).IsEqualTo("+PONG\r\n"); // authenticated clients stay

        // RESET logs the client out and starts a new deadline.
        await Assert.That(await good.CallAsync("RESET")).IsEqualTo("+RESET\r\n");
        await Assert.That(await good.CallAsync("AUTH", "admin", "s3cret")).IsEqualTo("+OK\r\n");
        await Task.Delay(800, ct);
        await Assert.That(await good.CallAsync("PING")).IsEqualTo("+PONG\r\n");
    }

    [Test]
    [Timeout(30_000)]
    public async Task Config_set_timeout_closes_idle_clients_but_not_subscribers_or_blocked_ones(CancellationToken ct)
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient admin = await server.ConnectAsync();
        using RawClient idle = await server.ConnectAsync();
        using RawClient subscriber = await server.ConnectAsync();
        using RawClient blocked = await server.ConnectAsync();
        await Assert.That(await admin.CallAsync("CONFIG", "GET", "timeout")).IsEqualTo(Bulks("timeout", "0"));
        await Assert.That(await idle.CallAsync("PING")).IsEqualTo("+PONG\r\n");
        await subscriber.CallAsync("SUBSCRIBE", "ch");
        await blocked.SendAsync(RawClient.Command("BLPOP", "q", "0"));
        await Task.Delay(1200, ct);
        await Assert.That(await idle.CallAsync("PING")).IsEqualTo("+PONG\r\n"); // timeout 0: nobody is closed

        await Assert.That(await admin.CallAsync("CONFIG", "SET", "timeout", "1")).IsEqualTo("+OK\r\n");
        await Assert.That(await admin.CallAsync("CONFIG", "GET", "timeout")).IsEqualTo(Bulks("timeout", "1"));
        await Assert.That(await admin.CallAsync("CONFIG", "SET", "timeout", "-1")).StartsWith("-ERR CONFIG SET failed (possibly related to argument 'timeout')");
        for (int i = 0; i < 8; i++)
        {
            await Task.Delay(250, ct);
            await admin.CallAsync("PING"); // the admin stays active
        }

        await Assert.That(await idle.IsClosedAsync()).IsTrue();
        await Assert.That(await admin.CallAsync("PUBLISH", "ch", "hi")).IsEqualTo(":1\r\n");
        await Assert.That(await subscriber.ReadFrameAsync()).IsEqualTo("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
        await Assert.That(await admin.CallAsync("RPUSH", "q", "v")).IsEqualTo(":1\r\n");
        await Assert.That(await blocked.ReadFrameAsync()).IsEqualTo("*2\r\n$1\r\nq\r\n$1\r\nv\r\n");
        await admin.CallAsync("CONFIG", "SET", "timeout", "0");
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_client_leaving_replies_above_the_normal_soft_limit_unread_is_closed_after_its_seconds(CancellationToken ct)
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient admin = await server.ConnectAsync();
        await admin.CallAsync("CONFIG", "SET", "client-output-buffer-limit", "normal 0 1mb 1");
        await admin.CallAsync("SET", "k", new string('v', 1_000_000));
        using RawClient reader = await server.ConnectAsync();
        await reader.SendAsync(RawClient.Command("MGET", "k", "k", "k", "k", "k", "k", "k", "k"));
        long reply = 4 + (8 * (10 + 1_000_000 + 2)); // *8, then $1000000 and the value eight times
        await Assert.That(await ReadBytesAsync(reader, reply, ct)).IsEqualTo(reply); // read at once: never held for a second

        using RawClient stalled = await server.ConnectAsync();
        stalled.Socket.ReceiveBufferSize = 64 * 1024;
        await stalled.SendAsync(RawClient.Command("MGET", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k"));
        await Task.Delay(2500, ct); // reads nothing for longer than the soft seconds
        await Assert.That(await DrainUntilClosedAsync(stalled, ct)).IsTrue();
        await Assert.That(await admin.CallAsync("PING")).IsEqualTo("+PONG\r\n");
        await admin.CallAsync("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
    }

    private static string Bulks(params string[] values)
    {
        var sb = new StringBuilder().Append('*').Append(values.Length).Append("\r\n");
        foreach (string v in values)
        {
            sb.Append('$').Append(v.Length).Append("\r\n").Append(v).Append("\r\n");
        }

        return sb.ToString();
    }

    private static async Task<int> SubscribersAsync(RawClient admin)
    {
        string reply = await admin.CallAsync("PUBSUB", "NUMSUB", "ch"); // *2 $2 ch :n
        return int.Parse(reply[(reply.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<int> WaitForSubscribersAsync(RawClient admin, int wanted, CancellationToken ct)
    {
        int n = -1;
        for (int i = 0; i < 100 && (n = await SubscribersAsync(admin)) != wanted; i++)
        {
            await Task.Delay(50, ct);
        }

        return n;
    }

    /// <summary>Reads and drops whatever the server still sends; true when it then closed the connection.</summary>
    private static async Task<bool> DrainUntilClosedAsync(RawClient c, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        byte[] chunk = new byte[1 << 20];
        try
        {
            while (await c.Socket.ReceiveAsync(chunk, System.Net.Sockets.SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return true; // reset by the server
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<long> ReadBytesAsync(RawClient c, long count, CancellationToken ct)
    {
        byte[] chunk = new byte[1 << 20];
        long total = 0;
        while (total < count)
        {
            int n = await c.Socket.ReceiveAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, count - total)), System.Net.Sockets.SocketFlags.None, ct);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
