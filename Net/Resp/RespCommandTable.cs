using System.Text;

namespace ThunderDb.Net.Resp;

[Flags]
internal enum CommandFlags
{
    None = 0,
    Write = 1,
    ReadOnly = 2,
    Admin = 4,
    PubSub = 8,
    NoAuth = 16,
    Blocking = 32,
    Fast = 64,

    /// <summary>Runs outside a storage transaction (connection and server commands).</summary>
    Session = 128,

    /// <summary>Runs even inside MULTI instead of being queued.</summary>
    NotQueued = 256,

    /// <summary>Allowed while a RESP2 connection is subscribed.</summary>
    SubscribedOk = 512,

    /// <summary>The keys are not all found from first/last/step (a numkeys argument says how many): COMMAND reports <c>movablekeys</c>.</summary>
    MovableKeys = 1024,

    /// <summary>Runs a Lua script or function (EVAL*, FCALL*): its own transaction, one script at a time.</summary>
    NoScript = 2048,
}

internal enum CommandGroup
{
    Connection,
    Server,
    Generic,
    String,
    Hash,
    List,
    Set,
    SortedSet,
    Transactions,
    PubSub,
    Scripting,
    Bitmap,
    HyperLogLog,
    Stream,
}

internal enum CommandId
{
    Ping, Echo, Quit, Hello, Auth, Select, Info, Config, Client, Command, Time, Reset, Role, SlowLog,
    DbSize, FlushDb, FlushAll,
    Del, Unlink, Exists, Type, Keys, Scan, Rename, RenameNx, Expire, PExpire, ExpireAt, PExpireAt, Ttl, PTtl, Persist, RandomKey, Copy, Move, SwapDb, Object,
    Get, Set, SetNx, SetEx, PSetEx, GetSet, GetDel, GetEx, MGet, MSet, MSetNx, Incr, Decr, IncrBy, DecrBy, IncrByFloat, Append, StrLen,
    GetRange, SetRange, SetBit, GetBit,
    HSet, HMSet, HSetNx, HGet, HMGet, HGetAll, HDel, HExists, HLen, HKeys, HVals, HIncrBy, HIncrByFloat, HScan, HRandField, HStrLen,
    LPush, RPush, LPushX, RPushX, LPop, RPop, LLen, LRange, LIndex, LSet, LInsert, LRem, LTrim, LPos, LMove, RPopLPush, BLPop, BRPop, BLMove, LMPop,
    SAdd, SRem, SMembers, SIsMember, SMIsMember, SCard, SPop, SRandMember, SInter, SUnion, SDiff, SInterStore, SUnionStore, SDiffStore,
    SMove, SScan, SInterCard,
    ZAdd, ZRem, ZScore, ZMScore, ZIncrBy, ZCard, ZCount, ZRange, ZRangeByScore, ZRevRangeByScore, ZRevRange, ZRank, ZRevRank, ZPopMin,
    ZPopMax, ZScan,
    ZRangeByLex, ZRevRangeByLex, ZLexCount, ZRemRangeByScore, ZRemRangeByRank, ZRemRangeByLex, ZUnionStore, ZInterStore, ZRandMember,
    ZUnion, ZInter, ZDiff, ZDiffStore, ZRangeStore,
    Multi, Exec, Discard, Watch, Unwatch,
    Subscribe, Unsubscribe, PSubscribe, PUnsubscribe, Publish, PubSubCmd,
    Eval, EvalSha, EvalRo, EvalShaRo, Script, Function, FCall, FCallRo,
    BitCount, BitPos, BitOp, BitField, BitFieldRo, PfAdd, PfCount, PfMerge, Lcs, ExpireTime, PExpireTime, PfDebug, PfSelfTest,
    XAdd, XLen, XRange, XRevRange, XDel, XTrim, XRead, XReadGroup, XGroup, XAck, XPending, XClaim, XAutoClaim, XInfo, XSetId,
}

/// <summary>Name, arity (Redis convention: n exact, -n at least n), flags and key positions of one command.</summary>
internal sealed class RespCommandInfo(string name, CommandId id, int arity, CommandFlags flags, int firstKey, int lastKey, int step,
    CommandGroup group, string summary)
{
    public string Name { get; } = name;

    public byte[] LowerName { get; } = Encoding.ASCII.GetBytes(name.ToLowerInvariant());

    /// <summary>The arity error reply, built once so a wrong argument count allocates nothing.</summary>
    public string ArityError { get; } = $"ERR wrong number of arguments for '{name.ToLowerInvariant()}' command";

    public CommandId Id { get; } = id;

    public int Arity { get; } = arity;

    public CommandFlags Flags { get; } = flags;

    public int FirstKey { get; } = firstKey;

    public int LastKey { get; } = lastKey;

    public int Step { get; } = step;

    public CommandGroup Group { get; } = group;

    public string Summary { get; } = summary;

    public bool Has(CommandFlags flag) => (Flags & flag) != 0;

    public bool ArityOk(int argc) => Arity >= 0 ? argc == Arity : argc >= -Arity;
}

