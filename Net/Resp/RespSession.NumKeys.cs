using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>Commands whose keys are counted by a numkeys argument: SINTERCARD and LMPOP (non-blocking).</summary>
internal sealed partial class RespSession
{
    private void ExecuteSetExtension(CommandId id)
    {
        switch (id)
        {
            case CommandId.SInterCard:
                SInterCard();
                break;
            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }

    private RedisError ExecuteListExtension(CommandId id)
    {
        switch (id)
        {
            case CommandId.LMPop:
                return ListMultiPop();
            default:
                throw Error($"ERR '{id}' is not supported");
        }
    }

    /// <summary>Redis <c>getRangeLongFromObjectOrReply(..., 1, LONG_MAX, msg)</c>: one message for "not a number" and "below 1".</summary>
    private long ArgPositiveCount(int i, string message) => RedisNumbers.ParseLong(Arg(i), out long v) && v >= 1 ? v : throw Error(message);

    private void SInterCard()
    {
        long numKeys = ArgPositiveCount(1, "ERR numkeys should be greater than 0");
        if (numKeys > _argc - 2)
        {
            throw Error("ERR Number of keys can't be greater than number of args");
        }

        long limit = 0; // 0: no limit
        for (long j = 2 + numKeys; j < _argc; j++)
        {
            if (ArgIs((int)j, "LIMIT"u8) && j + 1 < _argc)
            {
                j++;
                limit = RedisNumbers.ParseLong(Arg((int)j), out long v) && v >= 0 ? v : throw Error("ERR LIMIT can't be negative");
            }
            else
            {
                throw Error(RedisErrors.Syntax);
            }
        }

        // Every key is looked up and type-checked (a missing key is an empty set) before anything is counted.
        var sets = new List<SortedSet<byte[]>>();
        for (int i = 0; i < numKeys; i++)
        {
            sets.Add(Members(Arg(2 + i)));
        }

        sets.Sort((a, b) => a.Count.CompareTo(b.Count));
        long cardinality = 0;
        foreach (byte[] member in sets[0])
        {
            bool everywhere = true;
            for (int i = 1; i < sets.Count && everywhere; i++)
            {
                everywhere = sets[i].Contains(member);
            }

            if (everywhere && ++cardinality == limit)
            {
                break;
            }
        }

        _out.WriteInteger(cardinality);
    }

    private RedisError ListMultiPop()
    {
        long numKeys = ArgPositiveCount(1, "ERR numkeys should be greater than 0");
        if (numKeys > _argc - 3)
        {
            return RedisError.Syntax; // no room left for LEFT|RIGHT
        }

        int where = 2 + (int)numKeys;
        bool left = ArgIs(where, "LEFT"u8);
        if (!left && !ArgIs(where, "RIGHT"u8))
        {
            return RedisError.Syntax;
        }

        long count = -1;
        for (int j = where + 1; j < _argc; j++)
        {
            if (count == -1 && ArgIs(j, "COUNT"u8) && j + 1 < _argc)
            {
                count = ArgPositiveCount(++j, "ERR count should be greater than 0");
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        var popped = new List<byte[]>();
        RedisError error = RedisLists.PopFromFirst(_keyspace, Args(2).Slice(0, (int)numKeys), left, Math.Max(count, 1), popped, out int keyIndex);
        if (keyIndex < 0)
        {
            _out.WriteNullArray();
            return error;
        }

        _out.WriteArrayHeader(2);
        _out.WriteBulk(Arg(2 + keyIndex));
        WriteBulkArray(popped);
        return error;
    }
}
