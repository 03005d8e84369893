using Prometheus;

namespace ThunderDb.Net.Transport;

/// <summary>
/// Collects one connection's observations for a histogram during a received batch and hands them over once:
/// one <c>Observe(mean, count)</c> per non-empty bucket instead of one call per command.
/// </summary>
/// <remarks>
/// Exact, not an approximation: the mean of the values that fell in a bucket lies in that bucket (a bucket is an
/// interval), so every bucket count is what per-value observes would have produced, and mean times count is their
/// sum, so the histogram's _sum is exact too (to floating-point rounding).
/// </remarks>
public sealed class HistogramBatch(Histogram histogram, double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private readonly double[] _sums = new double[bounds.Length + 1];
    private bool _any;

    public void Add(double value)
    {
        int b = 0;
        while (b < bounds.Length && value > bounds[b])
        {
            b++;
        }

        _counts[b]++;
        _sums[b] += value;
        _any = true;
    }

    public void Flush()
    {
        if (!_any)
        {
            return;
        }

        for (int b = 0; b < _counts.Length; b++)
        {
            long n = _counts[b];
            if (n == 0)
            {
                continue;
            }

            double mean = _sums[b] / n;
            // Keep rounding from nudging the mean over an edge.
            if (b < bounds.Length && mean > bounds[b])
            {
                mean = bounds[b];
            }
            else if (b > 0 && mean <= bounds[b - 1])
            {
                mean = Math.BitIncrement(bounds[b - 1]);
            }

            histogram.Observe(mean, n);
            _counts[b] = 0;
            _sums[b] = 0;
        }

        _any = false;
    }
}
