using Prometheus;

namespace ThunderDb.Core.Storage.Buffers;

/// <summary>Publishes every live pool's counters right before Prometheus collects.</summary>
internal static class BufferPoolMetrics
{
    private static readonly List<BufferPool> Pools = [];
    private static bool _hooked;

    public static void Register(BufferPool pool)
    {
        lock (Pools)
        {
            Pools.Add(pool);
            if (!_hooked)
            {
                _hooked = true;
                Metrics.DefaultRegistry.AddBeforeCollectCallback(PublishAll);
            }
        }
    }

    public static void Unregister(BufferPool pool)
    {
        lock (Pools)
        {
            Pools.Remove(pool);
        }
    }

    private static void PublishAll()
    {
        lock (Pools)
        {
            foreach (var pool in Pools)
            {
                pool.PublishMetrics();
            }
        }
    }
}
