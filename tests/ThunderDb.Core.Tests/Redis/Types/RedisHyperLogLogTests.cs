using System.Text;
using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

/// <summary>PFADD/PFCOUNT/PFMERGE against values and counts taken from redis-server 7.0.15 for the same input.</summary>
public class RedisHyperLogLogTests
{
    /// <summary>GET of <c>PFADD h a b c d e f g</c> on Redis 7.0.15 (sparse, cached count invalidated).</summary>
    private static readonly byte[] RedisSevenLetters =
    [
        .. "HYLL"u8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, (byte)'F', (byte)'m', 0x80, (byte)'V', 0x0c, 0x80, (byte)'D', (byte)'<',
        0x84, (byte)'8', 0x80, (byte)'P', 0xb1, 0x84, (byte)'I', 0x8c, 0x80, (byte)'B', (byte)'m', 0x80, (byte)'B', (byte)'Z',
    ];

    private static RedisArgs Elements(int from, int count)
    {
        var values = new string[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = "element:" + (from + i);
        }

        return Args(values);
    }

    private static byte[] Get(RedisTestKeyspace t, string key)
    {
        RedisStrings.Get(t.Keyspace, B(key), out _, out ReadOnlySpan<byte> value);
        return value.ToArray();
    }

    [Test]
    public async Task Seven_elements_give_redis_sparse_bytes_and_count()
    {
        using var t = new RedisTestKeyspace();
        RedisError error = RedisHyperLogLog.Add(t.Keyspace, B("h"), Args("a", "b", "c", "d", "e", "f", "g"), 3000, out bool changed);
        await Assert.That(error).IsEqualTo(RedisError.None);
        await Assert.That(changed).IsTrue();
        await Assert.That(Get(t, "h")).IsEquivalentTo(RedisSevenLetters);
        await Assert.That(RedisHyperLogLog.Count(t.Keyspace, B("h"), out long count)).IsEqualTo(RedisError.None);
        await Assert.That(count).IsEqualTo(7L);
        byte[] cached = Get(t, "h");
        await Assert.That(cached[8]).IsEqualTo((byte)7);
        await Assert.That(cached[15]).IsEqualTo((byte)0); // the cache is valid now
        long writes = t.Keyspace.WriteCount;
        RedisHyperLogLog.Count(t.Keyspace, B("h"), out count);
        await Assert.That(t.Keyspace.WriteCount).IsEqualTo(writes); // a fresh cache is read, not rewritten
        RedisHyperLogLog.Add(t.Keyspace, B("h"), Args("a"), 3000, out changed);
        await Assert.That(changed).IsFalse();
    }

    [Test]
    public async Task Thousand_and_hundred_thousand_elements_count_as_redis_does()
    {
        using var t = new RedisTestKeyspace();
        RedisHyperLogLog.Add(t.Keyspace, B("k1000"), Elements(0, 1000), 3000, out _);
        await Assert.That(Get(t, "k1000").Length).IsEqualTo(1897); // still sparse, as in Redis
        RedisHyperLogLog.Count(t.Keyspace, B("k1000"), out long count);
        await Assert.That(count).IsEqualTo(997L);
        for (int from = 0; from < 100_000; from += 5000)
        {
            RedisHyperLogLog.Add(t.Keyspace, B("k100k"), Elements(from, 5000), 3000, out _);
        }

        await Assert.That(Get(t, "k100k").Length).IsEqualTo(HyperLogLogFormat.DenseSize);
        RedisHyperLogLog.Count(t.Keyspace, B("k100k"), out count);
        await Assert.That(count).IsEqualTo(100_039L);
        RedisHyperLogLog.Add(t.Keyspace, B("h"), Args("a", "b", "c", "d", "e", "f", "g"), 3000, out _);
        await Assert.That(RedisHyperLogLog.CountUnion(t.Keyspace, Args("k1000", "k100k", "h"), out long union)).IsEqualTo(RedisError.None);
        await Assert.That(union).IsEqualTo(100_052L);
    }

    [Test]
    public async Task Merge_unions_and_turns_dense_when_an_input_is_dense()
    {
        using var t = new RedisTestKeyspace();
        RedisHyperLogLog.Add(t.Keyspace, B("a"), Elements(0, 600), 3000, out _);
        RedisHyperLogLog.Add(t.Keyspace, B("b"), Elements(400, 600), 3000, out _);
        await Assert.That(RedisHyperLogLog.Merge(t.Keyspace, Args("ab", "a", "b"), 3000)).IsEqualTo(RedisError.None);
        RedisHyperLogLog.CountUnion(t.Keyspace, Args("a", "b"), out long union);
        RedisHyperLogLog.Count(t.Keyspace, B("ab"), out long merged);
        await Assert.That(merged).IsEqualTo(union);
        await Assert.That(Get(t, "ab")[4]).IsEqualTo(HyperLogLogFormat.Sparse);

        RedisHyperLogLog.Add(t.Keyspace, B("d"), Args("x", "y"), sparseMaxBytes: 0, out _); // any growth promotes
        await Assert.That(Get(t, "d").Length).IsEqualTo(HyperLogLogFormat.DenseSize);
        await Assert.That(RedisHyperLogLog.Merge(t.Keyspace, Args("ab", "d"), 3000)).IsEqualTo(RedisError.None);
        await Assert.That(Get(t, "ab").Length).IsEqualTo(HyperLogLogFormat.DenseSize);
        RedisHyperLogLog.Count(t.Keyspace, B("ab"), out long withDense);
        await Assert.That(withDense).IsGreaterThanOrEqualTo(merged);
    }

