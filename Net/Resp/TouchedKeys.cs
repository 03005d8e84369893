namespace ThunderDb.Net.Resp;

/// <summary>The keys a command (or a pipeline group) wrote, copied into one reusable buffer.</summary>
internal sealed class TouchedKeys
{
    private byte[] _bytes = new byte[1024];
    private int[] _ends = new int[32];
    private int[] _dbs = new int[32];
    private int _used;

    public int Count { get; private set; }

    public void Add(int db, ReadOnlySpan<byte> key)
    {
        if (Count == _ends.Length)
        {
            Array.Resize(ref _ends, Count * 2);
            Array.Resize(ref _dbs, Count * 2);
        }

        if (_used + key.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + key.Length));
        }

        key.CopyTo(_bytes.AsSpan(_used));
        _used += key.Length;
        _ends[Count] = _used;
        _dbs[Count] = db;
        Count++;
    }

    public int Db(int i) => _dbs[i];

    public ReadOnlySpan<byte> Key(int i)
    {
        int start = i == 0 ? 0 : _ends[i - 1];
        return _bytes.AsSpan(start, _ends[i] - start);
    }

    public void Clear()
    {
        Count = 0;
        _used = 0;
    }
}
