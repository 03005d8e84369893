using System.Buffers;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Core.Tests.Storage;

/// <summary>The hot read paths allocate nothing once the pages are cached (STYLE: budgets are asserted).</summary>
public class AllocationTests
{
    [Test]
    public async Task Cached_point_lookups_and_cursor_steps_allocate_nothing()
    {
        using var dir = new TempDataDir();
        using var store = BTreeStore.Open(dir.Options());
        var keys = new byte[2000][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = BitConverter.GetBytes(i * 7919);
            store.Put(keys[i], new byte[48]);
        }

        var value = new ArrayBufferWriter<byte>(256);
        using var cursor = store.OpenCursor();

        void Work()
        {
            for (var i = 0; i < keys.Length; i++)
            {
                value.ResetWrittenCount();
                store.TryGet(keys[i], value);
            }

            for (var ok = cursor.SeekFirst(); ok; ok = cursor.Next())
            {
            }

            for (var ok = cursor.SeekLast(); ok; ok = cursor.Prev())
            {
            }
        }

        Work(); // warm: pages cached, cursor buffers grown
        // The fewest bytes over a few rounds: a one-time runtime effect (tiered re-JIT, type loading) can land on this
        // thread during one round under a busy suite; an allocation of the read path itself shows in every round.
        var allocated = long.MaxValue;
        for (var round = 0; round < 5 && allocated > 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Work();
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        await Assert.That(allocated).IsEqualTo(0L);
    }
}
