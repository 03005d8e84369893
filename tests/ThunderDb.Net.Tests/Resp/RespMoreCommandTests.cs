using ThunderDb.Net.Tests.Support;

namespace ThunderDb.Net.Tests.Resp;

/// <summary>Exact replies of the lex-range, range-removal and store sorted-set commands, SINTERCARD, LMPOP, MOVE, SWAPDB and OBJECT.</summary>
public class RespMoreCommandTests
{
    [Test]
    public async Task Lex_ranges_and_range_removals()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("ZADD", "lx", "0", "a", "0", "b", "0", "c", "0", "d");
        await Assert.That(await c.CallAsync("ZRANGEBYLEX", "lx", "(a", "[c")).IsEqualTo("*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("ZREVRANGEBYLEX", "lx", "+", "-", "LIMIT", "1", "2")).IsEqualTo("*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
        await Assert.That(await c.CallAsync("ZRANGEBYLEX", "lx", "a", "+")).IsEqualTo("-ERR min or max not valid string range item\r\n");
        await Assert.That(await c.CallAsync("ZLEXCOUNT", "lx", "[b", "+")).IsEqualTo(":3\r\n");
        await Assert.That(await c.CallAsync("ZREMRANGEBYLEX", "lx", "[b", "(d")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("ZRANGE", "lx", "0", "-1")).IsEqualTo("*2\r\n$1\r\na\r\n$1\r\nd\r\n");

        await c.CallAsync("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");
        await Assert.That(await c.CallAsync("ZREMRANGEBYSCORE", "z", "(1", "3")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("ZREMRANGEBYRANK", "z", "-1", "-1")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("ZRANGE", "z", "0", "-1")).IsEqualTo("*1\r\n$1\r\na\r\n");
        await Assert.That(await c.CallAsync("ZREMRANGEBYRANK", "z", "0", "-1")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("EXISTS", "z")).IsEqualTo(":0\r\n");
        await c.CallAsync("SET", "str", "v");
        await Assert.That(await c.CallAsync("ZREMRANGEBYSCORE", "str", "0", "1")).IsEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    }

    [Test]
    public async Task Union_and_intersect_store_with_weights_and_aggregates()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("ZADD", "z1", "1", "a", "2", "b");
        await c.CallAsync("ZADD", "z2", "10", "b", "20", "c");
        await c.CallAsync("SADD", "s", "a", "c");
        await Assert.That(await c.CallAsync("ZUNIONSTORE", "out", "3", "z1", "z2", "s", "WEIGHTS", "2", "1", "100")).IsEqualTo(":3\r\n");
        await Assert.That(await c.CallAsync("ZRANGE", "out", "0", "-1", "WITHSCORES"))
            .IsEqualTo("*6\r\n$1\r\nb\r\n$2\r\n14\r\n$1\r\na\r\n$3\r\n102\r\n$1\r\nc\r\n$3\r\n120\r\n");
        await Assert.That(await c.CallAsync("ZINTERSTORE", "out", "2", "z1", "z2", "AGGREGATE", "MAX")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("ZRANGE", "out", "0", "-1", "WITHSCORES")).IsEqualTo("*2\r\n$1\r\nb\r\n$2\r\n10\r\n");
        await Assert.That(await c.CallAsync("ZINTERSTORE", "out", "2", "z1", "nope")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("EXISTS", "out")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("ZUNIONSTORE", "out", "0", "z1")).IsEqualTo("-ERR at least 1 input key is needed for 'zunionstore' command\r\n");
        await Assert.That(await c.CallAsync("ZUNIONSTORE", "out", "2", "z1", "z2", "WEIGHTS", "1", "x")).IsEqualTo("-ERR weight value is not a float\r\n");
        await Assert.That(await c.CallAsync("COMMAND", "INFO", "ZUNIONSTORE")).Contains("+movablekeys\r\n");

        string one = await c.CallAsync("ZRANDMEMBER", "z1");
        await Assert.That(one is "$1\r\na\r\n" or "$1\r\nb\r\n").IsTrue();
        await Assert.That(await c.CallAsync("ZRANDMEMBER", "z1", "5", "WITHSCORES")).IsEqualTo("*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
        await Assert.That(await c.CallAsync("ZRANDMEMBER", "z1", "-3")).StartsWith("*3\r\n");
    }

    [Test]
    public async Task Intersect_cardinality_and_multi_pop()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("SADD", "s", "a", "b", "c");
        await c.CallAsync("SADD", "t", "b", "c", "d");
        await Assert.That(await c.CallAsync("SINTERCARD", "2", "s", "t")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("SINTERCARD", "2", "s", "t", "LIMIT", "1")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("SINTERCARD", "3", "s", "t")).IsEqualTo("-ERR Number of keys can't be greater than number of args\r\n");
        await Assert.That(await c.CallAsync("SINTERCARD", "0", "s")).IsEqualTo("-ERR numkeys should be greater than 0\r\n");

        await c.CallAsync("RPUSH", "l", "a", "b", "c");
        await Assert.That(await c.CallAsync("LMPOP", "2", "nope", "l", "RIGHT", "COUNT", "2")).IsEqualTo("*2\r\n$1\r\nl\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
        await Assert.That(await c.CallAsync("LMPOP", "1", "l", "LEFT", "COUNT", "9")).IsEqualTo("*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n");
        await Assert.That(await c.CallAsync("LMPOP", "1", "l", "LEFT")).IsEqualTo("*-1\r\n");
        await Assert.That(await c.CallAsync("LMPOP", "1", "l", "LEFT", "COUNT", "0")).IsEqualTo("-ERR count should be greater than 0\r\n");
    }

