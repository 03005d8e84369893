namespace ThunderDb.Core.Redis;

/// <summary>
/// The common ways a Redis command fails because of what the client sent or what the key holds. They are values,
/// not exceptions: an operation returns one, and a protocol renders it (<see cref="RedisErrors.Text"/> for RESP, a
/// Lua error table for a script), so a loop of WRONGTYPE replies costs what a success costs and allocates nothing.
/// </summary>
public enum RedisError : byte
{
    None = 0,
    WrongType,

    /// <summary>The argument count is wrong for the command (its protocol names the command in the text).</summary>
    WrongArgumentCount,
    Syntax,
    NotInteger,
    NotFloat,
    Overflow,
    NaNOrInfinity,
    NotPositive,
    StringTooLong,

    /// <summary>A result longer than one write can commit (<see cref="RedisKeyspace.MaxValueBytes"/>); the text names the limit.</summary>
    ValueTooLarge,
    OffsetOutOfRange,
    BitOffset,
    BitValue,
    NoSuchKey,
    IndexOutOfRange,
    HashNotInteger,
    HashNotFloat,
    MinMaxNotFloat,
    MinMaxLex,

    /// <summary>The command ran past its deadline (<c>query_timeout</c>) and changed nothing.</summary>
    DeadlineExceeded,

    // Bitmaps, HyperLogLog and LCS (their own texts, word for word).
    BitArgument,
    BitOpNotArity,
    BitfieldType,
    BitfieldOverflowType,
    BitfieldReadOnly,
    HllWrongType,
    HllCorrupt,
    LcsWrongType,
    LcsLenAndIdx,
    LcsTooLarge,
    HllDebugNoKey,
    HllNotSparse,

    // Sorted sets, lists and keys (their own texts, word for word).
    ScoreNaN,
    ZAddNxXx,
    ZAddGtLtNx,
    ZAddIncrPair,
    ZRangeLimit,
    ZRangeWithScoresLex,
    WeightNotFloat,

    /// <summary>A count of LONG_MIN (ZRANDMEMBER, HRANDFIELD, SRANDMEMBER): Redis names the accepted range.</summary>
    CountOutOfRange,
    ValueOutOfRange,
    LposRankZero,
    LposCountNegative,
    LposMaxLenNegative,
    InvalidCursor,
    SameObject,
    DbIndex,
    // Streams (their own texts, word for word; NOGROUP names the key and group, so the protocol formats it).
    StreamInvalidId,
    StreamIdZero,
    StreamExhausted,
    StreamIdTooSmall,
    StreamTooLarge,
    StreamMaxLenNegative,
    StreamLimitNegative,
    StreamTrimConflict,
    StreamLimitWithoutTrim,
    StreamTrimRequired,
    StreamLimitWithoutApprox,
    StreamInvalidStart,
    StreamInvalidEnd,
    StreamBusyGroup,
    StreamSetIdTooSmall,
    StreamSetIdEntriesAdded,
    StreamSetIdMaxDeleted,
    StreamEntriesAddedNegative,
    StreamEntriesReadNegative,
    StreamGroupNeedsKey,
    StreamNoGroup,
}

/// <summary>The error texts Redis sends, word for word (each starts with its code).</summary>
public static class RedisErrors
{
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string Syntax = "ERR syntax error";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string NoSuchKey = "ERR no such key";
    public const string IndexOutOfRange = "ERR index out of range";
    public const string Overflow = "ERR increment or decrement would overflow";
    public const string NaNOrInfinity = "ERR increment would produce NaN or Infinity";
    public const string NotPositive = "ERR value is out of range, must be positive";
    public const string StringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public const string OffsetOutOfRange = "ERR offset is out of range";
    public const string BitOffset = "ERR bit offset is not an integer or out of range";
    public const string BitValue = "ERR bit is not an integer or out of range";
    public const string HashNotInteger = "ERR hash value is not an integer";
    public const string HashNotFloat = "ERR hash value is not a float";
    public const string MinMaxNotFloat = "ERR min or max is not a float";
    public const string MinMaxLex = "ERR min or max not valid string range item";
    public const string DbIndex = "ERR DB index is out of range";
    public const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
    public const string DeadlineExceeded = "ERR query_timeout exceeded: the command was stopped and changed nothing";

