using System.Buffers.Binary;
using System.Buffers.Text;

namespace ThunderDb.Core.Redis;

/// <summary>
/// A stream entry ID <c>ms-seq</c> (two unsigned 64-bit parts). Stored as 16 big-endian bytes, so byte order is ID
/// order and XRANGE is an ordered range scan.
/// </summary>
public readonly record struct StreamId(ulong Ms, ulong Seq) : IComparable<StreamId>
{
    public static readonly StreamId Min = new(0, 0);
    public static readonly StreamId Max = new(ulong.MaxValue, ulong.MaxValue);

    public const int EncodedLength = 16;

    public bool IsZero => Ms == 0 && Seq == 0;

    public int CompareTo(StreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    public static bool operator <(StreamId a, StreamId b) => a.CompareTo(b) < 0;

    public static bool operator >(StreamId a, StreamId b) => a.CompareTo(b) > 0;

    public static bool operator <=(StreamId a, StreamId b) => a.CompareTo(b) <= 0;

    public static bool operator >=(StreamId a, StreamId b) => a.CompareTo(b) >= 0;

    /// <summary>The next ID (Redis <c>streamIncrID</c>); false when this is the largest one.</summary>
    public bool TryIncrement(out StreamId next)
    {
        if (Seq != ulong.MaxValue)
        {
            next = new StreamId(Ms, Seq + 1);
            return true;
        }

        next = Ms != ulong.MaxValue ? new StreamId(Ms + 1, 0) : this;
        return Ms != ulong.MaxValue;
    }

    /// <summary>The previous ID (Redis <c>streamDecrID</c>); false when this is 0-0.</summary>
    public bool TryDecrement(out StreamId previous)
    {
        if (Seq != 0)
        {
            previous = new StreamId(Ms, Seq - 1);
            return true;
        }

        previous = Ms != 0 ? new StreamId(Ms - 1, ulong.MaxValue) : this;
        return Ms != 0;
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Ms);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Seq);
    }

    public static StreamId Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt64BigEndian(source[8..]));

    /// <summary>Formats <c>ms-seq</c> into <paramref name="destination"/> (41 bytes suffice).</summary>
    public int Format(Span<byte> destination)
    {
        Utf8Formatter.TryFormat(Ms, destination, out int n);
        destination[n++] = (byte)'-';
        Utf8Formatter.TryFormat(Seq, destination[n..], out int m);
        return n + m;
    }

    public override string ToString() => $"{Ms}-{Seq}";

    /// <summary>
    /// Redis <c>streamGenericParseIDOrReply</c>: <c>-</c> and <c>+</c> (unless <paramref name="strict"/>), <c>ms</c>
    /// (the sequence is <paramref name="missingSeq"/>), <c>ms-seq</c>, and with <paramref name="allowAutoSeq"/>
    /// <c>ms-*</c> (then <paramref name="seqGiven"/> is false).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, ulong missingSeq, bool strict, out StreamId id) =>
        TryParse(text, missingSeq, strict, allowAutoSeq: false, out id, out _);

    public static bool TryParse(ReadOnlySpan<byte> text, ulong missingSeq, bool strict, bool allowAutoSeq, out StreamId id, out bool seqGiven)
    {
        id = default;
        seqGiven = true;
        if (text.Length > 127)
        {
            return false;
        }

        if (text.Length == 1 && text[0] is (byte)'-' or (byte)'+')
        {
            if (strict)
            {
                return false;
            }

            id = text[0] == '-' ? Min : Max;
            return true;
        }

        int dash = text.IndexOf((byte)'-');
        ReadOnlySpan<byte> msText = dash < 0 ? text : text[..dash];
        if (!ParseUnsigned(msText, out ulong ms))
        {
            return false;
        }

        ulong seq = missingSeq;
        if (dash >= 0)
        {
            ReadOnlySpan<byte> seqText = text[(dash + 1)..];
            if (allowAutoSeq && seqText.Length == 1 && seqText[0] == '*')
            {
                seq = 0;
                seqGiven = false;
            }
            else if (!ParseUnsigned(seqText, out seq))
            {
                return false;
            }
        }

        id = new StreamId(ms, seq);
        return true;
    }

    /// <summary>
    /// An interval bound: <c>(</c> before an ID makes it exclusive (and strict). Redis <c>streamParseIntervalIDOrReply</c>.
    /// </summary>
    public static bool TryParseInterval(ReadOnlySpan<byte> text, ulong missingSeq, out StreamId id, out bool exclusive)
    {
        exclusive = text.Length > 1 && text[0] == '(';
        return exclusive ? TryParse(text[1..], missingSeq, strict: true, out id) : TryParse(text, missingSeq, strict: false, out id);
    }

    /// <summary>Redis <c>string2ull</c>: a non-negative long long, else what <c>strtoull</c> takes whole.</summary>
    private static bool ParseUnsigned(ReadOnlySpan<byte> text, out ulong value)
    {
        if (RedisNumbers.ParseLong(text, out long asLong))
        {
            value = (ulong)asLong;
            return asLong >= 0;
        }

        // strtoull: leading white space, an optional sign (minus negates modulo 2^64), digits, nothing after.
        value = 0;
        int i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
        {
            i++;
        }

        bool negative = false;
        if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == '-';
            i++;
        }

        if (i == text.Length)
        {
            return false;
        }

        for (; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9 || value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        if (negative)
        {
            value = unchecked(0 - value);
        }

        return true;
    }
}
