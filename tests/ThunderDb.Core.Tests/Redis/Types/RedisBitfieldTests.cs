using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

/// <summary>BITFIELD / BITFIELD_RO: types, #offsets, the three overflow policies (expected values as Redis 7.0 replies).</summary>
public class RedisBitfieldTests
{
    private static List<long?> Run(RedisTestKeyspace t, string key, params string[] subcommands)
    {
        var results = new List<long?>();
        RedisError error = RedisBitfield.Run(t.Keyspace, B(key), Args(subcommands), readOnlyCommand: false, results);
        return error == RedisError.None ? results : [-1000 - (int)error];
    }

    [Test]
    public async Task Overflow_policies_wrap_saturate_or_fail()
    {
        using var t = new RedisTestKeyspace();
        await Assert.That(Run(t, "k", "SET", "i8", "0", "100", "GET", "i8", "0")).IsEquivalentTo(new long?[] { 0, 100 });
        await Assert.That(Run(t, "k", "INCRBY", "i8", "0", "100")).IsEquivalentTo(new long?[] { -56 });
        await Assert.That(Run(t, "k", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "-300")).IsEquivalentTo(new long?[] { -128 });
        await Assert.That(Run(t, "k", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "-1", "GET", "i8", "0")).IsEquivalentTo(new long?[] { null, -128 });
        await Assert.That(Run(t, "u", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1")).IsEquivalentTo(new long?[] { 1, 1 });
        Run(t, "u", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1");
        Run(t, "u", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1");
        await Assert.That(Run(t, "u", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1")).IsEquivalentTo(new long?[] { 0, 3 });
        await Assert.That(Run(t, "u", "SET", "u8", "0", "-1", "GET", "u8", "0")).IsEquivalentTo(new long?[] { 0, 255 });
    }

    [Test]
    public async Task Sixty_four_bit_fields_and_hash_offsets()
    {
        using var t = new RedisTestKeyspace();
        await Assert.That(Run(t, "k", "SET", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1"))
            .IsEquivalentTo(new long?[] { 0, long.MinValue });
        await Assert.That(Run(t, "k", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1")).IsEquivalentTo(new long?[] { long.MinValue });
        await Assert.That(Run(t, "k", "SET", "i64", "0", "-1", "GET", "u63", "0", "GET", "u63", "1"))
            .IsEquivalentTo(new long?[] { long.MinValue, long.MaxValue, long.MaxValue });
        await Assert.That(Run(t, "k", "SET", "u63", "0", "9223372036854775807", "INCRBY", "u63", "0", "1")).IsEquivalentTo(new long?[] { long.MaxValue, 0 });
        await Assert.That(Run(t, "h", "SET", "u8", "#1", "255", "GET", "u8", "8", "GET", "u4", "#3")).IsEquivalentTo(new long?[] { 0, 255, 15 });
        RedisStrings.Get(t.Keyspace, B("h"), out _, out ReadOnlySpan<byte> value);
        await Assert.That(value.ToArray()).IsEquivalentTo(new byte[] { 0x00, 0xff });
    }

    [Test]
    public async Task Everything_is_parsed_before_the_key_is_touched()
    {
        using var t = new RedisTestKeyspace();
        RedisHashes.Set(t.Keyspace, B("hash"), Args("f", "v"), out _);
        long writes = t.Keyspace.WriteCount;
        await Assert.That(Run(t, "k", "SET", "u8", "0", "1", "GET", "u64", "0")).IsEquivalentTo(new long?[] { -1000 - (int)RedisError.BitfieldType });
        await Assert.That(Run(t, "k", "SET", "u8", "0", "1", "GET", "i8", "-1")).IsEquivalentTo(new long?[] { -1000 - (int)RedisError.BitOffset });
        await Assert.That(Run(t, "k", "OVERFLOW", "NONE")).IsEquivalentTo(new long?[] { -1000 - (int)RedisError.BitfieldOverflowType });
        await Assert.That(Run(t, "k", "GET", "i8")).IsEquivalentTo(new long?[] { -1000 - (int)RedisError.Syntax });
        await Assert.That(Run(t, "hash", "GET", "i8", "0")).IsEquivalentTo(new long?[] { -1000 - (int)RedisError.WrongType });
        await Assert.That(t.Keyspace.WriteCount).IsEqualTo(writes);
        var results = new List<long?>();
        await Assert.That(RedisBitfield.Run(t.Keyspace, B("k"), Args("SET", "i8", "0", "1"), readOnlyCommand: true, results))
            .IsEqualTo(RedisError.BitfieldReadOnly);
        await Assert.That(RedisBitfield.Run(t.Keyspace, B("k"), Args("GET", "i8", "0"), readOnlyCommand: true, results)).IsEqualTo(RedisError.None);
        await Assert.That(results).IsEquivalentTo(new long?[] { 0 });
    }

    [Test]
    public async Task A_refused_write_still_creates_the_zeroed_string()
    {
        using var t = new RedisTestKeyspace();
        await Assert.That(Run(t, "k", "OVERFLOW", "FAIL", "SET", "i8", "16", "200")).IsEquivalentTo(new long?[] { null });
        RedisStrings.Get(t.Keyspace, B("k"), out bool found, out ReadOnlySpan<byte> value);
        byte[] bytes = value.ToArray();
        await Assert.That(found).IsTrue();
        await Assert.That(bytes).IsEquivalentTo(new byte[] { 0, 0, 0 });
    }
}
