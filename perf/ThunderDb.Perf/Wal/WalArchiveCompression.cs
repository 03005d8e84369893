using System.Diagnostics;
using System.Globalization;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Backup;

namespace ThunderDb.Perf.Wal;

/// <summary>
/// <c>ThunderDb.Perf walzip SEGMENT...</c>: the WAL archive's compression (<see cref="ArchivedSegment"/>) on real WAL
/// segment files (e.g. the plain ones a server with <c>storage.compression = false</c> archived under a workload): for
/// LZ4 and Zstd, the compressed size and ratio, and compress / decompress throughput in MB of WAL per second, in memory
/// (no disk, no fsync), best of five rounds after a warm-up.
/// </summary>
public static class WalArchiveCompression
{
    public static bool TryRun(string[] args)
    {
        if (args.Length < 2 || args[0] != "walzip")
        {
            return false;
        }

        var segments = args[1..].Select(File.ReadAllBytes).ToList();
        var raw = segments.Sum(s => (long)s.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{segments.Count} segments, {raw / 1e6:F1} MB of WAL"));
        foreach (var algorithm in new[] { CompressionAlgorithm.Lz4, CompressionAlgorithm.Zstd })
        {
            var compressed = segments.Select(s => Compress(s, algorithm)).ToList(); // warm-up, and the sizes
            var stored = compressed.Sum(c => (long)c.Length);
            var compress = Best(() => segments.ForEach(s => Compress(s, algorithm)));
            var decompress = Best(() =>
            {
                foreach (var c in compressed)
                {
                    using var input = new MemoryStream(c, writable: false);
                    ArchivedSegment.Decompress(ArchivedSegment.FileName(0, algorithm), input, Stream.Null); // start 0, as compressed
                }
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{algorithm,-5} {stored / 1e6,8:F1} MB  ratio {(double)raw / stored,5:F2}x  compress {raw / 1e6 / compress,7:F0} MB/s  decompress {raw / 1e6 / decompress,7:F0} MB/s"));
        }

        return true;
    }

    private static byte[] Compress(byte[] segment, CompressionAlgorithm algorithm)
    {
        using var input = new MemoryStream(segment, writable: false);
        using var output = new MemoryStream(segment.Length / 2);
        ArchivedSegment.Compress(input, output, 0, algorithm);
        return output.ToArray();
    }

    private static double Best(Action run)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return best;
    }
}
