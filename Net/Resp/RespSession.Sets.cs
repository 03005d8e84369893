using ThunderDb.Core.Kv;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>Set commands: one empty-valued element record per member, so members come back in byte order.</summary>
internal sealed partial class RespSession
{
    private void ExecuteSet(CommandId id)
    {
        ReadOnlySpan<byte> key = Arg(1);
        switch (id)
        {
            case CommandId.SAdd:
                {
                    Find(key, RedisType.Set, out KeyMeta meta);
                    long added = AddMembers(key, ref meta, 2, _argc);
                    if (added > 0)
                    {
                        _keyspace.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
                    }

                    _out.WriteInteger(added);
                    break;
                }

            case CommandId.SRem:
                {
                    if (Find(key, RedisType.Set, out KeyMeta meta) == RedisType.None)
                    {
                        _out.WriteInteger(0);
                        break;
                    }

                    long removed = 0;
                    for (int i = 2; i < _argc; i++)
                    {
                        if (_keyspace.TryGetElement(key, Arg(i), default, out _))
                        {
                            _keyspace.DeleteElement(key, Arg(i));
                            removed++;
                        }
                    }

                    meta.Count -= removed;
                    if (removed > 0)
                    {
                        _keyspace.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
                    }

                    _out.WriteInteger(removed);
                    break;
                }

            case CommandId.SMembers:
                {
                    Find(key, RedisType.Set, out KeyMeta meta);
                    _out.WriteSetHeader(meta.Count);
                    if (meta.Count > 0)
                    {
                        int prefix = _keyspace.ElementPrefixLength(key);
                        using IKvCursor cursor = _keyspace.ScanElements(key, default, default);
                        while (cursor.MoveNext())
                        {
                            _out.WriteBulk(cursor.Key[prefix..]);
                        }
                    }

                    break;
                }

            case CommandId.SIsMember:
                _out.WriteInteger(Find(key, RedisType.Set, out _) != RedisType.None && _keyspace.TryGetElement(key, Arg(2), default, out _) ? 1 : 0);
                break;
            case CommandId.SMIsMember:
                {
                    bool exists = Find(key, RedisType.Set, out _) != RedisType.None;
                    _out.WriteArrayHeader(_argc - 2);
                    for (int i = 2; i < _argc; i++)
                    {
                        _out.WriteInteger(exists && _keyspace.TryGetElement(key, Arg(i), default, out _) ? 1 : 0);
                    }

                    break;
                }

            case CommandId.SCard:
                Find(key, RedisType.Set, out KeyMeta cardMeta);
                _out.WriteInteger(cardMeta.Count);
                break;
            case CommandId.SPop:
                SetPop();
                break;
            case CommandId.SRandMember:
                RandomElements(RedisType.Set);
                break;
            case CommandId.SInter:
            case CommandId.SUnion:
            case CommandId.SDiff:
                {
                    SortedSet<byte[]> result = Combine(id, 1);
                    _out.WriteSetHeader(result.Count);
                    foreach (byte[] m in result)
                    {
                        _out.WriteBulk(m);
                    }

                    break;
                }

            case CommandId.SInterStore:
            case CommandId.SUnionStore:
            case CommandId.SDiffStore:
                {
                    CommandId op = id == CommandId.SInterStore ? CommandId.SInter : id == CommandId.SUnionStore ? CommandId.SUnion : CommandId.SDiff;
                    SortedSet<byte[]> result = Combine(op, 2);
                    if (_keyspace.Lookup(key, out KeyMeta old) != RedisType.None)
                    {
                        _keyspace.DeleteKey(key, old);
                    }

                    var meta = new KeyMeta { Type = RedisType.Set, Count = result.Count };
                    foreach (byte[] m in result)
                    {
                        _keyspace.PutElement(key, m, default, default);
                    }

                    _keyspace.WriteCollectionMeta(key, meta, 0);
                    _out.WriteInteger(result.Count);
                    break;
                }

            case CommandId.SMove:
                {
                    if (Find(key, RedisType.Set, out KeyMeta source) == RedisType.None)
                    {
                        Find(Arg(2), RedisType.Set, out _);
                        _out.WriteInteger(0);
                        break;
                    }

                    Find(Arg(2), RedisType.Set, out _);
                    if (!_keyspace.TryGetElement(key, Arg(3), default, out _))
                    {
                        _out.WriteInteger(0);
                        break;
                    }

                    if (key.SequenceEqual(Arg(2)))
                    {
                        _out.WriteInteger(1);
                        break;
                    }

                    _keyspace.DeleteElement(key, Arg(3));
                    source.Count--;
                    _keyspace.WriteCollectionMeta(key, source, source.ExpireAtMs);
                    Find(Arg(2), RedisType.Set, out KeyMeta target);
                    if (AddMembers(Arg(2), ref target, 3, 4) > 0)
                    {
                        _keyspace.WriteCollectionMeta(Arg(2), target, target.ExpireAtMs);
                    }

                    _out.WriteInteger(1);
                    break;
                }

            case CommandId.SScan:
                ScanElementsCommand(RedisType.Set);
                break;
            default:
                ExecuteSetExtension(id);
                break;
        }
    }

