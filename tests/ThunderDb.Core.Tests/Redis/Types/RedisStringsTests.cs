using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

public class RedisStringsTests
{
    [Test]
    public async Task Set_then_get_returns_the_value_and_a_missing_key_is_not_found()
    {
        using var t = new RedisTestKeyspace();
        RedisStrings.Overwrite(t.Keyspace, B("k"), B("v1"), 0);
        RedisError error = RedisStrings.Get(t.Keyspace, B("k"), out bool found, out ReadOnlySpan<byte> value);
        string text = S(value);
        await Assert.That(error).IsEqualTo(RedisError.None);
        await Assert.That(found).IsTrue();
        await Assert.That(text).IsEqualTo("v1");
        error = RedisStrings.Get(t.Keyspace, B("nope"), out found, out _);
        await Assert.That(error).IsEqualTo(RedisError.None);
        await Assert.That(found).IsFalse();
    }

    [Test]
    public async Task Reading_a_hash_as_a_string_is_wrongtype_and_writes_nothing()
    {
        using var t = new RedisTestKeyspace();
        RedisHashes.Set(t.Keyspace, B("h"), Args("f", "v"), out _);
        long writes = t.Keyspace.WriteCount;
        await Assert.That(RedisStrings.Get(t.Keyspace, B("h"), out _, out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(RedisStrings.IncrBy(t.Keyspace, B("h"), 1, out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(RedisStrings.Append(t.Keyspace, B("h"), B("x"), out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(t.Keyspace.WriteCount).IsEqualTo(writes);
    }

    [Test]
    public async Task Set_nx_xx_and_get_follow_redis()
    {
        using var t = new RedisTestKeyspace();
        var nx = new SetOptions { Condition = SetCondition.IfMissing };
        RedisStrings.Set(t.Keyspace, B("k"), B("a"), nx, out bool written, out _, out _);
        await Assert.That(written).IsTrue();
        RedisStrings.Set(t.Keyspace, B("k"), B("b"), nx, out written, out _, out _);
        await Assert.That(written).IsFalse();
        var xxGet = new SetOptions { Condition = SetCondition.IfExists, ReturnOld = true };
        RedisStrings.Set(t.Keyspace, B("k"), B("c"), xxGet, out written, out bool oldFound, out ReadOnlySpan<byte> old);
        string oldText = S(old);
        await Assert.That(written).IsTrue();
        await Assert.That(oldFound).IsTrue();
        await Assert.That(oldText).IsEqualTo("a");
        RedisStrings.Get(t.Keyspace, B("k"), out _, out ReadOnlySpan<byte> now);
        await Assert.That(S(now)).IsEqualTo("c");

        // SET GET against another type: WRONGTYPE, the key keeps its hash.
        RedisHashes.Set(t.Keyspace, B("h"), Args("f", "v"), out _);
        await Assert.That(RedisStrings.Set(t.Keyspace, B("h"), B("x"), new SetOptions { ReturnOld = true }, out _, out _, out _))
            .IsEqualTo(RedisError.WrongType);
        await Assert.That(t.Keyspace.Lookup(B("h"), out _)).IsEqualTo(RedisType.Hash);

        // plain SET replaces any type
        RedisStrings.Set(t.Keyspace, B("h"), B("x"), default, out written, out _, out _);
        await Assert.That(t.Keyspace.Lookup(B("h"), out _)).IsEqualTo(RedisType.String);
    }

    [Test]
    public async Task Incr_parses_strictly_and_refuses_overflow()
    {
        using var t = new RedisTestKeyspace();
        await Assert.That(RedisStrings.IncrBy(t.Keyspace, B("n"), 5, out long r)).IsEqualTo(RedisError.None);
        await Assert.That(r).IsEqualTo(5);
        RedisStrings.Overwrite(t.Keyspace, B("n"), B("9223372036854775806"), 0);
        await Assert.That(RedisStrings.IncrBy(t.Keyspace, B("n"), 1, out r)).IsEqualTo(RedisError.None);
        await Assert.That(RedisStrings.IncrBy(t.Keyspace, B("n"), 1, out _)).IsEqualTo(RedisError.Overflow);
        RedisStrings.Overwrite(t.Keyspace, B("n"), B(" 1"), 0);
        await Assert.That(RedisStrings.IncrBy(t.Keyspace, B("n"), 1, out _)).IsEqualTo(RedisError.NotInteger);
    }

    [Test]
    public async Task IncrByFloat_stores_redis_text()
    {
        using var t = new RedisTestKeyspace();
        RedisStrings.Overwrite(t.Keyspace, B("f"), B("10.50"), 0);
        await Assert.That(RedisStrings.IncrByFloat(t.Keyspace, B("f"), B("0.1"), out byte[] text)).IsEqualTo(RedisError.None);
        await Assert.That(S(text)).IsEqualTo("10.6");
        await Assert.That(RedisStrings.IncrByFloat(t.Keyspace, B("f"), B("abc"), out _)).IsEqualTo(RedisError.NotFloat);
        await Assert.That(RedisStrings.IncrByFloat(t.Keyspace, B("f"), B("inf"), out _)).IsEqualTo(RedisError.NaNOrInfinity);
    }

    [Test]
    public async Task Append_setrange_and_getrange_edit_bytes()
    {
        using var t = new RedisTestKeyspace();
        RedisStrings.Append(t.Keyspace, B("s"), B("Hello"), out long n);
        await Assert.That(n).IsEqualTo(5);
        RedisStrings.SetRange(t.Keyspace, B("s"), 7, B("World"), out n);
        await Assert.That(n).IsEqualTo(12);
        RedisStrings.Get(t.Keyspace, B("s"), out _, out ReadOnlySpan<byte> value);
        await Assert.That(value.ToArray()).IsEquivalentTo(B("Hello\0\0World"));
        RedisStrings.GetRange(t.Keyspace, B("s"), -5, -1, out ReadOnlySpan<byte> tail);
        await Assert.That(S(tail)).IsEqualTo("World");
        await Assert.That(RedisStrings.SetRange(t.Keyspace, B("s"), -1, B("x"), out _)).IsEqualTo(RedisError.OffsetOutOfRange);
    }

    [Test]
    public async Task A_result_longer_than_one_commit_holds_is_refused_before_it_is_built()
    {
        using var t = new RedisTestKeyspace();
        t.Keyspace.MaxValueBytes = 16;
        await Assert.That(RedisStrings.Append(t.Keyspace, B("s"), new byte[17], out _)).IsEqualTo(RedisError.ValueTooLarge);
        await Assert.That(RedisStrings.SetRange(t.Keyspace, B("s"), 536870912, B("x"), out _)).IsEqualTo(RedisError.StringTooLong);
        await Assert.That(t.Keyspace.WriteCount).IsEqualTo(0);
    }

    [Test]
    public async Task GetEx_changes_or_drops_the_expiry()
    {
        using var t = new RedisTestKeyspace();
        RedisStrings.Overwrite(t.Keyspace, B("k"), B("v"), t.NowMs + 10_000);
        RedisStrings.GetEx(t.Keyspace, B("k"), ExpiryChange.Persist, 0, out bool found, out _);
        t.Keyspace.Lookup(B("k"), out KeyMeta meta);
        await Assert.That(found).IsTrue();
        await Assert.That(meta.ExpireAtMs).IsEqualTo(0);
        RedisStrings.GetEx(t.Keyspace, B("k"), ExpiryChange.ExpireAt, t.NowMs - 1, out found, out _);
        await Assert.That(found).IsTrue();
        await Assert.That(t.Keyspace.Lookup(B("k"), out _)).IsEqualTo(RedisType.None);
    }

    [Test]
    public async Task MSetNx_writes_nothing_when_one_key_exists()
    {
        using var t = new RedisTestKeyspace();
        RedisStrings.Overwrite(t.Keyspace, B("b"), B("old"), 0);
        await Assert.That(RedisStrings.MSetIfNoneExist(t.Keyspace, Args("a", "1", "b", "2"))).IsFalse();
        await Assert.That(t.Keyspace.Lookup(B("a"), out _)).IsEqualTo(RedisType.None);
        RedisStrings.MSet(t.Keyspace, Args("a", "1", "b", "2"));
        await Assert.That(RedisStrings.TryGet(t.Keyspace, B("b"), out ReadOnlySpan<byte> b) && b.SequenceEqual(B("2"))).IsTrue();
    }

    [Test]
    [Arguments(1L, true, false, 1000L, 2000L)]
    [Arguments(1L, false, false, 1000L, 1001L)]
    [Arguments(5000L, false, true, 1000L, 5000L)]
    [Arguments(0L, false, false, 1000L, -1L)]
    [Arguments(9223372036854775807L, true, false, 1000L, -1L)]
    [Arguments(9223372036854775807L, false, false, 1000L, -1L)]
    public async Task Expire_arguments_are_checked_for_overflow(long amount, bool seconds, bool absolute, long now, long expected)
    {
        bool ok = RedisExpiry.TryDeadline(amount, seconds, absolute, now, out long at);
        await Assert.That(ok).IsEqualTo(expected >= 0);
        if (ok)
        {
            await Assert.That(at).IsEqualTo(expected);
        }
    }
}
