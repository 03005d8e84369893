using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

public class RedisBitmapsTests
{
    [Test]
    public async Task SetBit_zero_extends_and_returns_the_previous_bit_most_significant_first()
    {
        using var t = new RedisTestKeyspace();
        await Assert.That(RedisBitmaps.SetBit(t.Keyspace, B("b"), 9, B("1"), out int old)).IsEqualTo(RedisError.None);
        await Assert.That(old).IsEqualTo(0);
        RedisStrings.Get(t.Keyspace, B("b"), out _, out ReadOnlySpan<byte> value);
        byte[] bytes = value.ToArray();
        await Assert.That(bytes).IsEquivalentTo(new byte[] { 0x00, 0x40 });
        await Assert.That(RedisBitmaps.SetBit(t.Keyspace, B("b"), 9, B("0"), out old)).IsEqualTo(RedisError.None);
        await Assert.That(old).IsEqualTo(1);
        await Assert.That(RedisBitmaps.GetBit(t.Keyspace, B("b"), 9, out int bit)).IsEqualTo(RedisError.None);
        await Assert.That(bit).IsEqualTo(0);
        await Assert.That(RedisBitmaps.GetBit(t.Keyspace, B("b"), 1000, out bit)).IsEqualTo(RedisError.None);
        await Assert.That(bit).IsEqualTo(0);
    }

    [Test]
    public async Task Bad_bits_offsets_and_types_are_errors_that_write_nothing()
    {
        using var t = new RedisTestKeyspace();
        RedisHashes.Set(t.Keyspace, B("h"), Args("f", "v"), out _);
        long writes = t.Keyspace.WriteCount;
        await Assert.That(RedisBitmaps.SetBit(t.Keyspace, B("k"), 0, B("2"), out _)).IsEqualTo(RedisError.BitValue);
        await Assert.That(RedisBitmaps.SetBit(t.Keyspace, B("k"), 0, B("01"), out _)).IsEqualTo(RedisError.BitValue);
        await Assert.That(RedisBitmaps.SetBit(t.Keyspace, B("h"), 0, B("1"), out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(RedisBitmaps.ParseOffset(B("-1"), out _)).IsEqualTo(RedisError.BitOffset);
        await Assert.That(RedisBitmaps.ParseOffset(B("4294967296"), out _)).IsEqualTo(RedisError.BitOffset);
        await Assert.That(RedisBitmaps.ParseOffset(B("4294967295"), out long max)).IsEqualTo(RedisError.None);
        await Assert.That(max).IsEqualTo(4294967295L);
        await Assert.That(t.Keyspace.WriteCount).IsEqualTo(writes);
    }
}
