namespace ThunderDb.Net.Resp;

/// <summary>
/// SCAN cursors are integers on the wire but positions in an ordered keyspace here: each cursor names the last
/// key returned, and the next call resumes strictly after it, so keys deleted or added meanwhile never make the
/// iteration skip a key that existed throughout (Redis's SCAN guarantee). A fixed ring keeps the table bounded;
/// a cursor older than the ring's 4,096 most recent ones is reported as invalid.
/// </summary>
internal sealed class ScanCursorTable
{
    private const int Slots = 4096;
    private readonly (long Id, byte[] Position)[] _ring = new (long, byte[])[Slots];
    private readonly Lock _gate = new();
    private long _next = Random.Shared.NextInt64(1L << 20, 1L << 40);

    public long Register(byte[] lastReturned)
    {
        lock (_gate)
        {
            long id = ++_next;
            _ring[id % Slots] = (id, lastReturned);
            return id;
        }
    }

    public bool TryResolve(long id, out byte[] lastReturned)
    {
        lock (_gate)
        {
            (long storedId, byte[] position) = _ring[id % Slots];
            lastReturned = position;
            return storedId == id && position is not null;
        }
    }
}
