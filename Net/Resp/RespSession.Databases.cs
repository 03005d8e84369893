using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>MOVE and SWAPDB (keys between numbered databases) and OBJECT (introspection of one key).</summary>
/// <remarks>
/// OBJECT ENCODING answers the encoding Redis 7.0 would choose for the value as it is now, with the default
/// thresholds: strings <c>int</c> / <c>embstr</c> (up to 44 bytes) / <c>raw</c>; lists <c>quicklist</c>; sets
/// <c>intset</c> (only integers, up to 512 members) or <c>hashtable</c>; sorted sets <c>listpack</c> (up to 128
/// members of up to 64 bytes) or <c>skiplist</c>; hashes <c>listpack</c> (up to 128 fields, fields and values up to
/// 64 bytes) or <c>hashtable</c>. Redis never converts back to the compact encoding when a value shrinks, and marks
/// strings built by APPEND/SETRANGE <c>raw</c>; ThunderDB stores neither history, so it reports the compact encoding
/// the current value qualifies for.
/// </remarks>
internal sealed partial class RespSession
{
    private const int SharedIntegers = 10_000;

    private RedisError ExecuteKeysExtension(CommandId id)
    {
        switch (id)
        {
            case CommandId.Move:
                return Move();
            case CommandId.SwapDb:
                SwapDb();
                break;
            case CommandId.Object:
                ObjectCommand();
                break;
            default:
                throw Error($"ERR '{id}' is not supported");
        }

        return RedisError.None;
    }

    /// <summary>Redis <c>getIntFromObjectOrReply</c>: a long that must also fit in a C int.</summary>
    private int ArgInt(int i, string? message = null)
    {
        if (!RedisNumbers.ParseLong(Arg(i), out long v))
        {
            throw Error(message ?? RedisErrors.NotInteger);
        }

        return v is < int.MinValue or > int.MaxValue
            ? throw Error(message ?? $"ERR value is out of range, value must between {int.MinValue} and {int.MaxValue}")
            : (int)v;
    }

    private RedisError Move()
    {
        int target = ArgInt(2);
        if (target is < 0 or >= RedisKeyCodec.DatabaseCount)
        {
            return RedisError.DbIndex;
        }

        RedisError error = RedisKeys.Move(_keyspace, Arg(1), target, out bool moved);
        _out.WriteInteger(moved ? 1 : 0);
        return error;
    }

    /// <summary>
    /// SWAPDB rewrites every record of both databases under the other's number, in this one transaction: O(size of
    /// both databases), where Redis swaps two pointers. Every key of either database counts as written in both, so
    /// WATCHes on them fail and clients blocked on a list that now exists wake up, as in Redis.
    /// </summary>
    private void SwapDb()
    {
        int first = ArgInt(1, "ERR invalid first DB index");
        int second = ArgInt(2, "ERR invalid second DB index");
        if (first is < 0 or >= RedisKeyCodec.DatabaseCount || second is < 0 or >= RedisKeyCodec.DatabaseCount)
        {
            throw Error(RedisErrors.DbIndex);
        }

        if (first != second)
        {
            _keyspace.SwapDatabases(first, second);
        }

        _out.WriteOk();
    }

    private static readonly string[] ObjectHelp =
    [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];

    private void ObjectCommand()
    {
        if (_argc == 2 && ArgIs(1, "HELP"u8))
        {
            _out.WriteArrayHeader(ObjectHelp.Length);
            foreach (string line in ObjectHelp)
            {
                _out.WriteSimple(line);
            }

            return;
        }

        bool encoding = ArgIs(1, "ENCODING"u8), refCount = ArgIs(1, "REFCOUNT"u8);
        bool idleTime = ArgIs(1, "IDLETIME"u8), freq = ArgIs(1, "FREQ"u8);
        if (_argc != 3 || !(encoding || refCount || idleTime || freq))
        {
            throw SubcommandError("OBJECT", ["ENCODING", "FREQ", "IDLETIME", "REFCOUNT", "HELP"]);
        }

        ReadOnlySpan<byte> key = Arg(2);
        RedisType type = _keyspace.Lookup(key, out KeyMeta meta);
        if (type == RedisType.None)
        {
            _out.WriteNull();
            return;
        }

        if (freq)
        {
            // What Redis answers under the (default) noeviction policy: ThunderDB has no LFU policy.
            throw Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
        }

        if (idleTime)
        {
            throw Error("ERR OBJECT IDLETIME is not supported: ThunderDB does not track when a key was last accessed");
        }

        if (refCount)
        {
            // Redis shares one object for the integers 0..9999 and reports its refcount as INT_MAX.
            bool shared = type == RedisType.String && IsIntEncodable(_keyspace.StringValue, out long v) && v is >= 0 and < SharedIntegers;
            _out.WriteInteger(shared ? int.MaxValue : 1);
            return;
        }

        _out.WriteBulk(EncodingName(key, type, meta));
    }

    /// <summary>Redis <c>tryObjectEncoding</c>: at most 20 bytes that <c>string2l</c> accepts.</summary>
    private static bool IsIntEncodable(ReadOnlySpan<byte> value, out long number)
    {
        number = 0;
        return value.Length <= 20 && RedisNumbers.ParseLong(value, out number);
    }

    private string EncodingName(ReadOnlySpan<byte> key, RedisType type, in KeyMeta meta)
    {
        const int MaxIntSetEntries = 512, MaxListpackEntries = 128, MaxListpackValue = 64, MaxEmbeddedString = 44;
        switch (type)
        {
            case RedisType.String:
                {
                    ReadOnlySpan<byte> value = _keyspace.StringValue;
                    return IsIntEncodable(value, out _) ? "int" : value.Length <= MaxEmbeddedString ? "embstr" : "raw";
                }

            case RedisType.List:
                return "quicklist";
            case RedisType.Stream:
                return "stream";
            case RedisType.Set:
                if (meta.Count > MaxIntSetEntries)
                {
                    return "hashtable";
                }

                foreach ((byte[] member, _) in LoadElements(key))
                {
                    if (!IsIntEncodable(member, out _))
                    {
                        return "hashtable";
                    }
                }

                return "intset";
            case RedisType.ZSet:
                if (meta.Count > MaxListpackEntries)
                {
                    return "skiplist";
                }

                foreach ((byte[] member, _) in LoadElements(key, [RedisKeyCodec.ZSetMemberTag], [RedisKeyCodec.ZSetMemberTag + 1]))
                {
                    if (member.Length > MaxListpackValue)
                    {
                        return "skiplist";
                    }
                }

                return "listpack";
            default:
                if (meta.Count > MaxListpackEntries)
                {
                    return "hashtable";
                }

                foreach ((byte[] field, byte[] value) in LoadElements(key))
                {
                    if (field.Length > MaxListpackValue || value.Length > MaxListpackValue)
                    {
                        return "hashtable";
                    }
                }

                return "listpack";
        }
    }
}
