using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Backup;

namespace ThunderDb.Core.Tests.Storage.Backup;

/// <summary>
/// The compressed WAL archive segment format: what is written comes back byte for byte (compressible, incompressible,
/// partial last block, empty), the header gives the uncompressed length, and any damage (header, block header, payload,
/// truncation, trailing bytes, a renamed file) is a <see cref="BackupInvalidException"/> naming the file.
/// </summary>
public class ArchivedSegmentTests
{
    private const ulong Start = 0x40000;

    /// <summary>WAL-like bytes: records with a few varying fields, the rest repetitive; <paramref name="random"/> makes it incompressible.</summary>
    private static byte[] Content(int length, bool random)
    {
        var bytes = new byte[length];
        var rng = new Random(length);
        if (random)
        {
            rng.NextBytes(bytes);
            return bytes;
        }

        for (var i = 0; i < length; i++)
        {
            bytes[i] = (i % 200) < 8 ? (byte)rng.Next(256) : (byte)('a' + (i % 200 % 26));
        }

        return bytes;
    }

    private static (string Source, string Archived) Write(TempDataDir root, byte[] content, CompressionAlgorithm algorithm)
    {
        var source = Path.Combine(root.Path, "live.wal");
        File.WriteAllBytes(source, content);
        var archived = Path.Combine(root.Path, ArchivedSegment.FileName(Start, algorithm));
        ArchivedSegment.WriteCompressed(source, archived, Start, algorithm);
        return (source, archived);
    }

    private static ArchivedSegment.Form FormOf(string path)
    {
        ArchivedSegment.TryParse(Path.GetFileName(path), out _, out var form);
        return form;
    }

    [Test]
    [Arguments(CompressionAlgorithm.Lz4, (3 << 20) + 777, false)]
    [Arguments(CompressionAlgorithm.Zstd, (3 << 20) + 777, false)]
    [Arguments(CompressionAlgorithm.Lz4, 2 << 20, true)]
    [Arguments(CompressionAlgorithm.Zstd, 1000, true)]
    [Arguments(CompressionAlgorithm.Lz4, 0, false)]
    public async Task A_compressed_segment_comes_back_byte_for_byte(CompressionAlgorithm algorithm, int length, bool random)
    {
        using var root = new TempDataDir();
        var content = Content(length, random);
        var (_, archived) = Write(root, content, algorithm);
        var form = FormOf(archived);
        await Assert.That(form).IsEqualTo(algorithm == CompressionAlgorithm.Zstd ? ArchivedSegment.Form.Zstd : ArchivedSegment.Form.Lz4);
        await Assert.That(ArchivedSegment.RawLength(archived, form)).IsEqualTo(length);
        if (!random && length > 0)
        {
            await Assert.That(new FileInfo(archived).Length).IsLessThan(length / 2);
        }
        else
        {
            // Blocks that do not shrink are stored as they are: at most the headers are added.
            await Assert.That(new FileInfo(archived).Length).IsLessThanOrEqualTo(length + ArchivedSegment.HeaderSize + (16 * ((length >> 20) + 1)));
        }

        var restored = Path.Combine(root.Path, "restored.wal");
        ArchivedSegment.CopyOut(archived, form, restored);
        await Assert.That(File.ReadAllBytes(restored).AsSpan().SequenceEqual(content)).IsTrue();
        await Assert.That(File.Exists(restored + ".tmp")).IsFalse();
    }

    [Test]
    [Arguments("0000000000040000.wal", true, "Plain")]
    [Arguments("0000000000040000.wal.lz4", true, "Lz4")]
    [Arguments("0000000000040000.wal.zst", true, "Zstd")]
    [Arguments("0000000000040000.wal.zst.tmp", false, "")]
    [Arguments("0000000000040000.wal.tmp", false, "")]
    [Arguments("WAL_ID", false, "")]
    [Arguments("000000000004000.wal", false, "")]
    public async Task Names_parse_only_as_archive_segments(string name, bool ok, string form)
    {
        await Assert.That(ArchivedSegment.TryParse(name, out var start, out var parsed)).IsEqualTo(ok);
        if (ok)
        {
            await Assert.That(start).IsEqualTo(Start);
            await Assert.That(parsed.ToString()).IsEqualTo(form);
        }
    }

    public sealed record Damage(string Name, Action<FileStream> Apply, string Why)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<Func<Damage>> Damages()
    {
        yield return () => new("header byte", f => Flip(f, 20), "header");
        yield return () => new("block header", f => Flip(f, ArchivedSegment.HeaderSize + 1), "bad header");
        yield return () => new("payload of the first block", f => Flip(f, ArchivedSegment.HeaderSize + 16 + 300), "CRC32C");
        yield return () => new("payload of the last block", f => Flip(f, f.Length - 5), "CRC32C");
        yield return () => new("truncation", f => f.SetLength(f.Length - 100), "truncated");
        yield return () => new("trailing bytes", f => { f.Seek(0, SeekOrigin.End); f.Write(new byte[10]); }, "end at offset");
        yield return () => new("truncated header", f => f.SetLength(20), "shorter than");
    }

    private static void Flip(FileStream file, long offset)
    {
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x5A));
    }

    [Test]
    [MethodDataSource(nameof(Damages))]
    public async Task A_damaged_segment_is_refused_naming_the_file(Damage damage)
    {
        foreach (var algorithm in new[] { CompressionAlgorithm.Lz4, CompressionAlgorithm.Zstd })
        {
            using var root = new TempDataDir();
            var (_, archived) = Write(root, Content((2 << 20) + 4096, random: false), algorithm);
            using (var file = new FileStream(archived, FileMode.Open, FileAccess.ReadWrite))
            {
                damage.Apply(file);
            }

            var restored = Path.Combine(root.Path, "restored.wal");
            var error = await Assert.That(() => ArchivedSegment.CopyOut(archived, FormOf(archived), restored)).Throws<BackupInvalidException>();
            await Assert.That(error!.Message).Contains($"'{archived}'").Because(damage.Name);
            await Assert.That(error.Message).Contains(damage.Why).Because(damage.Name);
            await Assert.That(File.Exists(restored)).IsFalse().Because("never a segment of garbage");
            await Assert.That(File.Exists(restored + ".tmp")).IsFalse();
        }
    }

    [Test]
    public async Task A_renamed_segment_is_refused()
    {
        using var root = new TempDataDir();
        var (_, archived) = Write(root, Content(5000, random: false), CompressionAlgorithm.Lz4);
        var renamed = Path.Combine(root.Path, ArchivedSegment.FileName(Start + 0x10000, CompressionAlgorithm.Lz4));
        File.Move(archived, renamed);
        var error = await Assert.That(() => ArchivedSegment.RawLength(renamed, ArchivedSegment.Form.Lz4)).Throws<BackupInvalidException>();
        await Assert.That(error!.Message).Contains("not the one its name says");
    }
}
