namespace ThunderDb.Core.Keys;

/// <summary>
/// The first byte of every user key in the one ordered store: which subsystem owns the record. Each owner
/// lays out the rest of its keys (see its codec); no two owners share a tag, so their ranges never mix and a
/// range scan of one owner never sees another's records.
/// </summary>
public static class KeyspaceTag
{
    /// <summary>SQL catalog records: databases, schemas, tables, columns, indexes, sequences, users.</summary>
    public const byte Catalog = (byte)'C';

    /// <summary>Names only the lock manager sees, never stored (the Redis script gate).</summary>
    public const byte Lock = (byte)'L';

    /// <summary>Redis keys, their elements and the expiry index (<c>Core/Redis/RedisKeyCodec</c>).</summary>
    public const byte Redis = (byte)'R';

    /// <summary>SQL sequence values (kept apart from rows: nextval is not transactional).</summary>
    public const byte Sequence = (byte)'S';

    /// <summary>SQL table rows and index entries, keyed by table id, index id, then the indexed values.</summary>
    public const byte Table = (byte)'T';
}