    /// <summary>The text of <paramref name="error"/>; <paramref name="maxValueBytes"/> fills in <see cref="RedisError.ValueTooLarge"/>.</summary>
    public static string Text(RedisError error, long maxValueBytes = 0) => error switch
    {
        RedisError.WrongType => WrongType,
        RedisError.Syntax => Syntax,
        RedisError.WrongArgumentCount => "ERR wrong number of arguments",
        RedisError.NotInteger => NotInteger,
        RedisError.NotFloat => NotFloat,
        RedisError.Overflow => Overflow,
        RedisError.NaNOrInfinity => NaNOrInfinity,
        RedisError.NotPositive => NotPositive,
        RedisError.StringTooLong => StringTooLong,
        RedisError.ValueTooLarge => ValueTooLargeText(maxValueBytes),
        RedisError.OffsetOutOfRange => OffsetOutOfRange,
        RedisError.BitOffset => BitOffset,
        RedisError.BitValue => BitValue,
        RedisError.NoSuchKey => NoSuchKey,
        RedisError.IndexOutOfRange => IndexOutOfRange,
        RedisError.HashNotInteger => HashNotInteger,
        RedisError.HashNotFloat => HashNotFloat,
        RedisError.MinMaxNotFloat => MinMaxNotFloat,
        RedisError.MinMaxLex => MinMaxLex,
        RedisError.DeadlineExceeded => DeadlineExceeded,
        RedisError.BitArgument => "ERR The bit argument must be 1 or 0.",
        RedisError.BitOpNotArity => "ERR BITOP NOT must be called with a single source key.",
        RedisError.BitfieldType => "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
        RedisError.BitfieldOverflowType => "ERR Invalid OVERFLOW type specified",
        RedisError.BitfieldReadOnly => "ERR BITFIELD_RO only supports the GET subcommand",
        RedisError.HllWrongType => "WRONGTYPE Key is not a valid HyperLogLog string value.",
        RedisError.HllCorrupt => "INVALIDOBJ Corrupted HLL object detected",
        RedisError.LcsWrongType => "ERR The specified keys must contain string values",
        RedisError.LcsLenAndIdx => "ERR If you want both the length and indexes, please just use IDX.",
        RedisError.HllDebugNoKey => "ERR The specified key does not exist",
        RedisError.HllNotSparse => "ERR HLL encoding is not sparse",
        RedisError.LcsTooLarge => "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        RedisError.ScoreNaN => "ERR resulting score is not a number (NaN)",
        RedisError.ZAddNxXx => "ERR XX and NX options at the same time are not compatible",
        RedisError.ZAddGtLtNx => "ERR GT, LT, and/or NX options at the same time are not compatible",
        RedisError.ZAddIncrPair => "ERR INCR option supports a single increment-element pair",
        RedisError.ZRangeLimit => "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        RedisError.ZRangeWithScoresLex => "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        RedisError.WeightNotFloat => "ERR weight value is not a float",
        RedisError.CountOutOfRange => "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        RedisError.ValueOutOfRange => "ERR value is out of range",
        RedisError.LposRankZero => "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        RedisError.LposCountNegative => "ERR COUNT can't be negative",
        RedisError.LposMaxLenNegative => "ERR MAXLEN can't be negative",
        RedisError.InvalidCursor => "ERR invalid cursor",
        RedisError.SameObject => "ERR source and destination objects are the same",
        RedisError.DbIndex => DbIndex,
        RedisError.StreamInvalidId => "ERR Invalid stream ID specified as stream command argument",
        RedisError.StreamIdZero => "ERR The ID specified in XADD must be greater than 0-0",
        RedisError.StreamExhausted => "ERR The stream has exhausted the last possible ID, unable to add more items",
        RedisError.StreamTooLarge => "ERR Elements are too large to be stored",
        RedisError.StreamIdTooSmall => "ERR The ID specified in XADD is equal or smaller than the target stream top item",
        RedisError.StreamMaxLenNegative => "ERR The MAXLEN argument must be >= 0.",
        RedisError.StreamLimitNegative => "ERR The LIMIT argument must be >= 0.",
        RedisError.StreamTrimConflict => "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
        RedisError.StreamLimitWithoutTrim => "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        RedisError.StreamTrimRequired => "ERR syntax error, XTRIM must be called with a trimming strategy",
        RedisError.StreamLimitWithoutApprox => "ERR syntax error, LIMIT cannot be used without the special ~ option",
        RedisError.StreamInvalidStart => "ERR invalid start ID for the interval",
        RedisError.StreamInvalidEnd => "ERR invalid end ID for the interval",
        RedisError.StreamBusyGroup => "BUSYGROUP Consumer Group name already exists",
        RedisError.StreamSetIdTooSmall => "ERR The ID specified in XSETID is smaller than the target stream top item",
        RedisError.StreamSetIdEntriesAdded => "ERR The entries_added specified in XSETID is smaller than the target stream length",
        RedisError.StreamSetIdMaxDeleted => "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
        RedisError.StreamEntriesAddedNegative => "ERR entries_added must be positive",
        RedisError.StreamEntriesReadNegative => "ERR value for ENTRIESREAD must be positive or -1",
        RedisError.StreamGroupNeedsKey => "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
        _ => "ERR unknown error",
    };

    /// <summary>Why a value was refused: one commit is one WAL record, which must fit <c>storage.wal_buffer_size</c>.</summary>
    public static string ValueTooLargeText(long maxValueBytes) =>
        $"ERR value is too large (max {maxValueBytes} bytes, set by storage.wal_buffer_size)";
}
