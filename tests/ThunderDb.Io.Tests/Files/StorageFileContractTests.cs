using ThunderDb.Io.Buffers;
using ThunderDb.Io.Files;

namespace ThunderDb.Io.Tests.Files;

/// <summary>The one suite both backends must pass. io_uring runs only where the kernel allows it (checked in <see cref="IoBackendProbeTests"/>).</summary>
[Arguments(IoBackendKind.Posix)]
[Arguments(IoBackendKind.IoUring)]
public sealed class StorageFileContractTests(IoBackendKind backend) : IDisposable
{
    private readonly TempDirectory _dir = new TempDirectory();

    public void Dispose() => _dir.Dispose();

    private StorageFile Open(string name, bool directIo = false, bool readOnly = false) =>
        StorageFile.Open(_dir.Combine(name), new FileOpenOptions { Backend = backend, DirectIo = directIo, ReadOnly = readOnly });

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Test]
    public async Task Opens_the_requested_backend()
    {
        using var file = Open("a.db");
        await Assert.That(file.BackendName).IsEqualTo(backend == IoBackendKind.IoUring ? "io_uring" : "posix");
    }

    [Test]
    [Arguments(0L, 1)]
    [Arguments(4095L, 2)]
    [Arguments(4096L, 4096)]
    [Arguments(12345L, 70000)]
    [Arguments(1L << 20, 16384)]
    [Arguments(3L << 30, 8192)] // beyond 2^31 and 2^32: offsets are 64-bit all the way down
    public async Task Write_then_read_returns_the_same_bytes(long offset, int length)
    {
        var data = Pattern(length, (int)(offset % 1000) + length);
        using (var file = Open("a.db"))
        {
            file.Write(offset, data);
            await Assert.That(file.Length).IsEqualTo(offset + length);

            var back = new byte[length];
            await Assert.That(file.Read(offset, back)).IsEqualTo(length);
            await Assert.That(back.AsSpan().SequenceEqual(data)).IsTrue();
        }

        using var reopened = Open("a.db");
        var again = new byte[length];
        await Assert.That(await reopened.ReadAsync(offset, again)).IsEqualTo(length);
        await Assert.That(again.AsSpan().SequenceEqual(data)).IsTrue();
    }

    [Test]
    public async Task Async_write_then_async_read_round_trips()
    {
        using var file = Open("a.db");
        var data = Pattern(50_000, 7);
        await file.WriteAsync(777, data);
        var back = new byte[data.Length];
        await Assert.That(await file.ReadAsync(777, back)).IsEqualTo(data.Length);
        await Assert.That(back.AsSpan().SequenceEqual(data)).IsTrue();
    }

    [Test]
    public async Task Read_past_end_of_file_is_short()
    {
        using var file = Open("a.db");
        file.Write(0, Pattern(10_000, 1));
        var buffer = new byte[8192];
        await Assert.That(file.Read(8192, buffer)).IsEqualTo(10_000 - 8192);
        await Assert.That(await file.ReadAsync(8192, buffer)).IsEqualTo(10_000 - 8192);
        await Assert.That(file.Read(20_000, buffer)).IsEqualTo(0);
        await Assert.That(await file.ReadAsync(20_000, buffer)).IsEqualTo(0);
    }

    [Test]
    public async Task Flush_makes_data_durable_and_succeeds_sync_and_async()
    {
        var data = Pattern(4096, 3);
        using (var file = Open("a.db"))
        {
            file.Write(0, data);
            file.Flush();
            await file.WriteAsync(4096, data);
            await file.FlushAsync();
        }

        var onDisk = await File.ReadAllBytesAsync(_dir.Combine("a.db"));
        await Assert.That(onDisk.Length).IsEqualTo(8192);
        await Assert.That(onDisk.AsSpan(4096).SequenceEqual(data)).IsTrue();
    }

    [Test]
    public async Task SetLength_grows_with_zeros_and_shrinks()
    {
        using var file = Open("a.db");
        file.Write(0, Pattern(100, 4));
        file.SetLength(1 << 20);
        await Assert.That(file.Length).IsEqualTo(1L << 20);
        var tail = new byte[4096];
        tail[0] = 1;
        await Assert.That(file.Read((1 << 20) - 4096, tail)).IsEqualTo(4096);
        await Assert.That(tail.All(b => b == 0)).IsTrue();

        file.SetLength(10);
        await Assert.That(file.Length).IsEqualTo(10L);
    }

    [Test]
    public async Task Preallocate_reserves_blocks_grows_the_length_and_reads_as_zeros()
    {
        using var file = Open("a.db");
        var before = FileStat.AllocatedBytes(file.Path);
        file.Preallocate(0, 1 << 20);
        await Assert.That(file.Length).IsEqualTo(1L << 20);
        await Assert.That(FileStat.AllocatedBytes(file.Path) - before).IsGreaterThanOrEqualTo(1L << 20);
        var tail = new byte[4096];
        tail[0] = 1;
        await Assert.That(file.Read((1 << 20) - 4096, tail)).IsEqualTo(4096);
        await Assert.That(tail.All(b => b == 0)).IsTrue();
    }

    [Test]
    public async Task Preallocate_inside_a_sparse_file_fills_the_hole_and_keeps_data_and_length()
    {
        using var file = Open("a.db");
        var data = Pattern(8192, 11);
        file.Write(0, data);
        file.SetLength(4 << 20); // a 4 MiB file with a hole after the first 8 KiB
        var sparse = FileStat.AllocatedBytes(file.Path);
        file.Preallocate(8192, 1 << 20);
        await Assert.That(file.Length).IsEqualTo(4L << 20);
        await Assert.That(FileStat.AllocatedBytes(file.Path) - sparse).IsGreaterThanOrEqualTo(1L << 20);
        var back = new byte[data.Length];
        await Assert.That(file.Read(0, back)).IsEqualTo(data.Length);
        await Assert.That(back.AsSpan().SequenceEqual(data)).IsTrue();
        var filled = new byte[4096];
        filled[0] = 1;
        await Assert.That(file.Read(8192, filled)).IsEqualTo(4096);
        await Assert.That(filled.All(b => b == 0)).IsTrue();
    }

    [Test]
    public async Task Preallocate_rejects_a_negative_offset_or_an_empty_range()
    {
        using var file = Open("a.db");
        await Assert.That(() => file.Preallocate(-1, 4096)).Throws<ArgumentOutOfRangeException>();
        await Assert.That(() => file.Preallocate(0, 0)).Throws<ArgumentOutOfRangeException>();
        await Assert.That(file.Length).IsEqualTo(0L);
    }

    [Test]
    public async Task Preallocate_after_dispose_is_an_IoException_naming_the_file()
    {
        var file = Open("a.db");
        file.Dispose();
        var e = await Assert.That(() => file.Preallocate(0, 4096)).Throws<IoException>();
        await Assert.That(e!.Path).IsEqualTo(file.Path);
    }

    [Test]
    public async Task Preallocate_on_a_read_only_file_names_fallocate_and_EBADF()
    {
        using (var create = Open("a.db"))
        {
            create.Write(0, Pattern(10, 1));
        }

        using var file = Open("a.db", readOnly: true);
        var e = await Assert.That(() => file.Preallocate(0, 4096)).Throws<IoException>();
        await Assert.That(e!.Operation).IsEqualTo("fallocate");
        await Assert.That(e.Errno).IsEqualTo(9); // EBADF
        await Assert.That(e.Length).IsEqualTo(4096L);
    }

    [Test]
    public async Task Many_async_operations_in_flight_complete_correctly()
    {
        const int count = 200; // more than the shared ring's completion entries (256) is not needed; 200 > queue depth 32
        const int size = 4096;
        using var file = Open("a.db");
        var writes = new Task[count];
        var blocks = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            blocks[i] = Pattern(size, i);
            writes[i] = file.WriteAsync((long)i * size, blocks[i]).AsTask();
        }

        await Task.WhenAll(writes);
        await file.FlushAsync();

        var reads = new Task<int>[count];
        var back = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            back[i] = new byte[size];
            reads[i] = file.ReadAsync((long)i * size, back[i]).AsTask();
        }

        var lengths = await Task.WhenAll(reads);
        await Assert.That(lengths.All(n => n == size)).IsTrue();
        for (var i = 0; i < count; i++)
        {
            await Assert.That(back[i].AsSpan().SequenceEqual(blocks[i])).IsTrue();
        }
    }

    [Test]
    public async Task Concurrent_sync_callers_on_several_threads_agree()
    {
        using var file = Open("a.db");
        file.SetLength(64 * 4096);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            var buffer = new byte[4096];
            for (var i = 0; i < 50; i++)
            {
                var block = (t * 8) + (i % 8);
                var data = Pattern(4096, (t * 1000) + i);
                file.Write(block * 4096L, data);
                if (file.Read(block * 4096L, buffer) != 4096 || !buffer.AsSpan().SequenceEqual(data))
                {
                    throw new InvalidOperationException($"thread {t} read back different bytes at block {block}");
                }
            }
        })));
        await Assert.That(file.Length).IsEqualTo(64L * 4096);
    }

    [Test]
    public async Task Write_to_a_read_only_file_names_path_offset_length_and_errno()
    {
        using (var create = Open("ro.db"))
        {
            create.Write(0, Pattern(10, 5));
        }

        using var file = Open("ro.db", readOnly: true);
        var sync = await Assert.That(() => file.Write(8192, new byte[300])).Throws<IoException>();
        await Assert.That(sync!.Errno).IsEqualTo(9); // EBADF
        await Assert.That(sync.Path).IsEqualTo(_dir.Combine("ro.db"));
        await Assert.That(sync.Offset).IsEqualTo(8192L);
        await Assert.That(sync.Length).IsEqualTo(300L);
        await Assert.That(sync.Message).Contains(_dir.Combine("ro.db"));
        await Assert.That(sync.Message).Contains("8192");

        var async = await Assert.That(async () => await file.WriteAsync(4096, new byte[200])).Throws<IoException>();
        await Assert.That(async!.Errno).IsEqualTo(9);
        await Assert.That(async.Offset).IsEqualTo(4096L);
        await Assert.That(async.Length).IsEqualTo(200L);
    }

    [Test]
    public async Task Use_after_dispose_is_an_IoException_naming_the_file()
    {
        var file = Open("a.db");
        file.Dispose();
        var e = await Assert.That(() => file.Read(0, new byte[16])).Throws<IoException>();
        await Assert.That(e!.Path).IsEqualTo(_dir.Combine("a.db"));
        await Assert.That(e.Errno).IsEqualTo(9);
        await Assert.That(async () => await file.ReadAsync(0, new byte[16])).Throws<IoException>();
    }

    [Test]
    public async Task Opening_in_a_missing_directory_names_the_path_and_ENOENT()
    {
        var path = _dir.Combine("missing/a.db");
        var e = await Assert.That(() => StorageFile.Open(path, new FileOpenOptions { Backend = backend })).Throws<IoException>();
        await Assert.That(e!.Errno).IsEqualTo(2);
        await Assert.That(e.Message).Contains(path);
    }

    [Test]
    public async Task Direct_io_on_the_repository_disk_really_bypasses_the_page_cache()
    {
        using var disk = TempDirectory.OnRepositoryDisk();
        var warnings = new List<string>();
        using var file = StorageFile.Open(disk.Combine("direct.db"), new FileOpenOptions { Backend = backend, DirectIo = true, Warn = warnings.Add });
        await Assert.That(file.IsDirectIo).IsTrue();
        await Assert.That(warnings).IsEmpty();

        using var buffer = new AlignedBuffer(64 * 1024);
        Pattern(64 * 1024, 9).CopyTo(buffer.Span);
        file.Write(0, buffer.Span[..16384]);
        await file.WriteAsync(16384, buffer.Memory[16384..]);
        file.Flush();

        using var back = new AlignedBuffer(64 * 1024);
        await Assert.That(file.Read(0, back.Span[..32768])).IsEqualTo(32768);
        await Assert.That(await file.ReadAsync(32768, back.Memory[32768..])).IsEqualTo(32768);
        await Assert.That(back.Span.SequenceEqual(buffer.Span)).IsTrue();

        // The proof that O_DIRECT is in force: a misaligned transfer is refused with EINVAL.
        var e = await Assert.That(() => file.Read(0, back.Span.Slice(1, 4096))).Throws<IoException>();
        await Assert.That(e!.Errno).IsEqualTo(22);
        await Assert.That(e.Length).IsEqualTo(4096L);
    }

    [Test]
    public async Task Direct_io_refused_with_EINVAL_falls_back_to_buffered_with_a_warning()
    {
        // procfs refuses O_DIRECT with EINVAL (tmpfs did too before Linux 6.6); /proc/self/comm is
        // a file this process may open read-write, and reading it is harmless.
        const string path = "/proc/self/comm";
        var warnings = new List<string>();
        using var file = StorageFile.Open(path, new FileOpenOptions { Backend = backend, DirectIo = true, CreateIfMissing = false, Warn = warnings.Add });
        await Assert.That(file.IsDirectIo).IsFalse();
        await Assert.That(warnings.Count).IsEqualTo(1);
        await Assert.That(warnings[0]).Contains("O_DIRECT");
        await Assert.That(warnings[0]).Contains(path);

        var buffer = new byte[64];
        var n = file.Read(0, buffer);
        await Assert.That(n).IsGreaterThan(0);
        await Assert.That(buffer[n - 1]).IsEqualTo((byte)'\n');
    }

    [Test]
    public async Task Direct_io_on_tmpfs_either_works_or_falls_back_with_a_warning()
    {
        Skip.Unless(Directory.Exists("/dev/shm"), "no /dev/shm tmpfs on this machine");
        var path = Path.Combine("/dev/shm", "thunderdb-io-" + Guid.NewGuid().ToString("N"));
        try
        {
            var warnings = new List<string>();
            using var file = StorageFile.Open(path, new FileOpenOptions { Backend = backend, DirectIo = true, Warn = warnings.Add });

            // Linux 6.6+ tmpfs accepts O_DIRECT; older kernels answer EINVAL and we fall back.
            await Assert.That(warnings.Count).IsEqualTo(file.IsDirectIo ? 0 : 1);

            using var data = new AlignedBuffer(8192);
            Pattern(8192, 11).CopyTo(data.Span);
            file.Write(4096, data.Span);
            using var back = new AlignedBuffer(8192);
            await Assert.That(await file.ReadAsync(4096, back.Memory)).IsEqualTo(8192);
            await Assert.That(back.Span.SequenceEqual(data.Span)).IsTrue();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