    [Test]
    public async Task Non_hll_strings_other_types_and_corrupt_sparse_values_are_errors()
    {
        using var t = new RedisTestKeyspace();
        RedisStrings.Overwrite(t.Keyspace, B("s"), B("foo"), 0);
        RedisHashes.Set(t.Keyspace, B("hash"), Args("f", "v"), out _);
        // A sparse HLL whose one XZERO covers 16383 registers instead of 16384.
        byte[] corrupt = [.. "HYLL"u8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x7F, 0xFE];
        RedisStrings.Overwrite(t.Keyspace, B("bad"), corrupt, 0);
        byte[] shortDense = [.. "HYLL"u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        RedisStrings.Overwrite(t.Keyspace, B("dense"), shortDense, 0);
        await Assert.That(RedisHyperLogLog.Add(t.Keyspace, B("s"), Args("a"), 3000, out _)).IsEqualTo(RedisError.HllWrongType);
        await Assert.That(RedisHyperLogLog.Count(t.Keyspace, B("dense"), out _)).IsEqualTo(RedisError.HllWrongType);
        await Assert.That(RedisHyperLogLog.Count(t.Keyspace, B("hash"), out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(RedisHyperLogLog.Count(t.Keyspace, B("bad"), out _)).IsEqualTo(RedisError.HllCorrupt);
        await Assert.That(RedisHyperLogLog.CountUnion(t.Keyspace, Args("nokey", "bad"), out _)).IsEqualTo(RedisError.HllCorrupt);
        await Assert.That(RedisHyperLogLog.Merge(t.Keyspace, Args("dest", "s"), 3000)).IsEqualTo(RedisError.HllWrongType);
        await Assert.That(Encoding.ASCII.GetString(Get(t, "s"))).IsEqualTo("foo");
        await Assert.That(RedisErrors.Text(RedisError.HllCorrupt)).IsEqualTo("INVALIDOBJ Corrupted HLL object detected");
    }

    [Test]
    public async Task PfDebug_decodes_converts_and_reads_registers_as_redis()
    {
        using var t = new RedisTestKeyspace();
        RedisHyperLogLog.Add(t.Keyspace, B("h"), Args("a", "b", "c", "d", "e", "f", "g"), 3000, out _);
        byte[] registers = new byte[HyperLogLogFormat.Registers];
        await Assert.That(RedisHyperLogLog.Debug(t.Keyspace, RedisHyperLogLog.DebugCommand.Decode, B("h"), registers, out _, out bool dense, out string decoded))
            .IsEqualTo(RedisError.None);
        await Assert.That(dense).IsFalse();
        await Assert.That(decoded).IsEqualTo("Z:1646 v:1,1 Z:5645 v:1,1 Z:1085 v:2,1 z:57 v:1,1 Z:4274 v:2,1 Z:2445 v:1,1 Z:622 v:1,1 Z:603"); // Redis 7.0.15
        RedisHyperLogLog.Debug(t.Keyspace, RedisHyperLogLog.DebugCommand.GetRegisters, B("h"), registers, out _, out _, out _);
        await Assert.That(registers[1646]).IsEqualTo((byte)1);
        await Assert.That(registers[1646 + 1 + 5645 + 1 + 1085]).IsEqualTo((byte)2);
        await Assert.That(registers.Sum(r => r)).IsEqualTo(9);
        await Assert.That(Get(t, "h").Length).IsEqualTo(HyperLogLogFormat.DenseSize); // GETREG turned it dense, as Redis does
        RedisHyperLogLog.Count(t.Keyspace, B("h"), out long count);
        await Assert.That(count).IsEqualTo(7L);
        await Assert.That(RedisHyperLogLog.Debug(t.Keyspace, RedisHyperLogLog.DebugCommand.ToDense, B("h"), registers, out long converted, out _, out _))
            .IsEqualTo(RedisError.None);
        await Assert.That(converted).IsEqualTo(0L);
        await Assert.That(RedisHyperLogLog.Debug(t.Keyspace, RedisHyperLogLog.DebugCommand.Decode, B("h"), registers, out _, out _, out _))
            .IsEqualTo(RedisError.HllNotSparse);
        await Assert.That(RedisHyperLogLog.Debug(t.Keyspace, RedisHyperLogLog.DebugCommand.Encoding, B("nokey"), registers, out _, out _, out _))
            .IsEqualTo(RedisError.HllDebugNoKey);
    }

    [Test]
    public async Task SelfTest_passes()
    {
        await Assert.That(RedisHyperLogLog.SelfTest(RedisHyperLogLog.DefaultSparseMaxBytes, () => false)).IsNull();
    }
}
