using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>The metadata record of one Redis key.</summary>
public struct KeyMeta
{
    public RedisType Type;

    /// <summary>Unix milliseconds; 0 = no expiry.</summary>
    public long ExpireAtMs;

    /// <summary>Element count of a collection.</summary>
    public long Count;

    /// <summary>List: index of the first element; <see cref="Tail"/> is one past the last.</summary>
    public long Head;

    public long Tail;
}

/// <summary>Told about every key a command writes: WATCH versions and blocked-client wake-ups hang off it.</summary>
public interface IKeyspaceObserver
{
    void KeyWritten(int db, ReadOnlySpan<byte> key);
}

/// <summary>
/// The Redis data-type layer over one <see cref="IKvTransaction"/> (see <see cref="RedisKeyCodec"/> for the layout).
/// One instance per client session, re-attached to a fresh transaction per command; its scratch buffers are
/// reused so that GET/SET allocate nothing.
/// </summary>
public sealed partial class RedisKeyspace
{
    private const int StringHeader = 9;
    private const int CollectionMetaLength = 33;

    private readonly IKeyspaceObserver? _observer;
    private readonly ArrayBufferWriter<byte> _value = new(256);
    private readonly ArrayBufferWriter<byte> _element = new(256);
    private readonly ArrayBufferWriter<byte> _compose = new(256);
    private byte[] _metaKey = new byte[256];
    private byte[] _elementKey = new byte[256];
    private byte[] _scratch = new byte[256];
    private IKvTransaction? _txn;
    private int _stringOffset;

    public RedisKeyspace(IKeyspaceObserver? observer = null) => _observer = observer;

    public int Db { get; set; }

    /// <summary>Redis's proto-max-bulk-len: no string grows past 512 MB.</summary>
    public const long MaxStringLength = 512L * 1024 * 1024;

    /// <summary>Largest value one write may produce (a commit is one WAL record); APPEND and SETRANGE check it before building.</summary>
    public long MaxValueBytes { get; set; } = MaxStringLength;

    public long NowMs { get; private set; }

    /// <summary>True once the attached transaction has written anything (so it must be committed).</summary>
    public bool HasWrites { get; private set; }

    /// <summary>Puts and deletes issued through this keyspace since it was created (tells whether a failed command wrote).</summary>
    public long WriteCount { get; private set; }

    /// <summary>A reused buffer where an operation builds a new value (APPEND, SETRANGE) before writing it.</summary>
    internal ArrayBufferWriter<byte> Compose
    {
        get
        {
            _compose.ResetWrittenCount();
            return _compose;
        }
    }

    public IKvTransaction Transaction => _txn ?? throw new InvalidOperationException("No transaction attached.");

    public void Attach(IKvTransaction transaction, int db, long nowMs)
    {
        _txn = transaction;
        Db = db;
        NowMs = nowMs;
        HasWrites = false;
    }

    public void Detach()
    {
        _txn = null;
        _deadline = 0;
    }

    // ---- deadline ----------------------------------------------------------------------------------

    private long _deadline;
    private int _deadlineCountdown;

    /// <summary>
    /// Gives the attached command (or script, or MULTI body) until <paramref name="timeout"/> from now; zero means no
    /// limit. Long loops poll <see cref="DeadlinePassed"/> and stop with <see cref="RedisError.DeadlineExceeded"/>, the
    /// caller rolls the transaction back, so a timed-out command changes nothing. Cooperative: no timer, no thread.
    /// </summary>
    public void SetDeadline(TimeSpan timeout)
    {
        _deadline = timeout <= TimeSpan.Zero ? 0 : Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        _deadlineCountdown = 0;
    }

    /// <summary>True once the deadline has passed; reads the clock every 256 calls, so a loop may call it per element.</summary>
    public bool DeadlinePassed()
    {
        if (_deadline == 0 || --_deadlineCountdown > 0)
        {
            return false;
        }

        _deadlineCountdown = 256;
        return Stopwatch.GetTimestamp() > _deadline;
    }

    /// <summary>Value of the string found by the last <see cref="Lookup"/>; valid until the next read.</summary>
    public ReadOnlySpan<byte> StringValue => _value.WrittenSpan[_stringOffset..];

    /// <summary>Finds a live key. An expired key is deleted on the spot (lazy expiry) and reported missing.</summary>
    public RedisType Lookup(ReadOnlySpan<byte> key, out KeyMeta meta)
    {
        Span<byte> mk = MetaKey(key);
        _value.ResetWrittenCount();
        if (!Transaction.TryGet(mk, _value))
        {
            meta = default;
            return RedisType.None;
        }

        meta = ParseMeta(_value.WrittenSpan);
        if (meta.ExpireAtMs != 0 && meta.ExpireAtMs <= NowMs)
        {
            DeleteKey(key, meta);
            meta = default;
            return RedisType.None;
        }

        _stringOffset = StringHeader;
        return meta.Type;
    }

