using ThunderDb.Net.Tests.Support;

namespace ThunderDb.Net.Tests.Resp;

/// <summary>Exact replies of hash, list, set and sorted-set commands.</summary>
public class RespCollectionCommandTests
{
    [Test]
    public async Task Hashes()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("HSET", "h", "f1", "a", "f2", "b")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("HSET", "h", "f1", "c", "f3", "d")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("HSET", "h2", "x", "1", "x", "2")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("HGET", "h", "f1")).IsEqualTo("$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("HMGET", "h", "f2", "nope")).IsEqualTo("*2\r\n$1\r\nb\r\n$-1\r\n");
        await Assert.That(await c.CallAsync("HLEN", "h")).IsEqualTo(":3\r\n");
        await Assert.That(await c.CallAsync("HGETALL", "h")).IsEqualTo("*6\r\n$2\r\nf1\r\n$1\r\nc\r\n$2\r\nf2\r\n$1\r\nb\r\n$2\r\nf3\r\n$1\r\nd\r\n");
        await Assert.That(await c.CallAsync("HKEYS", "h")).IsEqualTo("*3\r\n$2\r\nf1\r\n$2\r\nf2\r\n$2\r\nf3\r\n");
        await Assert.That(await c.CallAsync("HVALS", "h")).IsEqualTo("*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\nd\r\n");
        await Assert.That(await c.CallAsync("HSETNX", "h", "f1", "z")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("HEXISTS", "h", "f1")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("HINCRBY", "h", "n", "5")).IsEqualTo(":5\r\n");
        await Assert.That(await c.CallAsync("HINCRBY", "h", "f1", "5")).IsEqualTo("-ERR hash value is not an integer\r\n");
        await Assert.That(await c.CallAsync("HINCRBYFLOAT", "h", "n", "1.5")).IsEqualTo("$3\r\n6.5\r\n");
        await Assert.That(await c.CallAsync("HDEL", "h", "f1", "f2", "nope")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("HSCAN", "h", "0")).IsEqualTo("*2\r\n$1\r\n0\r\n*4\r\n$2\r\nf3\r\n$1\r\nd\r\n$1\r\nn\r\n$3\r\n6.5\r\n");
        string field = await c.CallAsync("HRANDFIELD", "h");
        await Assert.That(field is "$2\r\nf3\r\n" or "$1\r\nn\r\n").IsTrue();
        await Assert.That(await c.CallAsync("HRANDFIELD", "h", "-3")).StartsWith("*3\r\n");
        await Assert.That(await c.CallAsync("GET", "h")).IsEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        await Assert.That(await c.CallAsync("TYPE", "h")).IsEqualTo("+hash\r\n");
        await Assert.That(await c.CallAsync("HDEL", "h", "f3", "n")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("EXISTS", "h")).IsEqualTo(":0\r\n");
    }

    [Test]
    public async Task Lists()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("RPUSH", "l", "a", "b", "c")).IsEqualTo(":3\r\n");
        await Assert.That(await c.CallAsync("LPUSH", "l", "z")).IsEqualTo(":4\r\n");
        await Assert.That(await c.CallAsync("LRANGE", "l", "0", "-1")).IsEqualTo("*4\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("LRANGE", "l", "1", "2")).IsEqualTo("*2\r\n$1\r\na\r\n$1\r\nb\r\n");
        await Assert.That(await c.CallAsync("LINDEX", "l", "-1")).IsEqualTo("$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("LINDEX", "l", "9")).IsEqualTo("$-1\r\n");
        await Assert.That(await c.CallAsync("LSET", "l", "1", "A")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("LSET", "l", "9", "A")).IsEqualTo("-ERR index out of range\r\n");
        await Assert.That(await c.CallAsync("LSET", "nol", "0", "A")).IsEqualTo("-ERR no such key\r\n");
        await Assert.That(await c.CallAsync("LINSERT", "l", "BEFORE", "b", "x")).IsEqualTo(":5\r\n");
        await Assert.That(await c.CallAsync("LINSERT", "l", "AFTER", "nope", "x")).IsEqualTo(":-1\r\n");
        await Assert.That(await c.CallAsync("LRANGE", "l", "0", "-1")).IsEqualTo("*5\r\n$1\r\nz\r\n$1\r\nA\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("LPOS", "l", "b")).IsEqualTo(":3\r\n");
        await Assert.That(await c.CallAsync("LREM", "l", "0", "x")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("LTRIM", "l", "1", "-1")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("LRANGE", "l", "0", "-1")).IsEqualTo("*3\r\n$1\r\nA\r\n$1\r\nb\r\n$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("LPOP", "l")).IsEqualTo("$1\r\nA\r\n");
        await Assert.That(await c.CallAsync("RPOP", "l", "5")).IsEqualTo("*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
        await Assert.That(await c.CallAsync("LLEN", "l")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("RPOP", "l", "1")).IsEqualTo("*-1\r\n");
        await Assert.That(await c.CallAsync("LPUSHX", "l", "a")).IsEqualTo(":0\r\n");
        await c.CallAsync("RPUSH", "src", "1", "2", "3");
        await Assert.That(await c.CallAsync("LMOVE", "src", "dst", "RIGHT", "LEFT")).IsEqualTo("$1\r\n3\r\n");
        await Assert.That(await c.CallAsync("RPOPLPUSH", "src", "src")).IsEqualTo("$1\r\n2\r\n");
        await Assert.That(await c.CallAsync("LRANGE", "src", "0", "-1")).IsEqualTo("*2\r\n$1\r\n2\r\n$1\r\n1\r\n");
        await Assert.That(await c.CallAsync("LRANGE", "dst", "0", "-1")).IsEqualTo("*1\r\n$1\r\n3\r\n");
    }

    [Test]
    public async Task Sets()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("SADD", "s1", "a", "b", "c", "a")).IsEqualTo(":3\r\n");
        await Assert.That(await c.CallAsync("SADD", "s2", "b", "c", "d")).IsEqualTo(":3\r\n");
        await Assert.That(await c.CallAsync("SCARD", "s1")).IsEqualTo(":3\r\n");
        await Assert.That(await c.CallAsync("SISMEMBER", "s1", "a")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("SMISMEMBER", "s1", "a", "d")).IsEqualTo("*2\r\n:1\r\n:0\r\n");
        await Assert.That(await c.CallAsync("SMEMBERS", "s1")).IsEqualTo("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("SINTER", "s1", "s2")).IsEqualTo("*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("SUNION", "s1", "s2")).IsEqualTo("*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
        await Assert.That(await c.CallAsync("SDIFF", "s1", "s2")).IsEqualTo("*1\r\n$1\r\na\r\n");
        await Assert.That(await c.CallAsync("SINTERSTORE", "s3", "s1", "s2")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("SUNIONSTORE", "s4", "s1", "s2")).IsEqualTo(":4\r\n");
        await Assert.That(await c.CallAsync("SDIFFSTORE", "s5", "s1", "s2")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("SMOVE", "s1", "s2", "a")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("SREM", "s1", "b", "zz")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("SPOP", "s1")).IsEqualTo("$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("EXISTS", "s1")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("SRANDMEMBER", "s2", "2")).StartsWith("*2\r\n");
        await Assert.That(await c.CallAsync("SSCAN", "s3", "0", "MATCH", "b")).IsEqualTo("*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n");
        await Assert.That(await c.CallAsync("SPOP", "s4", "10")).StartsWith("*4\r\n");
    }

    [Test]
    public async Task Sorted_sets()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("ZADD", "z", "1", "a", "2", "b", "3", "c")).IsEqualTo(":3\r\n");
        await Assert.That(await c.CallAsync("ZADD", "z", "-1.5", "neg")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("ZADD", "z", "CH", "5", "a", "9", "new")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("ZADD", "z", "GT", "1", "a")).IsEqualTo(":0\r\n");
        await Assert.That(await c.CallAsync("ZADD", "z", "NX", "XX", "1", "a")).IsEqualTo("-ERR XX and NX options at the same time are not compatible\r\n");
        await Assert.That(await c.CallAsync("ZADD", "z", "INCR", "1", "a")).IsEqualTo("$1\r\n6\r\n");
        await Assert.That(await c.CallAsync("ZADD", "z", "x", "a")).IsEqualTo("-ERR value is not a valid float\r\n");
        await Assert.That(await c.CallAsync("ZSCORE", "z", "neg")).IsEqualTo("$4\r\n-1.5\r\n");
        await Assert.That(await c.CallAsync("ZMSCORE", "z", "b", "nope")).IsEqualTo("*2\r\n$1\r\n2\r\n$-1\r\n");
        await Assert.That(await c.CallAsync("ZCARD", "z")).IsEqualTo(":5\r\n");
        await Assert.That(await c.CallAsync("ZRANGE", "z", "0", "-1")).IsEqualTo("*5\r\n$3\r\nneg\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$3\r\nnew\r\n");
        await Assert.That(await c.CallAsync("ZRANGE", "z", "0", "1", "WITHSCORES")).IsEqualTo("*4\r\n$3\r\nneg\r\n$4\r\n-1.5\r\n$1\r\nb\r\n$1\r\n2\r\n");
        await Assert.That(await c.CallAsync("ZREVRANGE", "z", "0", "0")).IsEqualTo("*1\r\n$3\r\nnew\r\n");
        await Assert.That(await c.CallAsync("ZRANGEBYSCORE", "z", "(2", "+inf", "LIMIT", "1", "1")).IsEqualTo("*1\r\n$1\r\na\r\n");
        await Assert.That(await c.CallAsync("ZRANGE", "z", "6", "2", "BYSCORE", "REV")).IsEqualTo("*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n");
        await Assert.That(await c.CallAsync("ZCOUNT", "z", "-inf", "(3")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("ZRANK", "z", "c")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("ZREVRANK", "z", "c")).IsEqualTo(":2\r\n");
        await Assert.That(await c.CallAsync("ZINCRBY", "z", "10", "b")).IsEqualTo("$2\r\n12\r\n");
        await Assert.That(await c.CallAsync("ZREM", "z", "b", "nope")).IsEqualTo(":1\r\n");
        await Assert.That(await c.CallAsync("ZPOPMIN", "z")).IsEqualTo("*2\r\n$3\r\nneg\r\n$4\r\n-1.5\r\n");
        await Assert.That(await c.CallAsync("ZPOPMAX", "z", "2")).IsEqualTo("*4\r\n$3\r\nnew\r\n$1\r\n9\r\n$1\r\na\r\n$1\r\n6\r\n");
        await c.CallAsync("ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d");
        await Assert.That(await c.CallAsync("ZRANGE", "lex", "[b", "(d", "BYLEX")).IsEqualTo("*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("ZRANGE", "lex", "+", "-", "BYLEX", "REV", "LIMIT", "0", "2")).IsEqualTo("*2\r\n$1\r\nd\r\n$1\r\nc\r\n");
        await Assert.That(await c.CallAsync("ZSCAN", "lex", "0", "COUNT", "100")).IsEqualTo("*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\nd\r\n$1\r\n0\r\n");
        await c.CallAsync("HELLO", "3");
        await Assert.That(await c.CallAsync("ZSCORE", "lex", "a")).IsEqualTo(",0\r\n");
        await Assert.That(await c.CallAsync("ZRANGE", "lex", "0", "0", "WITHSCORES")).IsEqualTo("*1\r\n*2\r\n$1\r\na\r\n,0\r\n");
    }
}
