using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Core.Tests.Storage;

public class CorruptionTests
{
    private static BTreeStore Fill(TempDataDir dir, int count, string prefix)
    {
        var store = BTreeStore.Open(dir.Options());
        for (var i = 0; i < count; i++)
        {
            store.Put(System.Text.Encoding.ASCII.GetBytes($"{prefix}{i:D6}"), new byte[40]);
        }

        return store;
    }

    [Test]
    public async Task A_flipped_byte_in_a_reachable_page_is_a_checksum_error_naming_file_and_page()
    {
        using var dir = new TempDataDir();
        ulong root;
        using (var store = Fill(dir, 2000, "key"))
        {
            store.Checkpoint(0, 0);
            root = store.Pager.Root;
        }

        await using (var file = new FileStream(dir.DataFile, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = ((long)root * 4096) + 2000;
            var b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x01));
        }

        using var reopened = BTreeStore.Open(dir.Options());
        var error = await Assert.That(() => StoreAssert.Get(reopened, "key000001"u8.ToArray())).Throws<PageCorruptedException>();
        await Assert.That(error!.PageId).IsEqualTo(root);
        await Assert.That(error.Message).Contains(dir.DataFile);
        await Assert.That(error.Message).Contains($"page {root}");
        await Assert.That(error.Message).Contains("checksum");

        // Scans fail the same way rather than returning partial data.
        using var cursor = reopened.OpenCursor();
        await Assert.That(() => cursor.SeekFirst()).Throws<PageCorruptedException>();
    }

    [Test]
    public async Task A_torn_newest_meta_page_falls_back_to_the_previous_checkpoint()
    {
        using var dir = new TempDataDir();
        using (var store = Fill(dir, 300, "a"))
        {
            store.Checkpoint(10, 100); // checkpoint 1 -> meta page 1
            store.Put("b"u8, "later"u8);
            store.Checkpoint(20, 200); // checkpoint 2 -> meta page 0
        }

        await using (var file = new FileStream(dir.DataFile, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 100;
            file.WriteByte(0xAB); // damage meta page 0
        }

        using var reopened = BTreeStore.Open(dir.Options());
        await Assert.That(reopened.CheckpointWalLsn).IsEqualTo(10ul);
        await Assert.That(reopened.CheckpointMaxCommitTs).IsEqualTo(100ul);
        await Assert.That(StoreAssert.Get(reopened, "b"u8.ToArray())).IsNull();
        await Assert.That(StoreAssert.Get(reopened, "a000299"u8.ToArray())).IsNotNull();
    }
}
