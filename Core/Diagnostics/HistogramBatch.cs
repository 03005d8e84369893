using Prometheus;

namespace ThunderDb.Core.Diagnostics;

/// <summary>
/// Collects one connection's observations for a histogram during a received batch and hands them over once per
/// non-empty bucket (<see cref="BucketedObserve"/>: exact bucket counts and sum) instead of one call per command.
/// </summary>
public sealed class HistogramBatch(Histogram histogram, double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private readonly double[] _sums = new double[bounds.Length + 1];
    private bool _any;

    public void Add(double value)
    {
        int b = BucketedObserve.BucketOf(bounds, value);
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
            BucketedObserve.Observe(histogram, bounds, b, _sums[b], _counts[b]);
            _counts[b] = 0;
            _sums[b] = 0;
        }

        _any = false;
    }
}
