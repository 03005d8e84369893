using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>How XADD/XTRIM trim: MAXLEN or MINID, exact or <c>~</c> (whole emulated nodes), with a work LIMIT.</summary>
public struct StreamTrimArgs
{
    public bool Enabled;
    public bool ByMinId;
    public bool Approx;
    public long MaxLen;
    public StreamId MinId;

    /// <summary>Most entries one trim deletes; 0 = no limit.</summary>
    public long Limit;

    public bool NoMkStream;

    /// <summary>XADD's ID: null for <c>*</c>; <see cref="SeqGiven"/> false for <c>ms-*</c>.</summary>
    public StreamId? Id;
    public bool SeqGiven;
}

/// <summary>Redis's <c>stream-node-max-entries</c> / <c>stream-node-max-bytes</c>: the node size <c>~</c> trimming works in.</summary>
public readonly record struct StreamNodeLimits(long MaxEntries, long MaxBytes)
{
    public static readonly StreamNodeLimits Default = new(100, 4096);
}

/// <summary>Stream operations (XADD, XLEN, XRANGE, XDEL, XTRIM, XSETID) over the layout in <c>RedisStreams.Storage.cs</c>.</summary>
public static partial class RedisStreams
{
    /// <summary>
    /// Redis <c>streamParseAddOrTrimArgsOrReply</c> over the whole command (<c>args[0]</c> is its name). For XADD
    /// <paramref name="idIndex"/> is the position of the ID; the field/value pairs follow it.
    /// </summary>
    public static RedisError ParseTrimArgs(RedisArgs args, bool xadd, StreamNodeLimits limits, out StreamTrimArgs parsed, out int idIndex)
    {
        parsed = default;
        idIndex = -1;
        bool limitGiven = false;
        int i = 2;
        for (; i < args.Count; i++)
        {
            int more = args.Count - 1 - i;
            ReadOnlySpan<byte> opt = args[i];
            if (xadd && opt.Length == 1 && opt[0] == '*')
            {
                break;
            }

            bool maxlen = System.Text.Ascii.EqualsIgnoreCase(opt, "MAXLEN"u8);
            if ((maxlen || System.Text.Ascii.EqualsIgnoreCase(opt, "MINID"u8)) && more > 0)
            {
                if (parsed.Enabled)
                {
                    return RedisError.StreamTrimConflict;
                }

                parsed.Approx = false;
                ReadOnlySpan<byte> next = args[i + 1];
                if (more >= 2 && next.Length == 1 && next[0] is (byte)'~' or (byte)'=')
                {
                    parsed.Approx = next[0] == '~';
                    i++;
                }

                if (maxlen)
                {
                    if (!RedisNumbers.ParseLong(args[i + 1], out parsed.MaxLen))
                    {
                        return RedisError.NotInteger;
                    }

                    if (parsed.MaxLen < 0)
                    {
                        return RedisError.StreamMaxLenNegative;
                    }
                }
                else if (!StreamId.TryParse(args[i + 1], 0, strict: true, out parsed.MinId))
                {
                    return RedisError.StreamInvalidId;
                }

                i++;
                parsed.Enabled = true;
                parsed.ByMinId = !maxlen;
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(opt, "LIMIT"u8) && more > 0)
            {
                if (!RedisNumbers.ParseLong(args[i + 1], out parsed.Limit))
                {
                    return RedisError.NotInteger;
                }

                if (parsed.Limit < 0)
                {
                    return RedisError.StreamLimitNegative;
                }

                limitGiven = true;
                i++;
            }
            else if (xadd && System.Text.Ascii.EqualsIgnoreCase(opt, "NOMKSTREAM"u8))
            {
                parsed.NoMkStream = true;
            }
            else if (xadd)
            {
                if (!StreamId.TryParse(opt, 0, strict: true, allowAutoSeq: true, out StreamId id, out parsed.SeqGiven))
                {
                    return RedisError.StreamInvalidId;
                }

                parsed.Id = id;
                break;
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        if (parsed.Limit != 0 && !parsed.Enabled)
        {
            return RedisError.StreamLimitWithoutTrim;
        }

        if (!xadd && !parsed.Enabled)
        {
            return RedisError.StreamTrimRequired;
        }

        if (limitGiven && !parsed.Approx)
        {
            return RedisError.StreamLimitWithoutApprox;
        }

        if (!limitGiven && parsed.Approx)
        {
            parsed.Limit = Math.Clamp(100 * limits.MaxEntries, 0, 1_000_000);
            if (parsed.Limit <= 0)
            {
                parsed.Limit = 10_000;
            }
        }

        idIndex = i;
        return RedisError.None;
    }

    /// <summary>
    /// XADD: appends one entry and trims. <paramref name="added"/> is null when NOMKSTREAM found no stream.
    /// </summary>
    public static RedisError Add(RedisKeyspace ks, ReadOnlySpan<byte> key, in StreamTrimArgs args, RedisArgs fieldValues,
        StreamNodeLimits limits, out StreamId? added)
    {
        added = null;
        if (args.Id is { IsZero: true } && args.SeqGiven)
        {
            return RedisError.StreamIdZero;
        }

        RedisError error = Open(ks, key, out KeyMeta meta, out StreamState state, out bool exists);
        if (error != RedisError.None || (!exists && args.NoMkStream))
        {
            return error;
        }

        if (state.LastId == StreamId.Max)
        {
            return RedisError.StreamExhausted;
        }

        StreamId id;
        if (args.Id is { } given)
        {
            if (args.SeqGiven)
            {
                id = given;
            }
            else if (state.LastId.Ms == given.Ms)
            {
                if (state.LastId.Seq == ulong.MaxValue)
                {
                    return RedisError.StreamTooLarge; // what Redis 7.0 answers here (its errno is not EDOM on this path)
                }

                id = new StreamId(given.Ms, state.LastId.Seq + 1);
            }
            else
            {
                id = given;
            }
        }
        else
        {
            ulong now = (ulong)Math.Max(0, ks.NowMs);
            id = now > state.LastId.Ms ? new StreamId(now, 0) : state.LastId.TryIncrement(out StreamId next) ? next : state.LastId;
        }

        if (id <= state.LastId)
        {
            return RedisError.StreamIdTooSmall;
        }

        long payload = 0;
        for (int i = 0; i < fieldValues.Count; i++)
        {
            payload += fieldValues[i].Length;
        }

        // Redis appends to the tail listpack unless it is gone, full by entry count, or full by bytes.
        long maxBytes = limits.MaxBytes <= 0 || limits.MaxBytes > 1L << 30 ? 1L << 30 : limits.MaxBytes;
        if (state.TailNodeLive == 0 || state.TailNodeBytes + payload >= maxBytes
            || (limits.MaxEntries > 0 && state.TailNodeInserted >= limits.MaxEntries))
        {
            state.TailNode++;
            state.TailNodeInserted = 0;
            state.TailNodeLive = 0;
            state.TailNodeBytes = MasterEntryBytes(fieldValues);
            state.TailMasterId = id;
        }

        Span<byte> suffix = stackalloc byte[17];
        EntrySuffix(suffix, id);
        ks.PutElement(key, suffix, default, EncodeEntry(state.TailNode, fieldValues));
        state.TailNodeInserted++;
        state.TailNodeLive++;
        state.TailNodeBytes += EntryBytes(id, state.TailMasterId, fieldValues);
        state.LastId = id;
        state.EntriesAdded++;
        meta.Count++;
        if (meta.Count == 1)
        {
            state.FirstId = id;
        }

        if (args.Enabled)
        {
            Trim(ks, key, ref meta, ref state, args);
        }

        Save(ks, key, ref meta, state);
        added = id;
        return RedisError.None;
    }

    /// <summary>XTRIM: how many entries were deleted (0 for a missing key).</summary>
    public static RedisError Trim(RedisKeyspace ks, ReadOnlySpan<byte> key, in StreamTrimArgs args, out long deleted)
    {
        deleted = 0;
        RedisError error = Open(ks, key, out KeyMeta meta, out StreamState state, out bool exists);
        if (error != RedisError.None || !exists)
        {
            return error;
        }

        deleted = Trim(ks, key, ref meta, ref state, args);
        if (deleted > 0)
        {
            Save(ks, key, ref meta, state);
        }

        return RedisError.None;
    }

    /// <summary>Redis <c>streamTrim</c>: whole head nodes while they may go, then (exact only) entries of the next one.</summary>
    private static long Trim(RedisKeyspace ks, ReadOnlySpan<byte> key, ref KeyMeta meta, ref StreamState state, in StreamTrimArgs args)
    {
        long deleted = 0;
        var node = new List<(StreamId Id, long Node)>();
        while (meta.Count > 0 && !(!args.ByMinId && meta.Count <= args.MaxLen))
        {
            // The head node's live entries, read no further than can matter.
            node.Clear();
            long enough = args.ByMinId ? long.MaxValue : meta.Count - args.MaxLen + 1;
            using (IKvCursor cursor = ScanEntries(ks, key, StreamId.Min, StreamId.Max, reverse: false))
            {
                long headNode = -1;
                while (node.Count < enough && cursor.MoveNext())
                {
                    long n = NodeOf(cursor.Value);
                    if (headNode >= 0 && n != headNode)
                    {
                        break;
                    }

                    headNode = n;
                    StreamId id = StreamId.Read(cursor.Key[^16..]);
                    node.Add((id, n));
                    if (args.ByMinId && id >= args.MinId)
                    {
                        break;
                    }
                }
            }

            if (node.Count == 0)
            {
                break;
            }

            bool wholeNodeRead = node.Count < enough && !(args.ByMinId && node[^1].Id >= args.MinId);
            long entries = node.Count;
            if (args.Limit > 0 && wholeNodeRead && deleted + entries > args.Limit)
            {
                break;
            }

            bool removeNode = wholeNodeRead && (args.ByMinId ? node[^1].Id < args.MinId : meta.Count - entries >= args.MaxLen);
            if (removeNode)
            {
                foreach ((StreamId id, long n) in node)
                {
                    RemoveEntry(ks, key, id, n, ref state);
                }

                meta.Count -= entries;
                deleted += entries;
                continue;
            }

            if (args.Approx || (args.Limit > 0 && deleted + entries > args.Limit))
            {
                break;
            }

            foreach ((StreamId id, long n) in node)
            {
                if (args.ByMinId ? id >= args.MinId : meta.Count <= args.MaxLen)
                {
                    break;
                }

                RemoveEntry(ks, key, id, n, ref state);
                meta.Count--;
                deleted++;
            }

            break;
        }

        if (deleted > 0)
        {
            RefreshFirstId(ks, key, meta.Count, ref state);
        }

        return deleted;
    }

    /// <summary>XLEN.</summary>
    public static RedisError Length(RedisKeyspace ks, ReadOnlySpan<byte> key, out long length)
    {
        RedisError error = ks.Find(key, RedisType.Stream, out KeyMeta meta);
        length = meta.Count;
        return error;
    }

    /// <summary>XRANGE/XREVRANGE: entries in [<paramref name="start"/>, <paramref name="end"/>], at most <paramref name="count"/> (0 = all).</summary>
    public static RedisError Range(RedisKeyspace ks, ReadOnlySpan<byte> key, StreamId start, StreamId end, long count, bool reverse,
        List<StreamEntry> into)
    {
        RedisError error = ks.Find(key, RedisType.Stream, out KeyMeta meta);
        if (error != RedisError.None || meta.Type != RedisType.Stream || start > end)
        {
            return error;
        }

        using IKvCursor cursor = ScanEntries(ks, key, start, end, reverse);
        while ((count <= 0 || into.Count < count) && cursor.MoveNext())
        {
            if (ks.DeadlinePassed())
            {
                into.Clear();
                return RedisError.DeadlineExceeded;
            }

            into.Add(new StreamEntry(StreamId.Read(cursor.Key[^16..]), cursor.Value.ToArray()));
        }

        return RedisError.None;
    }

    /// <summary>XDEL: how many of the IDs were entries (and are deleted).</summary>
    public static RedisError Delete(RedisKeyspace ks, ReadOnlySpan<byte> key, IReadOnlyList<StreamId> ids, out long deleted)
    {
        deleted = 0;
        RedisError error = Open(ks, key, out KeyMeta meta, out StreamState state, out bool exists);
        if (error != RedisError.None || !exists)
        {
            return error;
        }

        bool firstEntry = false;
        foreach (StreamId id in ids)
        {
            if (!TryGetEntry(ks, key, id, out byte[]? value))
            {
                continue;
            }

            RemoveEntry(ks, key, id, NodeOf(value), ref state);
            meta.Count--;
            deleted++;
            firstEntry |= id == state.FirstId;
            if (id > state.MaxDeletedId)
            {
                state.MaxDeletedId = id;
            }
        }

        if (deleted > 0)
        {
            if (meta.Count == 0 || firstEntry)
            {
                RefreshFirstId(ks, key, meta.Count, ref state);
            }

            Save(ks, key, ref meta, state);
        }

        return RedisError.None;
    }

    /// <summary>XSETID: the last ID, and optionally entries-added and max-deleted-entry-id (negative / null = unchanged).</summary>
    public static RedisError SetId(RedisKeyspace ks, ReadOnlySpan<byte> key, StreamId id, long entriesAdded, StreamId maxDeleted)
    {
        RedisError error = Open(ks, key, out KeyMeta meta, out StreamState state, out bool exists);
        if (error != RedisError.None)
        {
            return error;
        }

        if (!exists)
        {
            return RedisError.NoSuchKey;
        }

        if (meta.Count > 0)
        {
            if (id < (EdgeId(ks, key, last: true) ?? StreamId.Min))
            {
                return RedisError.StreamSetIdTooSmall;
            }

            if (entriesAdded != -1 && meta.Count > entriesAdded)
            {
                return RedisError.StreamSetIdEntriesAdded;
            }
        }

        state.LastId = id;
        if (entriesAdded != -1)
        {
            state.EntriesAdded = entriesAdded;
        }

        if (!maxDeleted.IsZero)
        {
            state.MaxDeletedId = maxDeleted;
        }

        Save(ks, key, ref meta, state);
        return RedisError.None;
    }

    /// <summary>The stream's state for XINFO and XREAD's <c>$</c>; <paramref name="exists"/> is false for a missing key.</summary>
    public static RedisError GetState(RedisKeyspace ks, ReadOnlySpan<byte> key, out long length, out StreamState state, out bool exists)
    {
        RedisError error = Open(ks, key, out KeyMeta meta, out state, out exists);
        length = meta.Count;
        return error;
    }
}
