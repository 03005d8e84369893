using System.Globalization;
using System.Text;
using Prometheus;
using ThunderDb.Core.Diagnostics;

namespace ThunderDb.Core.Tests.Diagnostics;

public class HistogramBatchTests
{
    private static readonly double[] Bounds = [0.0001, 0.001, 0.01, 0.1, 1];

    [Test]
    public async Task Batched_observations_give_the_same_buckets_count_and_sum_as_one_observe_per_value()
    {
        var batchedRegistry = Metrics.NewCustomRegistry();
        var directRegistry = Metrics.NewCustomRegistry();
        Histogram batched = Metrics.WithCustomRegistry(batchedRegistry).CreateHistogram("lat", "x", new HistogramConfiguration { Buckets = Bounds });
        Histogram direct = Metrics.WithCustomRegistry(directRegistry).CreateHistogram("lat", "x", new HistogramConfiguration { Buckets = Bounds });
        var batch = new HistogramBatch(batched, Bounds);
        var random = new Random(42);
        for (int round = 0; round < 50; round++)
        {
            for (int i = 0; i < random.Next(0, 40); i++)
            {
                // Values across every bucket, including exactly on the edges and above the last one.
                double v = random.Next(10) switch
                {
                    0 => Bounds[random.Next(Bounds.Length)],
                    1 => 2.5,
                    _ => Math.Pow(10, -5 + (random.NextDouble() * 5)),
                };
                batch.Add(v);
                direct.Observe(v);
            }

            batch.Flush();
        }

        (string bucketsB, double sumB, string countB) = await Export(batchedRegistry);
        (string bucketsD, double sumD, string countD) = await Export(directRegistry);
        await Assert.That(bucketsB).IsEqualTo(bucketsD);
        await Assert.That(countB).IsEqualTo(countD);
        await Assert.That(Math.Abs(sumB - sumD)).IsLessThan(1e-9 * Math.Max(1, sumD));
    }

    private static async Task<(string Buckets, double Sum, string Count)> Export(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        string[] lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
        string buckets = string.Join("\n", lines.Where(l => l.StartsWith("lat_bucket", StringComparison.Ordinal)));
        double sum = double.Parse(lines.Single(l => l.StartsWith("lat_sum", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture);
        string count = lines.Single(l => l.StartsWith("lat_count", StringComparison.Ordinal));
        return (buckets, sum, count);
    }
}
