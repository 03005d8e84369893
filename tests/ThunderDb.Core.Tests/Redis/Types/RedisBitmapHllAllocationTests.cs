using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

/// <summary>The bitmap and HyperLogLog read paths allocate no more than GET does (nothing, once the buffers are grown).</summary>
public class RedisBitmapHllAllocationTests
{
    [Test]
    public async Task BitCount_BitPos_GetBit_and_a_cached_PfCount_allocate_what_Get_allocates()
    {
        using var t = new RedisTestKeyspace();
        byte[] bitmap = new byte[4096];
        Random.Shared.NextBytes(bitmap);
        RedisStrings.Overwrite(t.Keyspace, B("bits"), bitmap, 0);
        var elements = new string[2000];
        for (int i = 0; i < elements.Length; i++)
        {
            elements[i] = "e" + i;
        }

        RedisHyperLogLog.Add(t.Keyspace, B("hll"), Args(elements), RedisHyperLogLog.DefaultSparseMaxBytes, out _);
        RedisHyperLogLog.Count(t.Keyspace, B("hll"), out _); // stores the count: later PFCOUNTs read it
        t.Commit();
        byte[] key = B("bits"), hllKey = B("hll"), one = B("1");
        byte[] rangeBuffer = B("10-1BIT");
        ArgSlice[] range = [new(0, 2), new(2, 2), new(4, 3)];

        long Measure(Action work)
        {
            work(); // warm: buffers grown, code jitted
            long fewest = long.MaxValue;
            for (int round = 0; round < 5 && fewest > 0; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                work();
                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            return fewest;
        }

        long get = Measure(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                RedisStrings.Get(t.Keyspace, key, out _, out _);
            }
        });
        long reads = Measure(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                RedisBitmaps.Count(t.Keyspace, key, default, out _);
                RedisBitmaps.Count(t.Keyspace, key, new RedisArgs(rangeBuffer, range), out _);
                RedisBitmaps.Position(t.Keyspace, key, one, new RedisArgs(rangeBuffer, range), out _);
                RedisBitmaps.GetBit(t.Keyspace, key, i * 7, out _);
                RedisHyperLogLog.Count(t.Keyspace, hllKey, out _);
            }
        });

        await Assert.That(get).IsEqualTo(0L);
        await Assert.That(reads).IsEqualTo(0L);
    }
}
