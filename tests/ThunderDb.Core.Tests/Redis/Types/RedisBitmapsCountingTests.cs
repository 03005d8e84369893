using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

/// <summary>BITCOUNT, BITPOS and BITOP over string values (expected values as Redis 7.0 answers them).</summary>
public class RedisBitmapsCountingTests
{
    private static void Put(RedisTestKeyspace t, string key, byte[] value) => RedisStrings.Overwrite(t.Keyspace, B(key), value, 0);

    private static long Count(RedisTestKeyspace t, string key, params string[] range)
    {
        RedisError error = RedisBitmaps.Count(t.Keyspace, B(key), Args(range), out long count);
        return error == RedisError.None ? count : -1000 - (int)error;
    }

    private static long Pos(RedisTestKeyspace t, string key, string bit, params string[] range)
    {
        RedisError error = RedisBitmaps.Position(t.Keyspace, B(key), B(bit), Args(range), out long position);
        return error == RedisError.None ? position : -1000 - (int)error;
    }

    private static long Err(RedisError error) => -1000 - (int)error;

    [Test]
    public async Task BitCount_counts_byte_and_bit_ranges_as_redis()
    {
        using var t = new RedisTestKeyspace();
        Put(t, "k", B("foobar"));
        await Assert.That(Count(t, "k")).IsEqualTo(26L);
        await Assert.That(Count(t, "k", "0", "0")).IsEqualTo(4L);
        await Assert.That(Count(t, "k", "1", "1")).IsEqualTo(6L);
        await Assert.That(Count(t, "k", "1", "1", "BYTE")).IsEqualTo(6L);
        await Assert.That(Count(t, "k", "5", "30", "BIT")).IsEqualTo(17L);
        await Assert.That(Count(t, "k", "-1", "-2")).IsEqualTo(0L);
        await Assert.That(Count(t, "k", "0", "1000")).IsEqualTo(26L);
        await Assert.That(Count(t, "k", "0")).IsEqualTo(Err(RedisError.Syntax));
        await Assert.That(Count(t, "k", "0", "1", "bits")).IsEqualTo(Err(RedisError.Syntax));
        await Assert.That(Count(t, "k", "a", "1")).IsEqualTo(Err(RedisError.NotInteger));
        await Assert.That(Count(t, "missing", "a", "b")).IsEqualTo(0L); // the key is looked up first
    }

    [Test]
    public async Task BitPos_finds_bits_with_redis_padding_rules()
    {
        using var t = new RedisTestKeyspace();
        Put(t, "ones", [0xff, 0xff, 0xff]);
        Put(t, "m", [0x00, 0xff, 0xf0]);
        Put(t, "empty", []);
        await Assert.That(Pos(t, "ones", "0")).IsEqualTo(24L); // zero padding to the right
        await Assert.That(Pos(t, "ones", "0", "0")).IsEqualTo(24L);
        await Assert.That(Pos(t, "ones", "0", "0", "-1")).IsEqualTo(-1L); // an explicit end: no padding
        await Assert.That(Pos(t, "ones", "1", "7", "15", "BIT")).IsEqualTo(7L);
        await Assert.That(Pos(t, "empty", "0")).IsEqualTo(-1L);
        await Assert.That(Pos(t, "missing", "0")).IsEqualTo(0L);
        await Assert.That(Pos(t, "missing", "1")).IsEqualTo(-1L);
        await Assert.That(Pos(t, "m", "1")).IsEqualTo(8L);
        await Assert.That(Pos(t, "m", "1", "2")).IsEqualTo(16L);
        await Assert.That(Pos(t, "m", "0", "8", "-1", "BIT")).IsEqualTo(20L);
        await Assert.That(Pos(t, "m", "0", "8", "19", "BIT")).IsEqualTo(-1L);
        await Assert.That(Pos(t, "m", "1", "9", "15", "BIT")).IsEqualTo(9L);
        await Assert.That(Pos(t, "m", "2")).IsEqualTo(Err(RedisError.BitArgument));
        await Assert.That(Pos(t, "m", "1", "0", "b")).IsEqualTo(Err(RedisError.NotInteger));
        await Assert.That(Pos(t, "m", "1", "0", "-1", "bogus")).IsEqualTo(Err(RedisError.Syntax));
    }

    [Test]
    public async Task BitOp_pads_with_zeros_and_deletes_the_target_when_every_source_is_empty()
    {
        using var t = new RedisTestKeyspace();
        Put(t, "a", [0xff, 0x0f]);
        Put(t, "b", [0x0f]);
        async Task Check(string op, byte[] expected, params string[] sources)
        {
            long length = Run(t, op, sources);
            await Assert.That(length).IsEqualTo((long)expected.Length);
            RedisStrings.Get(t.Keyspace, B("d"), out _, out ReadOnlySpan<byte> value);
            await Assert.That(value.ToArray()).IsEquivalentTo(expected);
        }

        await Check("AND", [0x0f, 0x00], "a", "b");
        await Check("or", [0xff, 0x0f], "a", "b");
        await Check("XOR", [0xf0, 0x0f], "a", "b");
        await Check("NOT", [0x00, 0xf0], "a");
        await Check("AND", [0x00, 0x00], "a", "missing");
        await Assert.That(Run(t, "OR", "missing", "missing2")).IsEqualTo(0L);
        await Assert.That(t.Keyspace.Lookup(B("d"), out _)).IsEqualTo(RedisType.None);
        await Assert.That(Run(t, "NOT", "a", "b")).IsEqualTo(Err(RedisError.BitOpNotArity));
        await Assert.That(Run(t, "NAND", "a")).IsEqualTo(Err(RedisError.Syntax));
        byte[] longA = new byte[45], longB = new byte[40];
        Random.Shared.NextBytes(longA);
        Random.Shared.NextBytes(longB);
        Put(t, "la", longA);
        Put(t, "lb", longB);
        byte[] xor = [.. longA];
        for (int i = 0; i < longB.Length; i++)
        {
            xor[i] ^= longB[i];
        }

        await Check("XOR", xor, "la", "lb");
    }

    private static long Run(RedisTestKeyspace t, string op, params string[] sources)
    {
        RedisError error = RedisBitmaps.Operate(t.Keyspace, B(op), B("d"), Args(sources), out long length);
        return error == RedisError.None ? length : Err(error);
    }
}