/// <summary>Every command the RESP server knows; looked up by name without allocating.</summary>
internal static class RespCommandTable
{
    private const CommandFlags W = CommandFlags.Write;
    private const CommandFlags R = CommandFlags.ReadOnly;
    private const CommandFlags F = CommandFlags.Fast;
    private const CommandFlags S = CommandFlags.Session;
    private const CommandFlags M = CommandFlags.MovableKeys;

    public static readonly RespCommandInfo[] All =
    [
        new("PING", CommandId.Ping, -1, S | F | CommandFlags.SubscribedOk, 0, 0, 0, CommandGroup.Connection, "Returns the server's liveliness response."),
        new("ECHO", CommandId.Echo, 2, S | F, 0, 0, 0, CommandGroup.Connection, "Returns the given string."),
        new("QUIT", CommandId.Quit, -1, S | CommandFlags.NoAuth | CommandFlags.NotQueued | CommandFlags.SubscribedOk, 0, 0, 0, CommandGroup.Connection, "Closes the connection."),
        new("HELLO", CommandId.Hello, -1, S | CommandFlags.NoAuth | F | CommandFlags.NotQueued, 0, 0, 0, CommandGroup.Connection, "Handshakes with the server."),
        new("AUTH", CommandId.Auth, -2, S | CommandFlags.NoAuth | F | CommandFlags.NotQueued, 0, 0, 0, CommandGroup.Connection, "Authenticates the connection."),
        new("SELECT", CommandId.Select, 2, S | F, 0, 0, 0, CommandGroup.Connection, "Changes the selected database."),
        new("INFO", CommandId.Info, -1, S, 0, 0, 0, CommandGroup.Server, "Returns information and statistics about the server."),
        new("CONFIG", CommandId.Config, -2, S | CommandFlags.Admin, 0, 0, 0, CommandGroup.Server, "A container for server configuration commands."),
        new("CLIENT", CommandId.Client, -2, S, 0, 0, 0, CommandGroup.Connection, "A container for client connection commands."),
        new("COMMAND", CommandId.Command, -1, S, 0, 0, 0, CommandGroup.Server, "Returns detailed information about all commands."),
        new("TIME", CommandId.Time, 1, S | F, 0, 0, 0, CommandGroup.Server, "Returns the server time."),
        new("RESET", CommandId.Reset, 1, S | CommandFlags.NoAuth | CommandFlags.NotQueued | CommandFlags.SubscribedOk, 0, 0, 0, CommandGroup.Connection, "Resets the connection."),
        new("ROLE", CommandId.Role, 1, S | F, 0, 0, 0, CommandGroup.Server, "Returns the replication role."),
        new("SLOWLOG", CommandId.SlowLog, -2, S | CommandFlags.Admin, 0, 0, 0, CommandGroup.Server, "A container for slow log commands."),
        new("DBSIZE", CommandId.DbSize, 1, R, 0, 0, 0, CommandGroup.Server, "Returns the number of keys in the database."),
        new("FLUSHDB", CommandId.FlushDb, -1, W, 0, 0, 0, CommandGroup.Server, "Removes all keys from the current database."),
        new("FLUSHALL", CommandId.FlushAll, -1, W, 0, 0, 0, CommandGroup.Server, "Removes all keys from all databases."),

        new("DEL", CommandId.Del, -2, W, 1, -1, 1, CommandGroup.Generic, "Deletes one or more keys."),
        new("UNLINK", CommandId.Unlink, -2, W | F, 1, -1, 1, CommandGroup.Generic, "Deletes one or more keys."),
        new("EXISTS", CommandId.Exists, -2, R | F, 1, -1, 1, CommandGroup.Generic, "Determines whether one or more keys exist."),
        new("TYPE", CommandId.Type, 2, R | F, 1, 1, 1, CommandGroup.Generic, "Determines the type of value stored at a key."),
        new("KEYS", CommandId.Keys, 2, R, 0, 0, 0, CommandGroup.Generic, "Returns all key names that match a pattern."),
        new("SCAN", CommandId.Scan, -2, R, 0, 0, 0, CommandGroup.Generic, "Iterates over the key names in the database."),
        new("RENAME", CommandId.Rename, 3, W, 1, 2, 1, CommandGroup.Generic, "Renames a key and overwrites the destination."),
        new("RENAMENX", CommandId.RenameNx, 3, W | F, 1, 2, 1, CommandGroup.Generic, "Renames a key only when the target key name doesn't exist."),
        new("EXPIRE", CommandId.Expire, -3, W | F, 1, 1, 1, CommandGroup.Generic, "Sets the expiration time of a key in seconds."),
        new("PEXPIRE", CommandId.PExpire, -3, W | F, 1, 1, 1, CommandGroup.Generic, "Sets the expiration time of a key in milliseconds."),
        new("EXPIREAT", CommandId.ExpireAt, -3, W | F, 1, 1, 1, CommandGroup.Generic, "Sets the expiration time of a key to a Unix timestamp."),
        new("PEXPIREAT", CommandId.PExpireAt, -3, W | F, 1, 1, 1, CommandGroup.Generic, "Sets the expiration time of a key to a Unix milliseconds timestamp."),
        new("TTL", CommandId.Ttl, 2, R | F, 1, 1, 1, CommandGroup.Generic, "Returns the expiration time in seconds of a key."),
        new("PTTL", CommandId.PTtl, 2, R | F, 1, 1, 1, CommandGroup.Generic, "Returns the expiration time in milliseconds of a key."),
        new("EXPIRETIME", CommandId.ExpireTime, 2, R | F, 1, 1, 1, CommandGroup.Generic, "Returns the expiration time of a key as a Unix timestamp."),
        new("PEXPIRETIME", CommandId.PExpireTime, 2, R | F, 1, 1, 1, CommandGroup.Generic, "Returns the expiration time of a key as a Unix milliseconds timestamp."),
        new("PERSIST", CommandId.Persist, 2, W | F, 1, 1, 1, CommandGroup.Generic, "Removes the expiration time of a key."),
        new("RANDOMKEY", CommandId.RandomKey, 1, R, 0, 0, 0, CommandGroup.Generic, "Returns a random key name from the database."),
        new("COPY", CommandId.Copy, -3, W, 1, 2, 1, CommandGroup.Generic, "Copies the value of a key to a new key."),
        new("MOVE", CommandId.Move, 3, W | F, 1, 1, 1, CommandGroup.Generic, "Moves a key to another database."),
        new("SWAPDB", CommandId.SwapDb, 3, W | F, 0, 0, 0, CommandGroup.Generic, "Swaps two Redis databases."),
        new("OBJECT", CommandId.Object, -2, CommandFlags.None, 0, 0, 0, CommandGroup.Generic, "A container for object introspection commands."),

        new("GET", CommandId.Get, 2, R | F, 1, 1, 1, CommandGroup.String, "Returns the string value of a key."),
        new("SET", CommandId.Set, -3, W, 1, 1, 1, CommandGroup.String, "Sets the string value of a key, ignoring its type."),
        new("SETNX", CommandId.SetNx, 3, W | F, 1, 1, 1, CommandGroup.String, "Set the string value of a key only when the key doesn't exist."),
        new("SETEX", CommandId.SetEx, 4, W, 1, 1, 1, CommandGroup.String, "Sets the string value and expiration time of a key."),
        new("PSETEX", CommandId.PSetEx, 4, W, 1, 1, 1, CommandGroup.String, "Sets both string value and expiration time in milliseconds of a key."),
        new("GETSET", CommandId.GetSet, 3, W | F, 1, 1, 1, CommandGroup.String, "Returns the previous string value of a key after setting it to a new value."),
        new("GETDEL", CommandId.GetDel, 2, W | F, 1, 1, 1, CommandGroup.String, "Returns the string value of a key after deleting the key."),
        new("GETEX", CommandId.GetEx, -2, W | F, 1, 1, 1, CommandGroup.String, "Returns the string value of a key after setting its expiration time."),
        new("MGET", CommandId.MGet, -2, R | F, 1, -1, 1, CommandGroup.String, "Atomically returns the string values of one or more keys."),
        new("MSET", CommandId.MSet, -3, W, 1, -1, 2, CommandGroup.String, "Atomically creates or modifies the string values of one or more keys."),
        new("MSETNX", CommandId.MSetNx, -3, W, 1, -1, 2, CommandGroup.String, "Atomically modifies the string values of one or more keys only when all keys don't exist."),
        new("INCR", CommandId.Incr, 2, W | F, 1, 1, 1, CommandGroup.String, "Increments the integer value of a key by one."),
        new("DECR", CommandId.Decr, 2, W | F, 1, 1, 1, CommandGroup.String, "Decrements the integer value of a key by one."),
        new("INCRBY", CommandId.IncrBy, 3, W | F, 1, 1, 1, CommandGroup.String, "Increments the integer value of a key by a number."),
        new("DECRBY", CommandId.DecrBy, 3, W | F, 1, 1, 1, CommandGroup.String, "Decrements a number from the integer value of a key."),
        new("INCRBYFLOAT", CommandId.IncrByFloat, 3, W | F, 1, 1, 1, CommandGroup.String, "Increment the floating point value of a key by a number."),
        new("APPEND", CommandId.Append, 3, W | F, 1, 1, 1, CommandGroup.String, "Appends a string to the value of a key."),
        new("STRLEN", CommandId.StrLen, 2, R | F, 1, 1, 1, CommandGroup.String, "Returns the length of a string value."),
        new("GETRANGE", CommandId.GetRange, 4, R, 1, 1, 1, CommandGroup.String, "Returns a substring of the string stored at a key."),
        new("SETRANGE", CommandId.SetRange, 4, W, 1, 1, 1, CommandGroup.String, "Overwrites a part of a string value with another by an offset."),
        new("SETBIT", CommandId.SetBit, 4, W | F, 1, 1, 1, CommandGroup.String, "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist."),
        new("GETBIT", CommandId.GetBit, 3, R | F, 1, 1, 1, CommandGroup.String, "Returns a bit value by offset."),
        new("LCS", CommandId.Lcs, -3, R, 1, 2, 1, CommandGroup.String, "Finds the longest common substring."),
        new("BITCOUNT", CommandId.BitCount, -2, R, 1, 1, 1, CommandGroup.Bitmap, "Counts the number of set bits (population counting) in a string."),
        new("BITPOS", CommandId.BitPos, -3, R, 1, 1, 1, CommandGroup.Bitmap, "Finds the first set (1) or clear (0) bit in a string."),
        new("BITOP", CommandId.BitOp, -4, W, 2, -1, 1, CommandGroup.Bitmap, "Performs bitwise operations on multiple strings, and stores the result."),
        new("BITFIELD", CommandId.BitField, -2, W, 1, 1, 1, CommandGroup.Bitmap, "Performs arbitrary bitfield integer operations on strings."),
        new("BITFIELD_RO", CommandId.BitFieldRo, -2, R | F, 1, 1, 1, CommandGroup.Bitmap, "Performs arbitrary read-only bitfield integer operations on strings."),
        new("PFADD", CommandId.PfAdd, -2, W | F, 1, 1, 1, CommandGroup.HyperLogLog, "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist."),
        new("PFCOUNT", CommandId.PfCount, -2, R, 1, -1, 1, CommandGroup.HyperLogLog, "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s)."),
        new("PFDEBUG", CommandId.PfDebug, 3, W | CommandFlags.Admin, 2, 2, 1, CommandGroup.HyperLogLog, "Internal commands for debugging HyperLogLog values."),
        new("PFSELFTEST", CommandId.PfSelfTest, 1, CommandFlags.Admin, 0, 0, 0, CommandGroup.HyperLogLog, "An internal command for testing HyperLogLog values."),
        new("PFMERGE", CommandId.PfMerge, -2, W, 1, -1, 1, CommandGroup.HyperLogLog, "Merges one or more HyperLogLog values into a single key."),

        new("HSET", CommandId.HSet, -4, W | F, 1, 1, 1, CommandGroup.Hash, "Creates or modifies the value of a field in a hash."),
        new("HMSET", CommandId.HMSet, -4, W | F, 1, 1, 1, CommandGroup.Hash, "Sets the values of multiple fields."),
        new("HSETNX", CommandId.HSetNx, 4, W | F, 1, 1, 1, CommandGroup.Hash, "Sets the value of a field in a hash only when the field doesn't exist."),
        new("HGET", CommandId.HGet, 3, R | F, 1, 1, 1, CommandGroup.Hash, "Returns the value of a field in a hash."),
        new("HMGET", CommandId.HMGet, -3, R | F, 1, 1, 1, CommandGroup.Hash, "Returns the values of all fields in a hash."),
        new("HGETALL", CommandId.HGetAll, 2, R, 1, 1, 1, CommandGroup.Hash, "Returns all fields and values in a hash."),
        new("HDEL", CommandId.HDel, -3, W | F, 1, 1, 1, CommandGroup.Hash, "Deletes one or more fields and their values from a hash."),
        new("HEXISTS", CommandId.HExists, 3, R | F, 1, 1, 1, CommandGroup.Hash, "Determines whether a field exists in a hash."),
        new("HLEN", CommandId.HLen, 2, R | F, 1, 1, 1, CommandGroup.Hash, "Returns the number of fields in a hash."),
        new("HKEYS", CommandId.HKeys, 2, R, 1, 1, 1, CommandGroup.Hash, "Returns all fields in a hash."),
        new("HVALS", CommandId.HVals, 2, R, 1, 1, 1, CommandGroup.Hash, "Returns all values in a hash."),
        new("HINCRBY", CommandId.HIncrBy, 4, W | F, 1, 1, 1, CommandGroup.Hash, "Increments the integer value of a field in a hash by a number."),
        new("HINCRBYFLOAT", CommandId.HIncrByFloat, 4, W | F, 1, 1, 1, CommandGroup.Hash, "Increments the floating point value of a field by a number."),
        new("HSCAN", CommandId.HScan, -3, R, 1, 1, 1, CommandGroup.Hash, "Iterates over fields and values of a hash."),
        new("HRANDFIELD", CommandId.HRandField, -2, R, 1, 1, 1, CommandGroup.Hash, "Returns one or more random fields from a hash."),
        new("HSTRLEN", CommandId.HStrLen, 3, R | F, 1, 1, 1, CommandGroup.Hash, "Returns the length of the value of a field."),

        new("LPUSH", CommandId.LPush, -3, W | F, 1, 1, 1, CommandGroup.List, "Prepends one or more elements to a list."),
        new("RPUSH", CommandId.RPush, -3, W | F, 1, 1, 1, CommandGroup.List, "Appends one or more elements to a list."),
        new("LPUSHX", CommandId.LPushX, -3, W | F, 1, 1, 1, CommandGroup.List, "Prepends one or more elements to a list only when the list exists."),
        new("RPUSHX", CommandId.RPushX, -3, W | F, 1, 1, 1, CommandGroup.List, "Appends an element to a list only when the list exists."),
        new("LPOP", CommandId.LPop, -2, W | F, 1, 1, 1, CommandGroup.List, "Returns the first elements in a list after removing it."),
        new("RPOP", CommandId.RPop, -2, W | F, 1, 1, 1, CommandGroup.List, "Returns and removes the last elements of a list."),
        new("LLEN", CommandId.LLen, 2, R | F, 1, 1, 1, CommandGroup.List, "Returns the length of a list."),
        new("LRANGE", CommandId.LRange, 4, R, 1, 1, 1, CommandGroup.List, "Returns a range of elements from a list."),
        new("LINDEX", CommandId.LIndex, 3, R, 1, 1, 1, CommandGroup.List, "Returns an element from a list by its index."),
        new("LSET", CommandId.LSet, 4, W, 1, 1, 1, CommandGroup.List, "Sets the value of an element in a list by its index."),
        new("LINSERT", CommandId.LInsert, 5, W, 1, 1, 1, CommandGroup.List, "Inserts an element before or after another element in a list."),
        new("LREM", CommandId.LRem, 4, W, 1, 1, 1, CommandGroup.List, "Removes elements from a list."),
        new("LTRIM", CommandId.LTrim, 4, W, 1, 1, 1, CommandGroup.List, "Removes elements from both ends a list."),
        new("LPOS", CommandId.LPos, -3, R, 1, 1, 1, CommandGroup.List, "Returns the index of matching elements in a list."),
        new("LMOVE", CommandId.LMove, 5, W, 1, 2, 1, CommandGroup.List, "Returns an element after popping it from one list and pushing it to another."),
        new("RPOPLPUSH", CommandId.RPopLPush, 3, W, 1, 2, 1, CommandGroup.List, "Returns the last element of a list after removing and pushing it to another list."),
        new("BLPOP", CommandId.BLPop, -3, W | CommandFlags.Blocking, 1, -2, 1, CommandGroup.List, "Removes and returns the first element in a list. Blocks until an element is available otherwise."),
        new("BRPOP", CommandId.BRPop, -3, W | CommandFlags.Blocking, 1, -2, 1, CommandGroup.List, "Removes and returns the last element in a list. Blocks until an element is available otherwise."),
        new("BLMOVE", CommandId.BLMove, 6, W | CommandFlags.Blocking, 1, 2, 1, CommandGroup.List, "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise."),
        new("LMPOP", CommandId.LMPop, -4, W | M, 0, 0, 0, CommandGroup.List, "Returns multiple elements from a list after removing them."),

        new("SADD", CommandId.SAdd, -3, W | F, 1, 1, 1, CommandGroup.Set, "Adds one or more members to a set."),
        new("SREM", CommandId.SRem, -3, W | F, 1, 1, 1, CommandGroup.Set, "Removes one or more members from a set."),
        new("SMEMBERS", CommandId.SMembers, 2, R, 1, 1, 1, CommandGroup.Set, "Returns all members of a set."),
        new("SISMEMBER", CommandId.SIsMember, 3, R | F, 1, 1, 1, CommandGroup.Set, "Determines whether a member belongs to a set."),
        new("SMISMEMBER", CommandId.SMIsMember, -3, R | F, 1, 1, 1, CommandGroup.Set, "Determines whether multiple members belong to a set."),
        new("SCARD", CommandId.SCard, 2, R | F, 1, 1, 1, CommandGroup.Set, "Returns the number of members in a set."),
        new("SPOP", CommandId.SPop, -2, W | F, 1, 1, 1, CommandGroup.Set, "Returns one or more random members from a set after removing them."),
        new("SRANDMEMBER", CommandId.SRandMember, -2, R, 1, 1, 1, CommandGroup.Set, "Get one or multiple random members from a set."),
        new("SINTER", CommandId.SInter, -2, R, 1, -1, 1, CommandGroup.Set, "Returns the intersect of multiple sets."),
        new("SUNION", CommandId.SUnion, -2, R, 1, -1, 1, CommandGroup.Set, "Returns the union of multiple sets."),
        new("SDIFF", CommandId.SDiff, -2, R, 1, -1, 1, CommandGroup.Set, "Returns the difference of multiple sets."),
        new("SINTERSTORE", CommandId.SInterStore, -3, W, 1, -1, 1, CommandGroup.Set, "Stores the intersect of multiple sets in a key."),
        new("SUNIONSTORE", CommandId.SUnionStore, -3, W, 1, -1, 1, CommandGroup.Set, "Stores the union of multiple sets in a key."),
        new("SDIFFSTORE", CommandId.SDiffStore, -3, W, 1, -1, 1, CommandGroup.Set, "Stores the difference of multiple sets in a key."),
        new("SMOVE", CommandId.SMove, 4, W | F, 1, 2, 1, CommandGroup.Set, "Moves a member from one set to another."),
        new("SSCAN", CommandId.SScan, -3, R, 1, 1, 1, CommandGroup.Set, "Iterates over members of a set."),
        new("SINTERCARD", CommandId.SInterCard, -3, R | M, 0, 0, 0, CommandGroup.Set, "Returns the number of members of the intersect of multiple sets."),

        new("ZADD", CommandId.ZAdd, -4, W | F, 1, 1, 1, CommandGroup.SortedSet, "Adds one or more members to a sorted set, or updates their scores."),
        new("ZREM", CommandId.ZRem, -3, W | F, 1, 1, 1, CommandGroup.SortedSet, "Removes one or more members from a sorted set."),
        new("ZSCORE", CommandId.ZScore, 3, R | F, 1, 1, 1, CommandGroup.SortedSet, "Returns the score of a member in a sorted set."),
        new("ZMSCORE", CommandId.ZMScore, -3, R | F, 1, 1, 1, CommandGroup.SortedSet, "Returns the score of one or more members in a sorted set."),
        new("ZINCRBY", CommandId.ZIncrBy, 4, W | F, 1, 1, 1, CommandGroup.SortedSet, "Increments the score of a member in a sorted set."),
        new("ZCARD", CommandId.ZCard, 2, R | F, 1, 1, 1, CommandGroup.SortedSet, "Returns the number of members in a sorted set."),
        new("ZCOUNT", CommandId.ZCount, 4, R | F, 1, 1, 1, CommandGroup.SortedSet, "Returns the count of members in a sorted set that have scores within a range."),
        new("ZRANGE", CommandId.ZRange, -4, R, 1, 1, 1, CommandGroup.SortedSet, "Returns members in a sorted set within a range of indexes."),
        new("ZRANGEBYSCORE", CommandId.ZRangeByScore, -4, R, 1, 1, 1, CommandGroup.SortedSet, "Returns members in a sorted set within a range of scores."),
        new("ZREVRANGEBYSCORE", CommandId.ZRevRangeByScore, -4, R, 1, 1, 1, CommandGroup.SortedSet, "Returns members in a sorted set within a range of scores in reverse order."),
        new("ZREVRANGE", CommandId.ZRevRange, -4, R, 1, 1, 1, CommandGroup.SortedSet, "Returns members in a sorted set within a range of indexes in reverse order."),
        new("ZRANK", CommandId.ZRank, 3, R | F, 1, 1, 1, CommandGroup.SortedSet, "Returns the index of a member in a sorted set ordered by ascending scores."),
        new("ZREVRANK", CommandId.ZRevRank, 3, R | F, 1, 1, 1, CommandGroup.SortedSet, "Returns the index of a member in a sorted set ordered by descending scores."),
        new("ZPOPMIN", CommandId.ZPopMin, -2, W | F, 1, 1, 1, CommandGroup.SortedSet, "Returns the lowest-scoring members from a sorted set after removing them."),
        new("ZPOPMAX", CommandId.ZPopMax, -2, W | F, 1, 1, 1, CommandGroup.SortedSet, "Returns the highest-scoring members from a sorted set after removing them."),
        new("ZSCAN", CommandId.ZScan, -3, R, 1, 1, 1, CommandGroup.SortedSet, "Iterates over members and scores of a sorted set."),
        new("ZRANGEBYLEX", CommandId.ZRangeByLex, -4, R, 1, 1, 1, CommandGroup.SortedSet, "Returns members in a sorted set within a lexicographical range."),
        new("ZREVRANGEBYLEX", CommandId.ZRevRangeByLex, -4, R, 1, 1, 1, CommandGroup.SortedSet, "Returns members in a sorted set within a lexicographical range in reverse order."),
        new("ZLEXCOUNT", CommandId.ZLexCount, 4, R | F, 1, 1, 1, CommandGroup.SortedSet, "Returns the number of members in a sorted set within a lexicographical range."),
        new("ZREMRANGEBYSCORE", CommandId.ZRemRangeByScore, 4, W, 1, 1, 1, CommandGroup.SortedSet, "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed."),
        new("ZREMRANGEBYRANK", CommandId.ZRemRangeByRank, 4, W, 1, 1, 1, CommandGroup.SortedSet, "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed."),
        new("ZREMRANGEBYLEX", CommandId.ZRemRangeByLex, 4, W, 1, 1, 1, CommandGroup.SortedSet, "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed."),
        new("ZUNIONSTORE", CommandId.ZUnionStore, -4, W | M, 1, 1, 1, CommandGroup.SortedSet, "Stores the union of multiple sorted sets in a key."),
        new("ZINTERSTORE", CommandId.ZInterStore, -4, W | M, 1, 1, 1, CommandGroup.SortedSet, "Stores the intersect of multiple sorted sets in a key."),
        new("ZRANDMEMBER", CommandId.ZRandMember, -2, R, 1, 1, 1, CommandGroup.SortedSet, "Returns one or more random members from a sorted set."),
        new("ZUNION", CommandId.ZUnion, -3, R | M, 0, 0, 0, CommandGroup.SortedSet, "Returns the union of multiple sorted sets."),
        new("ZINTER", CommandId.ZInter, -3, R | M, 0, 0, 0, CommandGroup.SortedSet, "Returns the intersect of multiple sorted sets."),
        new("ZDIFF", CommandId.ZDiff, -3, R | M, 0, 0, 0, CommandGroup.SortedSet, "Returns the difference between multiple sorted sets."),
        new("ZDIFFSTORE", CommandId.ZDiffStore, -4, W | M, 1, 1, 1, CommandGroup.SortedSet, "Stores the difference of multiple sorted sets in a key."),
        new("ZRANGESTORE", CommandId.ZRangeStore, -5, W, 1, 2, 1, CommandGroup.SortedSet, "Stores a range of members from sorted set in a key."),

        new("MULTI", CommandId.Multi, 1, S | F | CommandFlags.NotQueued, 0, 0, 0, CommandGroup.Transactions, "Starts a transaction."),
        new("EXEC", CommandId.Exec, 1, W | CommandFlags.NotQueued, 0, 0, 0, CommandGroup.Transactions, "Executes all commands in a transaction."),
        new("DISCARD", CommandId.Discard, 1, S | F | CommandFlags.NotQueued, 0, 0, 0, CommandGroup.Transactions, "Discards a transaction."),
        new("WATCH", CommandId.Watch, -2, S | F | CommandFlags.NotQueued, 1, -1, 1, CommandGroup.Transactions, "Monitors changes to keys to determine the execution of a transaction."),
        new("UNWATCH", CommandId.Unwatch, 1, S | F, 0, 0, 0, CommandGroup.Transactions, "Forgets about watched keys of a transaction."),

        new("SUBSCRIBE", CommandId.Subscribe, -2, S | CommandFlags.PubSub | CommandFlags.SubscribedOk, 0, 0, 0, CommandGroup.PubSub, "Listens for messages published to channels."),
        new("UNSUBSCRIBE", CommandId.Unsubscribe, -1, S | CommandFlags.PubSub | CommandFlags.SubscribedOk, 0, 0, 0, CommandGroup.PubSub, "Stops listening to messages posted to channels."),
        new("PSUBSCRIBE", CommandId.PSubscribe, -2, S | CommandFlags.PubSub | CommandFlags.SubscribedOk, 0, 0, 0, CommandGroup.PubSub, "Listens for messages published to channels that match one or more patterns."),
        new("PUNSUBSCRIBE", CommandId.PUnsubscribe, -1, S | CommandFlags.PubSub | CommandFlags.SubscribedOk, 0, 0, 0, CommandGroup.PubSub, "Stops listening to messages published to channels that match one or more patterns."),
        new("PUBLISH", CommandId.Publish, 3, S | CommandFlags.PubSub | F, 0, 0, 0, CommandGroup.PubSub, "Posts a message to a channel."),
        // Streams. XREAD/XREADGROUP block only with BLOCK (RespSession.Streams.cs), so they carry no Blocking flag.
        new("XADD", CommandId.XAdd, -5, W | F, 1, 1, 1, CommandGroup.Stream, "Appends a new message to a stream. Creates the key if it doesn't exist."),
        new("XLEN", CommandId.XLen, 2, R | F, 1, 1, 1, CommandGroup.Stream, "Return the number of messages in a stream."),
        new("XRANGE", CommandId.XRange, -4, R, 1, 1, 1, CommandGroup.Stream, "Returns the messages from a stream within a range of IDs."),
        new("XREVRANGE", CommandId.XRevRange, -4, R, 1, 1, 1, CommandGroup.Stream, "Returns the messages from a stream within a range of IDs in reverse order."),
        new("XDEL", CommandId.XDel, -3, W | F, 1, 1, 1, CommandGroup.Stream, "Returns the number of messages after removing them from a stream."),
        new("XTRIM", CommandId.XTrim, -4, W, 1, 1, 1, CommandGroup.Stream, "Deletes messages from the beginning of a stream."),
        new("XREAD", CommandId.XRead, -4, R | M, 0, 0, 0, CommandGroup.Stream, "Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise."),
        new("XREADGROUP", CommandId.XReadGroup, -7, W | M, 0, 0, 0, CommandGroup.Stream, "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise."),
        new("XGROUP", CommandId.XGroup, -2, W, 0, 0, 0, CommandGroup.Stream, "A container for consumer groups commands."),
        new("XACK", CommandId.XAck, -4, W | F, 1, 1, 1, CommandGroup.Stream, "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream."),
        new("XPENDING", CommandId.XPending, -3, R, 1, 1, 1, CommandGroup.Stream, "Returns the information and entries from a stream consumer group's pending entries list."),
        new("XCLAIM", CommandId.XClaim, -6, W | F, 1, 1, 1, CommandGroup.Stream, "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member."),
        new("XAUTOCLAIM", CommandId.XAutoClaim, -6, W | F, 1, 1, 1, CommandGroup.Stream, "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member."),
        new("XINFO", CommandId.XInfo, -2, R, 0, 0, 0, CommandGroup.Stream, "A container for stream introspection commands."),
        new("XSETID", CommandId.XSetId, -3, W | F, 1, 1, 1, CommandGroup.Stream, "An internal command for replicating stream values."),
        new("PUBSUB", CommandId.PubSubCmd, -2, S | CommandFlags.PubSub, 0, 0, 0, CommandGroup.PubSub, "A container for Pub/Sub commands."),

        new("EVAL", CommandId.Eval, -3, M | CommandFlags.NoScript, 0, 0, 0, CommandGroup.Scripting, "Executes a server-side Lua script."),
        new("EVALSHA", CommandId.EvalSha, -3, M | CommandFlags.NoScript, 0, 0, 0, CommandGroup.Scripting, "Executes a server-side Lua script by SHA1 digest."),
        new("EVAL_RO", CommandId.EvalRo, -3, R | M | CommandFlags.NoScript, 0, 0, 0, CommandGroup.Scripting, "Executes a read-only server-side Lua script."),
        new("EVALSHA_RO", CommandId.EvalShaRo, -3, R | M | CommandFlags.NoScript, 0, 0, 0, CommandGroup.Scripting, "Executes a read-only server-side Lua script by SHA1 digest."),
        new("SCRIPT", CommandId.Script, -2, S, 0, 0, 0, CommandGroup.Scripting, "A container for Lua scripts management commands."),
        new("FUNCTION", CommandId.Function, -2, S, 0, 0, 0, CommandGroup.Scripting, "A container for function commands."),
        new("FCALL", CommandId.FCall, -3, M | CommandFlags.NoScript, 0, 0, 0, CommandGroup.Scripting, "Invokes a function."),
        new("FCALL_RO", CommandId.FCallRo, -3, R | M | CommandFlags.NoScript, 0, 0, 0, CommandGroup.Scripting, "Invokes a read-only function."),
    ];

    private static readonly Dictionary<string, RespCommandInfo> ByName = BuildIndex();
    private static readonly Dictionary<string, RespCommandInfo>.AlternateLookup<ReadOnlySpan<char>> ByNameSpan =
        ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    private static Dictionary<string, RespCommandInfo> BuildIndex()
    {
        var index = new Dictionary<string, RespCommandInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (RespCommandInfo info in All)
        {
            index.Add(info.Name, info);
        }

        return index;
    }

    /// <summary>Finds a command by its name (any case) without allocating.</summary>
    public static RespCommandInfo? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length is 0 or > 24)
        {
            return null;
        }

        Span<char> chars = stackalloc char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            chars[i] = (char)name[i];
        }

        return ByNameSpan.TryGetValue(chars, out RespCommandInfo? info) ? info : null;
    }
}
