using System.Buffers;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Perf.Wal;

/// <summary>A locked sorted array standing in for the B+tree, so the benchmark measures the commit path and the disk.</summary>
internal sealed class BenchStore : IOrderedStore, ICheckpointTarget
{
    private readonly List<byte[]> _keys = [];
    private readonly List<byte[]> _values = [];
    private readonly Lock _lock = new();

    public void Checkpoint(CheckpointState state)
    {
    }

    public bool TryGet(ReadOnlySpan<byte> key, IBufferWriter<byte> value)
    {
        lock (_lock)
        {
            var i = Find(key);
            if (i < 0)
            {
                return false;
            }

            value.Write(_values[i]);
            return true;
        }
    }

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        lock (_lock)
        {
            var i = Find(key);
            if (i >= 0)
            {
                _values[i] = value.ToArray();
            }
            else
            {
                _keys.Insert(~i, key.ToArray());
                _values.Insert(~i, value.ToArray());
            }
        }
    }

    public bool Delete(ReadOnlySpan<byte> key)
    {
        lock (_lock)
        {
            var i = Find(key);
            if (i < 0)
            {
                return false;
            }

            _keys.RemoveAt(i);
            _values.RemoveAt(i);
            return true;
        }
    }

    public IStoreCursor OpenCursor() => new Cursor(this);

    private int Find(ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = _keys.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = _keys[mid].AsSpan().SequenceCompareTo(key);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    private sealed class Cursor(BenchStore store) : IStoreCursor
    {
        private byte[]? _key;
        private byte[]? _value;

        public ReadOnlySpan<byte> Key => _key;

        public ReadOnlySpan<byte> Value => _value;

        public bool Seek(ReadOnlySpan<byte> key)
        {
            lock (store._lock)
            {
                var i = store.Find(key);
                return At(i < 0 ? ~i : i);
            }
        }

        public bool SeekForPrev(ReadOnlySpan<byte> key)
        {
            lock (store._lock)
            {
                var i = store.Find(key);
                return At(i < 0 ? ~i - 1 : i);
            }
        }

        public bool SeekFirst()
        {
            lock (store._lock)
            {
                return At(0);
            }
        }

        public bool SeekLast()
        {
            lock (store._lock)
            {
                return At(store._keys.Count - 1);
            }
        }

        public bool Next()
        {
            if (_key is null)
            {
                return false;
            }

            lock (store._lock)
            {
                var i = store.Find(_key);
                return At(i < 0 ? ~i : i + 1);
            }
        }

        public bool Prev()
        {
            if (_key is null)
            {
                return false;
            }

            lock (store._lock)
            {
                var i = store.Find(_key);
                return At(i < 0 ? ~i - 1 : i - 1);
            }
        }

        private bool At(int i)
        {
            if (i < 0 || i >= store._keys.Count)
            {
                _key = null;
                _value = null;
                return false;
            }

            _key = store._keys[i];
            _value = store._values[i];
            return true;
        }

        public void Dispose()
        {
        }
    }
}