    /// <summary>
    /// <see cref="Lookup"/> for a command that works on one type: a live key of another type is
    /// <see cref="RedisError.WrongType"/>; a missing key is no error and leaves <c>meta.Type</c> at <see cref="RedisType.None"/>.
    /// </summary>
    public RedisError Find(ReadOnlySpan<byte> key, RedisType expected, out KeyMeta meta)
    {
        RedisType type = Lookup(key, out meta);
        return type == RedisType.None || type == expected ? RedisError.None : RedisError.WrongType;
    }

    /// <summary>Whether a string of <paramref name="length"/> bytes may be written: Redis's 512 MB, then what one commit holds.</summary>
    public RedisError CheckStringLength(long length) =>
        length > MaxStringLength ? RedisError.StringTooLong : length > MaxValueBytes ? RedisError.ValueTooLarge : RedisError.None;

    public static KeyMeta ParseMeta(ReadOnlySpan<byte> record)
    {
        var meta = new KeyMeta
        {
            Type = (RedisType)record[0],
            ExpireAtMs = BinaryPrimitives.ReadInt64BigEndian(record[1..]),
        };
        if (meta.Type != RedisType.String && record.Length >= CollectionMetaLength)
        {
            meta.Count = BinaryPrimitives.ReadInt64BigEndian(record[9..]);
            meta.Head = BinaryPrimitives.ReadInt64BigEndian(record[17..]);
            meta.Tail = BinaryPrimitives.ReadInt64BigEndian(record[25..]);
        }

        return meta;
    }

