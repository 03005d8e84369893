using Prometheus;

namespace ThunderDb.Core.Diagnostics;

/// <summary>
/// Hands many observations of one histogram bucket to prometheus-net in one call. The mean of values that fell in
/// a bucket lies in that bucket (a bucket is an interval), so <c>Observe(mean, count)</c> gives every bucket count
/// and the sum that per-value observes would have given. Used where observations are counted locally first (the
/// transaction metrics' per-thread cells, a RESP connection's batch of commands).
/// </summary>
public static class BucketedObserve
{
    /// <summary>The index of the bucket (upper bounds <paramref name="bounds"/>, then +Inf) that holds <paramref name="value"/>.</summary>
    public static int BucketOf(double[] bounds, double value)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        int b = 0;
        while (b < bounds.Length && value > bounds[b])
        {
            b++;
        }

        return b;
    }

    /// <summary>Observes <paramref name="count"/> values of bucket <paramref name="bucket"/> whose total is <paramref name="sum"/>.</summary>
    public static void Observe(Histogram histogram, double[] bounds, int bucket, double sum, long count)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        ArgumentNullException.ThrowIfNull(bounds);
        if (count <= 0)
        {
            return;
        }

        // Rounding must not nudge the mean over an edge of its bucket.
        double upper = bucket < bounds.Length ? bounds[bucket] : double.MaxValue;
        double lower = bucket > 0 ? Math.BitIncrement(bounds[bucket - 1]) : 0;
        histogram.Observe(Math.Clamp(sum / count, lower, upper), count);
    }
}