    private long AddMembers(ReadOnlySpan<byte> key, ref KeyMeta meta, int from, int to)
    {
        meta.Type = RedisType.Set;
        long added = 0;
        for (int i = from; i < to; i++)
        {
            if (!_keyspace.TryGetElement(key, Arg(i), default, out _))
            {
                _keyspace.PutElement(key, Arg(i), default, default);
                added++;
            }
        }

        meta.Count += added;
        return added;
    }

    private SortedSet<byte[]> Members(ReadOnlySpan<byte> key)
    {
        var set = new SortedSet<byte[]>(ByteOrder.Instance);
        if (Find(key, RedisType.Set, out _) != RedisType.None)
        {
            foreach ((byte[] element, _) in LoadElements(key))
            {
                set.Add(element);
            }
        }

        return set;
    }

    private SortedSet<byte[]> Combine(CommandId op, int firstKey)
    {
        var sets = new List<SortedSet<byte[]>>();
        for (int i = firstKey; i < _argc; i++)
        {
            sets.Add(Members(Arg(i))); // every key is type-checked, as Redis does
        }

        SortedSet<byte[]> result = sets[0];
        for (int i = 1; i < sets.Count; i++)
        {
            switch (op)
            {
                case CommandId.SInter:
                    result.IntersectWith(sets[i]);
                    break;
                case CommandId.SUnion:
                    result.UnionWith(sets[i]);
                    break;
                default:
                    result.ExceptWith(sets[i]);
                    break;
            }
        }

        return result;
    }

    private void SetPop()
    {
        ReadOnlySpan<byte> key = Arg(1);
        if (_argc > 3)
        {
            throw Error(Errors.Syntax);
        }

        long? count = null;
        if (_argc == 3)
        {
            count = ParseLong(Arg(2), out long parsed) ? parsed : -1;
            if (count < 0)
            {
                throw Error(Errors.NotPositive);
            }
        }

        if (Find(key, RedisType.Set, out KeyMeta meta) == RedisType.None)
        {
            if (count is null)
            {
                _out.WriteNull();
            }
            else
            {
                _out.WriteSetHeader(0);
            }

            return;
        }

        var victims = new List<byte[]>();
        if (count is null)
        {
            victims.Add(RandomMember(key));
        }
        else
        {
            List<(byte[] Element, byte[] Value)> all = LoadElements(key);
            Shuffle(all);
            for (int i = 0; i < Math.Min(count.Value, all.Count); i++)
            {
                victims.Add(all[i].Element);
            }
        }

        foreach (byte[] m in victims)
        {
            _keyspace.DeleteElement(key, m);
        }

        meta.Count -= victims.Count;
        _keyspace.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        if (count is null)
        {
            _out.WriteBulk(victims[0]);
            return;
        }

        _out.WriteSetHeader(victims.Count);
        foreach (byte[] m in victims)
        {
            _out.WriteBulk(m);
        }
    }

    /// <summary>A random member without reading the whole set: seek to random bytes and take the next member (wrapping).</summary>
    private byte[] RandomMember(ReadOnlySpan<byte> key)
    {
        Span<byte> start = stackalloc byte[8];
        Random.Shared.NextBytes(start);
        int prefix = _keyspace.ElementPrefixLength(key);
        for (int pass = 0; pass < 2; pass++)
        {
            using IKvCursor cursor = _keyspace.ScanElements(key, pass == 0 ? start : default, default);
            if (cursor.MoveNext())
            {
                return cursor.Key[prefix..].ToArray();
            }
        }

        throw Error(Errors.NoSuchKey);
    }
}

/// <summary>Unsigned byte-wise order, the order of the store.</summary>
internal sealed class ByteOrder : IComparer<byte[]>
{
    public static readonly ByteOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