    [Test]
    public async Task Move_and_object()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("SET", "k", "12");
        await c.CallAsync("PEXPIRE", "k", "100000");
        await Assert.That(await c.CallAsync("OBJECT", "ENCODING", "k")).IsEqualTo("$3\r\nint\r\n");
        await Assert.That(await c.CallAsync("OBJECT", "REFCOUNT", "k")).IsEqualTo(":2147483647\r\n");
        await Assert.That(await c.CallAsync("MOVE", "k", "2")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("EXISTS", "k")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("MOVE", "k", "0")).IsEqualTo("-ERR source and destination objects are the same\r\n");
        await c.CallAsync("SELECT", "2");
        await Assert.That(await c.CallAsync("GET", "k")).IsEqualTo("$2\r\n12\r\n");
        await Assert.That(await c.CallAsync("PTTL", "k")).IsNotEqualTo(":-1\r\n");
        await c.CallAsync("SADD", "s", "1", "x");
        await Assert.That(await c.CallAsync("OBJECT", "ENCODING", "s")).IsEqualTo("$9\r\nhashtable\r\n");
        await Assert.That(await c.CallAsync("OBJECT", "ENCODING", "nope")).IsEqualTo("$-1\r\n");
        await Assert.That(await c.CallAsync("OBJECT", "ENCODING")).IsEqualTo("-ERR wrong number of arguments for 'object|encoding' command\r\n");
        await Assert.That(await c.CallAsync("OBJECT", "FREQ", "s")).StartsWith("-ERR An LFU maxmemory policy is not selected");
    }

    [Test]
    public async Task Swapdb_fails_watches_and_wakes_blocked_pops()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient a = await server.ConnectAsync();
        using RawClient b = await server.ConnectAsync();
        await a.CallAsync("SET", "w", "0");
        await a.CallAsync("SELECT", "1");
        await a.CallAsync("RPUSH", "q", "x");
        await a.CallAsync("SELECT", "0");

        // A WATCHed key that the swap replaces fails the transaction.
        await Assert.That(await a.CallAsync("WATCH", "w")).IsEqualTo("+OK\r\n");
        await Assert.That(await b.CallAsync("SWAPDB", "0", "1")).IsEqualTo("+OK\r\n");
        await a.CallAsync("MULTI");
        await a.CallAsync("GET", "w");
        await Assert.That(await a.CallAsync("EXEC")).IsEqualTo("*-1\r\n");
        await Assert.That(await a.CallAsync("LRANGE", "q", "0", "-1")).IsEqualTo("*1\r\n$1\r\nx\r\n");

        // A client blocked on a list in database 0 wakes when a swap brings that list in.
        await a.CallAsync("LPOP", "q");
        await b.CallAsync("SELECT", "3");
        await b.CallAsync("RPUSH", "q", "y");
        await a.SendAsync(RawClient.Command("BLPOP", "q", "5"));
        await Task.Delay(100);
        await Assert.That(await b.CallAsync("SWAPDB", "0", "3")).IsEqualTo("+OK\r\n");
        await Assert.That(await a.ReadFrameAsync(3000)).IsEqualTo("*2\r\n$1\r\nq\r\n$1\r\ny\r\n");
        await Assert.That(await b.CallAsync("DBSIZE")).IsEqualTo(":0\r\n");
        await Assert.That(await b.CallAsync("SWAPDB", "0", "abc")).IsEqualTo("-ERR invalid second DB index\r\n");
    }

    [Test]
    public async Task Tuning_parameters_are_remembered_per_server_and_scripting_is_a_clear_error()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient a = await server.ConnectAsync();
        using RawClient b = await server.ConnectAsync();
        await Assert.That(await a.CallAsync("CONFIG", "SET", "set-max-intset-entries", "100", "maxmemory", "1mb")).IsEqualTo("+OK\r\n");
        await Assert.That(await b.CallAsync("CONFIG", "GET", "set-max-intset-entries")).IsEqualTo("*2\r\n$22\r\nset-max-intset-entries\r\n$3\r\n100\r\n");
        await Assert.That(await b.CallAsync("CONFIG", "GET", "maxmemory")).IsEqualTo("*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n");

        // All or nothing: a bad value in the second pair leaves the first unchanged.
        await Assert.That(await a.CallAsync("CONFIG", "SET", "set-max-intset-entries", "7", "maxmemory", "x")).StartsWith("-ERR CONFIG SET failed (possibly related to argument 'maxmemory')");
        await Assert.That(await b.CallAsync("CONFIG", "GET", "set-max-intset-entries")).EndsWith("$3\r\n100\r\n");
        await Assert.That(await a.CallAsync("CONFIG", "REWRITE")).StartsWith("-ERR CONFIG REWRITE is not supported by ThunderDB");
        await Assert.That(await a.CallAsync("FUNCTION", "FLUSH")).IsEqualTo("+OK\r\n");
        await Assert.That(await a.CallAsync("EVAL", "return 1", "0")).IsEqualTo(":1\r\n");
        await Assert.That(await a.CallAsync("PING")).IsEqualTo("+PONG\r\n");
    }
}
