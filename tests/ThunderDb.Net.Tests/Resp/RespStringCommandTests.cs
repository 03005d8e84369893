using ThunderDb.Net.Tests.Support;

namespace ThunderDb.Net.Tests.Resp;

/// <summary>Exact replies of string, key and server commands over a real socket.</summary>
public class RespStringCommandTests
{
    [Test]
    public async Task Ping_echo_and_inline_commands()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("PING")).IsEqualTo("+PONG\r\n");
        await Assert.That(await c.CallAsync("PING", "hi")).IsEqualTo("$2\r\nhi\r\n");
        await Assert.That(await c.CallAsync("ECHO", "x y")).IsEqualTo("$3\r\nx y\r\n");
        await c.SendAsync("PING\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("+PONG\r\n");
        await c.SendAsync("set \"a b\" 'c d'\r\nget \"a b\"\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("+OK\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("$3\r\nc d\r\n");
    }

    [Test]
    public async Task Get_set_and_options()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("GET", "k")).IsEqualTo("$-1\r\n");
        await Assert.That(await c.CallAsync("SET", "k", "v1")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("GET", "k")).IsEqualTo("$2\r\nv1\r\n");
        await Assert.That(await c.CallAsync("SET", "k", "v2", "NX")).IsEqualTo("$-1\r\n");
        await Assert.That(await c.CallAsync("SET", "k", "v2", "XX", "GET")).IsEqualTo("$2\r\nv1\r\n");
        await Assert.That(await c.CallAsync("SET", "nope", "v", "XX")).IsEqualTo("$-1\r\n");
        await Assert.That(await c.CallAsync("SET", "k", "v", "EX", "0")).IsEqualTo("-ERR invalid expire time in 'set' command\r\n");
        await Assert.That(await c.CallAsync("SET", "k", "v", "EX", "10", "PX", "5")).IsEqualTo("-ERR syntax error\r\n");
        await Assert.That(await c.CallAsync("SET", "k", "v3", "EX", "100")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("TTL", "k")).IsEqualTo(":100\r\n");
        await Assert.That(await c.CallAsync("SET", "k", "v4", "KEEPTTL")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("TTL", "k")).IsEqualTo(":100\r\n");
        await Assert.That(await c.CallAsync("SET", "k", "v5")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("TTL", "k")).IsEqualTo(":-1\r\n");
        await Assert.That(await c.CallAsync("TTL", "missing")).IsEqualTo(":-2\r\n");
        await Assert.That(await c.CallAsync("GET")).IsEqualTo("-ERR wrong number of arguments for 'get' command\r\n");
        await Assert.That(await c.CallAsync("NOPE", "a")).IsEqualTo("-ERR unknown command 'NOPE', with args beginning with: 'a' \r\n");
    }

    [Test]
    public async Task Counters_and_string_edits()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("INCR", "n")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("INCRBY", "n", "41")).IsEqualTo(":42\r\n");
        await Assert.That(await c.CallAsync("DECR", "n")).IsEqualTo(":41\r\n");
        await Assert.That(await c.CallAsync("DECRBY", "n", "1")).IsEqualTo(":40\r\n");
        await Assert.That(await c.CallAsync("INCRBYFLOAT", "n", "0.5")).IsEqualTo("$4\r\n40.5\r\n");
        await Assert.That(await c.CallAsync("INCR", "n")).IsEqualTo("-ERR value is not an integer or out of range\r\n");
        await Assert.That(await c.CallAsync("SET", "big", "9223372036854775807")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("INCR", "big")).IsEqualTo("-ERR increment or decrement would overflow\r\n");
        await Assert.That(await c.CallAsync("APPEND", "s", "Hello")).IsEqualTo(":5\r\n");
        await Assert.That(await c.CallAsync("APPEND", "s", " World")).IsEqualTo(":11\r\n");
        await Assert.That(await c.CallAsync("STRLEN", "s")).IsEqualTo(":11\r\n");
        await Assert.That(await c.CallAsync("GETRANGE", "s", "0", "4")).IsEqualTo("$5\r\nHello\r\n");
        await Assert.That(await c.CallAsync("GETRANGE", "s", "-5", "-1")).IsEqualTo("$5\r\nWorld\r\n");
        await Assert.That(await c.CallAsync("SETRANGE", "s", "6", "Redis")).IsEqualTo(":11\r\n");
        await Assert.That(await c.CallAsync("GET", "s")).IsEqualTo("$11\r\nHello Redis\r\n");
        await Assert.That(await c.CallAsync("SETRANGE", "z", "3", "x")).IsEqualTo(":4\r\n");
        await Assert.That(await c.CallAsync("GET", "z")).IsEqualTo("$4\r\n\0\0\0x\r\n");
        await Assert.That(await c.CallAsync("MSET", "a", "1", "b", "2")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("MGET", "a", "b", "nokey")).IsEqualTo("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n");
        await Assert.That(await c.CallAsync("MSETNX", "a", "9", "c", "3")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("MSETNX", "c", "3", "d", "4")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("GETSET", "a", "10")).IsEqualTo("$1\r\n1\r\n");
        await Assert.That(await c.CallAsync("GETDEL", "a")).IsEqualTo("$2\r\n10\r\n");
        await Assert.That(await c.CallAsync("EXISTS", "a", "b", "b")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("SETNX", "b", "x")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("SETEX", "e", "100", "x")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("PSETEX", "e", "0", "x")).IsEqualTo("-ERR invalid expire time in 'psetex' command\r\n");
        await Assert.That(await c.CallAsync("GETEX", "e", "PERSIST")).IsEqualTo("$1\r\nx\r\n");
        await Assert.That(await c.CallAsync("TTL", "e")).IsEqualTo(":-1\r\n");
    }

    [Test]
    public async Task Keys_rename_copy_scan_and_types()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("MSET", "user:1", "a", "user:2", "b", "other", "c");
        await Assert.That(await c.CallAsync("KEYS", "user:*")).IsEqualTo("*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n");
        await Assert.That(await c.CallAsync("DBSIZE")).IsEqualTo(":3\r\n");
        await Assert.That(await c.CallAsync("TYPE", "other")).IsEqualTo("+string\r\n");
        await Assert.That(await c.CallAsync("TYPE", "nokey")).IsEqualTo("+none\r\n");
        await Assert.That(await c.CallAsync("RENAME", "nokey", "x")).IsEqualTo("-ERR no such key\r\n");
        await Assert.That(await c.CallAsync("RENAME", "other", "renamed")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("RENAMENX", "renamed", "user:1")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("COPY", "renamed", "copied")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("COPY", "renamed", "copied")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("COPY", "renamed", "copied", "DB", "1")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("SELECT", "1")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("GET", "copied")).IsEqualTo("$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("SELECT", "16")).IsEqualTo("-ERR DB index is out of range\r\n");
        await Assert.That(await c.CallAsync("FLUSHDB")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("DBSIZE")).IsEqualTo(":0\r\n");
        await c.CallAsync("SELECT", "0");
        string first = await c.CallAsync("SCAN", "0", "COUNT", "2");
        await Assert.That(first).EndsWith("*2\r\n$6\r\ncopied\r\n$7\r\nrenamed\r\n");
        string cursor = first.Split("\r\n")[2];
        await Assert.That(cursor).IsNotEqualTo("0");
        await c.CallAsync("DEL", "copied"); // a deletion behind the cursor must not make the scan skip a key
        await Assert.That(await c.CallAsync("SCAN", cursor, "COUNT", "2")).IsEqualTo("*2\r\n$1\r\n0\r\n*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n");
        await c.CallAsync("COPY", "renamed", "copied");
        await Assert.That(await c.CallAsync("SCAN", "12345", "COUNT", "2")).IsEqualTo("-ERR invalid cursor\r\n");
        await Assert.That(await c.CallAsync("SCAN", "0", "MATCH", "user:*", "TYPE", "string")).IsEqualTo("*2\r\n$1\r\n0\r\n*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n");
        await Assert.That(await c.CallAsync("DEL", "user:1", "user:2", "nokey")).IsEqualTo(":2\r\n");
        string random = await c.CallAsync("RANDOMKEY");
        await Assert.That(random is "$6\r\ncopied\r\n" or "$7\r\nrenamed\r\n").IsTrue();
        await Assert.That(await c.CallAsync("FLUSHALL")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("RANDOMKEY")).IsEqualTo("$-1\r\n");
    }

    [Test]
    public async Task Expiry_is_lazy_active_and_stored()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("SET", "a", "1");
        await Assert.That(await c.CallAsync("PEXPIRE", "a", "100")).IsEqualTo(":1\r\n");
        string pttl = await c.CallAsync("PTTL", "a");
        await Assert.That(pttl.StartsWith(':')).IsTrue();
        await Assert.That(await c.CallAsync("EXPIRE", "a", "100", "NX")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("EXPIRE", "a", "100", "GT")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("PERSIST", "a")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("PERSIST", "a")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("PEXPIRE", "a", "50")).IsEqualTo(":1\r\n");
        await c.CallAsync("SET", "b", "1", "PX", "50");
        await Task.Delay(400); // the sweep runs every 100 ms
        await Assert.That(await c.CallAsync("GET", "a")).IsEqualTo("$-1\r\n");
        await Assert.That(server.Database.CountCommittedKeys()).IsEqualTo(0); // swept: records and index entries gone
        await Assert.That(await c.CallAsync("EXPIREAT", "nokey", "1")).IsEqualTo(":0\r\n");
        await c.CallAsync("SET", "c", "1");
        await Assert.That(await c.CallAsync("EXPIREAT", "c", "1")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("EXISTS", "c")).IsEqualTo(":0\r\n");
    }

    [Test]
    public async Task Server_commands_answer_like_redis()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("CONFIG", "GET", "save")).IsEqualTo("*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
        await Assert.That(await c.CallAsync("CONFIG", "GET", "appendonly")).IsEqualTo("*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n");
        string all = await c.CallAsync("CONFIG", "GET", "*");
        await Assert.That(all.StartsWith("*94\r\n", StringComparison.Ordinal)).IsTrue();
        await Assert.That(all).Contains("$23\r\nslowlog-log-slower-than\r\n$5\r\n10000\r\n");
        await Assert.That(all).Contains("$22\r\nhash-max-ziplist-value\r\n$2\r\n64\r\n");
        await Assert.That(await c.CallAsync("CONFIG", "SET", "save", "")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("CONFIG", "SET", "dir", "/tmp")).StartsWith("-ERR CONFIG SET 'dir' is not supported");
        string info = await c.CallAsync("INFO");
        foreach (string section in new[] { "# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Keyspace" })
        {
            await Assert.That(info).Contains(section);
        }

        await Assert.That(await c.CallAsync("CLIENT", "SETNAME", "me")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("CLIENT", "GETNAME")).IsEqualTo("$2\r\nme\r\n");
        await Assert.That(await c.CallAsync("CLIENT", "LIST")).Contains("name=me");
        await Assert.That(await c.CallAsync("COMMAND", "COUNT")).StartsWith(":");
        await Assert.That(await c.CallAsync("TIME")).StartsWith("*2\r\n");
        string hello = await c.CallAsync("HELLO", "3");
        await Assert.That(hello).StartsWith("%7\r\n");
        await Assert.That(await c.CallAsync("GET", "nokey")).IsEqualTo("_\r\n");
        await Assert.That(await c.CallAsync("HELLO", "4")).IsEqualTo("-NOPROTO unsupported protocol version\r\n");
        await Assert.That(await c.CallAsync("QUIT")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.IsClosedAsync()).IsTrue();
    }
    [Test]
    public async Task Setrange_with_a_huge_offset_is_refused_not_overflowed()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("SETRANGE", "k", "9223372036854775807", "x"))
            .IsEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
        await Assert.That(await c.CallAsync("EXISTS", "k")).IsEqualTo(":0\r\n");
    }

    [Test]
    public async Task Backtracking_glob_patterns_answer_quickly()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        string key = new('a', 60);
        await Assert.That(await c.CallAsync("SET", key, "v")).IsEqualTo("+OK\r\n");
        string pattern = string.Concat(Enumerable.Repeat("*a", 40)) + "*b";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.That(await c.CallAsync("KEYS", pattern)).IsEqualTo("*0\r\n");
        await Assert.That(await c.CallAsync("KEYS", string.Concat(Enumerable.Repeat("*a", 40)) + "*")).IsEqualTo($"*1\r\n$60\r\n{key}\r\n");
        await Assert.That(watch.ElapsedMilliseconds).IsLessThan(2000);
    }
}
