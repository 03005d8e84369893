using System.Text;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Tests.Txn;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Tests.Redis;

/// <summary>A <see cref="RedisKeyspace"/> attached to one transaction of an in-memory database, for driving the Redis algorithms directly.</summary>
internal sealed class RedisTestKeyspace : IDisposable
{
    private readonly TestDatabase _db = new(syncCommit: false);
    private IKvTransaction _txn;

    public RedisTestKeyspace(long nowMs = 1_000_000)
    {
        NowMs = nowMs;
        _txn = _db.Db.Begin();
        Keyspace.Attach(_txn, 0, nowMs);
    }

    public RedisKeyspace Keyspace { get; } = new();

    public long NowMs { get; }

    /// <summary>Commits what ran so far and continues in a fresh transaction (what the next command would see).</summary>
    public void Commit()
    {
        _txn.CommitAsync().AsTask().GetAwaiter().GetResult();
        _txn.Dispose();
        _txn = _db.Db.Begin();
        Keyspace.Attach(_txn, 0, NowMs);
    }

    /// <summary>Rolls back what ran since the last commit (what a failed command's caller does).</summary>
    public void Rollback()
    {
        _txn.Rollback();
        _txn.Dispose();
        _txn = _db.Db.Begin();
        Keyspace.Attach(_txn, 0, NowMs);
    }

    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);

    /// <summary>Arguments as <see cref="RedisArgs"/> the way a parser hands them over: slices of one buffer.</summary>
    public static RedisArgs Args(params string[] values)
    {
        byte[] buffer = Encoding.UTF8.GetBytes(string.Concat(values));
        var slices = new ArgSlice[values.Length];
        int at = 0;
        for (int i = 0; i < values.Length; i++)
        {
            int n = Encoding.UTF8.GetByteCount(values[i]);
            slices[i] = new ArgSlice(at, n);
            at += n;
        }

        return new RedisArgs(buffer, slices);
    }

    public void Dispose()
    {
        Keyspace.Detach();
        _txn.Dispose();
        _db.Dispose();
    }
}