    /// <summary>Writes a string value; <paramref name="oldExpireAtMs"/> is the expiry the key had (0 when new) so the index stays exact.</summary>
    public void WriteString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expireAtMs, long oldExpireAtMs)
    {
        int length = StringHeader + value.Length;
        Span<byte> record = Scratch(length);
        record[0] = (byte)RedisType.String;
        BinaryPrimitives.WriteInt64BigEndian(record[1..], expireAtMs);
        value.CopyTo(record[StringHeader..]);
        Put(MetaKey(key), record[..length]);
        UpdateExpiryIndex(key, oldExpireAtMs, expireAtMs);
        Touched(key);
    }

    /// <summary>Writes a collection's metadata; an empty collection deletes the key, as Redis does (an empty stream stays).</summary>
    public void WriteCollectionMeta(ReadOnlySpan<byte> key, in KeyMeta meta, long oldExpireAtMs)
    {
        if (meta.Count <= 0 && meta.Type != RedisType.Stream)
        {
            Delete(MetaKey(key));
            UpdateExpiryIndex(key, oldExpireAtMs, 0);
            Touched(key);
            return;
        }

        Span<byte> record = stackalloc byte[CollectionMetaLength];
        record[0] = (byte)meta.Type;
        BinaryPrimitives.WriteInt64BigEndian(record[1..], meta.ExpireAtMs);
        BinaryPrimitives.WriteInt64BigEndian(record[9..], meta.Count);
        BinaryPrimitives.WriteInt64BigEndian(record[17..], meta.Head);
        BinaryPrimitives.WriteInt64BigEndian(record[25..], meta.Tail);
        Put(MetaKey(key), record);
        UpdateExpiryIndex(key, oldExpireAtMs, meta.ExpireAtMs);
        Touched(key);
    }

    /// <summary>Removes a key with all its element records and its expiry index entry.</summary>
    public void DeleteKey(ReadOnlySpan<byte> key, in KeyMeta meta)
    {
        Delete(MetaKey(key));
        UpdateExpiryIndex(key, meta.ExpireAtMs, 0);
        if (meta.Type is not RedisType.String and not RedisType.None)
        {
            DeleteElements(key);
        }

        Touched(key);
    }

    /// <summary>Changes the expiry of a live key (0 = persist), keeping its value.</summary>
    public void SetExpire(ReadOnlySpan<byte> key, ref KeyMeta meta, long expireAtMs)
    {
        Span<byte> mk = MetaKey(key);
        _value.ResetWrittenCount();
        if (!Transaction.TryGet(mk, _value))
        {
            return;
        }

        int length = _value.WrittenCount;
        Span<byte> record = Scratch(length);
        _value.WrittenSpan.CopyTo(record);
        BinaryPrimitives.WriteInt64BigEndian(record[1..], expireAtMs);
        Put(mk, record[..length]);
        UpdateExpiryIndex(key, meta.ExpireAtMs, expireAtMs);
        meta.ExpireAtMs = expireAtMs;
        Touched(key);
    }

    // ---- elements ----------------------------------------------------------------------------------

    /// <summary>Builds <c>prefix(key) a b</c> in a reused buffer; valid until the next element call.</summary>
    public ReadOnlySpan<byte> ElementKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b = default)
    {
        int max = RedisKeyCodec.MaxElementPrefixLength(key.Length) + a.Length + b.Length;
        if (_elementKey.Length < max)
        {
            _elementKey = new byte[Math.Max(max, _elementKey.Length * 2)];
        }

        int n = RedisKeyCodec.WriteElementPrefix(_elementKey, Db, key);
        a.CopyTo(_elementKey.AsSpan(n));
        n += a.Length;
        b.CopyTo(_elementKey.AsSpan(n));
        n += b.Length;
        return _elementKey.AsSpan(0, n);
    }

    public int ElementPrefixLength(ReadOnlySpan<byte> key)
    {
        int n = 5 + key.Length;
        foreach (byte b in key)
        {
            if (b == 0)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Reads an element value into a reused buffer; valid until the next element read.</summary>
    public bool TryGetElement(scoped ReadOnlySpan<byte> key, scoped ReadOnlySpan<byte> a, scoped ReadOnlySpan<byte> b, out ReadOnlySpan<byte> value)
    {
        _element.ResetWrittenCount();
        if (Transaction.TryGet(ElementKey(key, a, b), _element))
        {
            value = _element.WrittenSpan;
            return true;
        }

        value = default;
        return false;
    }

    public void PutElement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> value) =>
        Put(ElementKey(key, a, b), value);

    public void DeleteElement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b = default) =>
        Delete(ElementKey(key, a, b));

    /// <summary>
    /// Element records of <paramref name="key"/> whose suffix (after the element prefix) lies in
    /// [<paramref name="from"/>, <paramref name="to"/>); empty bounds mean the whole element range.
    /// </summary>
    public IKvCursor ScanElements(ReadOnlySpan<byte> key, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, bool reverse = false)
    {
        int prefix = RedisKeyCodec.MaxElementPrefixLength(key.Length);
        byte[] start = ArrayPool<byte>.Shared.Rent(prefix + from.Length);
        byte[] end = ArrayPool<byte>.Shared.Rent(prefix + Math.Max(to.Length, 1));
        try
        {
            int ns = RedisKeyCodec.WriteElementPrefix(start, Db, key);
            from.CopyTo(start.AsSpan(ns));
            int ne = RedisKeyCodec.WriteElementPrefix(end, Db, key);
            if (to.IsEmpty)
            {
                end[ne - 1] = 0x02; // one past the key's element range
            }
            else
            {
                to.CopyTo(end.AsSpan(ne));
                ne += to.Length;
            }

            return Transaction.Scan(start.AsSpan(0, ns + from.Length), end.AsSpan(0, ne), reverse);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(start);
            ArrayPool<byte>.Shared.Return(end);
        }
    }

    /// <summary>Deletes every element record of a key.</summary>
    public void DeleteElements(ReadOnlySpan<byte> key)
    {
        var doomed = new List<byte[]>();
        using (IKvCursor cursor = ScanElements(key, default, default))
        {
            while (cursor.MoveNext())
            {
                doomed.Add(cursor.Key.ToArray());
            }
        }

        foreach (byte[] k in doomed)
        {
            Delete(k);
        }
    }

    // ---- plumbing ----------------------------------------------------------------------------------

    private void UpdateExpiryIndex(ReadOnlySpan<byte> key, long oldExpireAt, long newExpireAt)
    {
        if (oldExpireAt == newExpireAt)
        {
            return;
        }

        Span<byte> buffer = Scratch(RedisKeyCodec.ExpiryKeyHeaderLength + key.Length);
        if (oldExpireAt != 0)
        {
            Delete(buffer[..RedisKeyCodec.WriteExpiryKey(buffer, oldExpireAt, Db, key)]);
        }

        if (newExpireAt != 0)
        {
            Put(buffer[..RedisKeyCodec.WriteExpiryKey(buffer, newExpireAt, Db, key)], default);
        }
    }

    private Span<byte> MetaKey(ReadOnlySpan<byte> key)
    {
        int length = RedisKeyCodec.MetaKeyLength(key.Length);
        if (_metaKey.Length < length)
        {
            _metaKey = new byte[Math.Max(length, _metaKey.Length * 2)];
        }

        return _metaKey.AsSpan(0, RedisKeyCodec.WriteMetaKey(_metaKey, Db, key));
    }

    private Span<byte> Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }

        return _scratch.AsSpan(0, length);
    }

    private void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Debug.Assert(key.Length > 0);
        HasWrites = true;
        WriteCount++;
        Transaction.Put(key, value);
    }

    private void Delete(ReadOnlySpan<byte> key)
    {
        HasWrites = true;
        WriteCount++;
        Transaction.Delete(key);
    }

    private void Touched(ReadOnlySpan<byte> key) => _observer?.KeyWritten(Db, key);

    /// <summary>Reports a write to <paramref name="key"/> that did not rewrite its metadata (a stream group's record).</summary>
    public void Touch(ReadOnlySpan<byte> key) => Touched(key);
}
