using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>A key's whole content, read out so it can be written under another name or in another database.</summary>
public sealed class KeySnapshot
{
    internal KeySnapshot(KeyMeta meta) => Meta = meta;

    public KeyMeta Meta { get; }

    internal byte[]? StringValue { get; set; }

    internal List<(byte[] Suffix, byte[] Value)> Elements { get; } = [];
}

/// <summary>RENAME, RENAMENX, COPY and MOVE: a key's records read out and written under the new name or database.</summary>
public static partial class RedisKeys
{
    /// <summary>Reads out a live key (null when missing), with its expiry.</summary>
    public static KeySnapshot? Snapshot(RedisKeyspace ks, ReadOnlySpan<byte> key)
    {
        RedisType type = ks.Lookup(key, out KeyMeta meta);
        if (type == RedisType.None)
        {
            return null;
        }

        var snapshot = new KeySnapshot(meta);
        if (type == RedisType.String)
        {
            snapshot.StringValue = ks.StringValue.ToArray();
            return snapshot;
        }

        int prefix = ks.ElementPrefixLength(key);
        using IKvCursor cursor = ks.ScanElements(key, default, default);
        while (cursor.MoveNext())
        {
            snapshot.Elements.Add((cursor.Key[prefix..].ToArray(), cursor.Value.ToArray()));
        }

        return snapshot;
    }

    /// <summary>Writes <paramref name="snapshot"/> as <paramref name="key"/> of the current database (which must not exist).</summary>
    public static void Restore(RedisKeyspace ks, ReadOnlySpan<byte> key, KeySnapshot snapshot)
    {
        if (snapshot.StringValue is not null)
        {
            ks.WriteString(key, snapshot.StringValue, snapshot.Meta.ExpireAtMs, 0);
            return;
        }

        foreach ((byte[] suffix, byte[] value) in snapshot.Elements)
        {
            ks.PutElement(key, suffix, default, value);
        }

        ks.WriteCollectionMeta(key, snapshot.Meta, 0);
    }

    /// <summary>
    /// RENAME (replacing the destination) and RENAMENX (<paramref name="onlyIfNew"/>): false when RENAMENX found the
    /// destination taken, or source and destination are the same key (nothing changes then).
    /// </summary>
    public static RedisError Rename(RedisKeyspace ks, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool onlyIfNew, out bool renamed)
    {
        renamed = false;
        KeySnapshot? snapshot = Snapshot(ks, source);
        if (snapshot is null)
        {
            return RedisError.NoSuchKey;
        }

        if (source.SequenceEqual(destination))
        {
            renamed = !onlyIfNew;
            return RedisError.None;
        }

        if (ks.Lookup(destination, out KeyMeta target) != RedisType.None)
        {
            if (onlyIfNew)
            {
                return RedisError.None;
            }

            ks.DeleteKey(destination, target);
        }

        ks.DeleteKey(source, snapshot.Meta);
        Restore(ks, destination, snapshot);
        renamed = true;
        return RedisError.None;
    }

    /// <summary>COPY source destination [DB db] [REPLACE]: false when the source is missing or the destination taken (without REPLACE).</summary>
    public static RedisError Copy(RedisKeyspace ks, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, int targetDb, bool replace, out bool copied)
    {
        copied = false;
        int db = ks.Db;
        if (targetDb == db && source.SequenceEqual(destination))
        {
            return RedisError.SameObject;
        }

        KeySnapshot? snapshot = Snapshot(ks, source);
        if (snapshot is null)
        {
            return RedisError.None;
        }

        ks.Db = targetDb;
        try
        {
            if (ks.Lookup(destination, out KeyMeta target) != RedisType.None)
            {
                if (!replace)
                {
                    return RedisError.None;
                }

                ks.DeleteKey(destination, target);
            }

            Restore(ks, destination, snapshot);
            copied = true;
            return RedisError.None;
        }
        finally
        {
            ks.Db = db;
        }
    }

    /// <summary>MOVE key db: false when the key is missing here or already exists there. The expiry moves with it.</summary>
    public static RedisError Move(RedisKeyspace ks, ReadOnlySpan<byte> key, int targetDb, out bool moved)
    {
        moved = false;
        int db = ks.Db;
        if (targetDb == db)
        {
            return RedisError.SameObject;
        }

        KeySnapshot? snapshot = Snapshot(ks, key);
        if (snapshot is null)
        {
            return RedisError.None;
        }

        ks.Db = targetDb;
        try
        {
            if (ks.Lookup(key, out _) != RedisType.None)
            {
                return RedisError.None;
            }

            Restore(ks, key, snapshot);
        }
        finally
        {
            ks.Db = db;
        }

        ks.DeleteKey(key, snapshot.Meta);
        moved = true;
        return RedisError.None;
    }
}
