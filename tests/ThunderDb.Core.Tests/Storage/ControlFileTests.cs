using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Core.Tests.Storage;

public class ControlFileTests
{
    [Test]
    public async Task Opening_with_another_page_size_fails_naming_both_and_changes_nothing()
    {
        using var dir = new TempDataDir();
        using (var store = BTreeStore.Open(dir.Options(pageSize: 8192)))
        {
            store.Put("k"u8, "v"u8);
            store.Checkpoint(0, 0);
        }

        var control = Path.Combine(dir.Path, ControlFile.FileName);
        var controlBefore = await File.ReadAllBytesAsync(control);
        var dataBefore = await File.ReadAllBytesAsync(dir.DataFile);

        var error = await Assert.That(() => BTreeStore.Open(dir.Options(pageSize: 16384))).Throws<StorageFormatException>();
        await Assert.That(error!.Message).Contains("page_size = 8192");
        await Assert.That(error.Message).Contains("16384");

        await Assert.That((await File.ReadAllBytesAsync(control)).SequenceEqual(controlBefore)).IsTrue();
        await Assert.That((await File.ReadAllBytesAsync(dir.DataFile)).SequenceEqual(dataBefore)).IsTrue();

        using var again = BTreeStore.Open(dir.Options(pageSize: 8192));
        await Assert.That(StoreAssert.Get(again, "k"u8.ToArray())).IsNotNull();
    }

    [Test]
    public async Task A_damaged_control_file_is_refused()
    {
        using var dir = new TempDataDir();
        BTreeStore.Open(dir.Options()).Dispose();
        var control = Path.Combine(dir.Path, ControlFile.FileName);
        var bytes = await File.ReadAllBytesAsync(control);
        bytes[13] ^= 0x40; // page size field
        await File.WriteAllBytesAsync(control, bytes);
        var error = await Assert.That(() => BTreeStore.Open(dir.Options())).Throws<StorageFormatException>();
        await Assert.That(error!.Message).Contains("checksum");
    }

    [Test]
    public async Task Unsupported_page_sizes_are_refused()
    {
        using var dir = new TempDataDir();
        await Assert.That(() => BTreeStore.Open(dir.Options(pageSize: 5000))).Throws<StorageFormatException>();
        await Assert.That(File.Exists(Path.Combine(dir.Path, ControlFile.FileName))).IsFalse();
    }
}
