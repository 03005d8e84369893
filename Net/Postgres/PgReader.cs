using System.Buffers.Binary;
using System.Text;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Postgres;

/// <summary>A client broke the protocol (08P01): the connection answers with an ErrorResponse and closes.</summary>
internal sealed class PgProtocolException(string message) : Exception(message)
{
    public PgProtocolException()
        : this("protocol violation")
    {
    }

    public PgProtocolException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}

/// <summary>Where a frame stands in the bytes received so far.</summary>
internal enum PgFrameStatus
{
    NeedMore,
    Complete,
}

/// <summary>
/// Frontend message framing: startup packets (Int32 length, no type byte) and typed messages (one type byte,
/// Int32 length including itself). Lengths are checked before anything is allocated.
/// </summary>
internal static class PgFrame
{
    /// <summary>PostgreSQL's own limit on one message (PQ_LARGE_MESSAGE_LIMIT is 1 GiB).</summary>
    public const int MaxMessageLength = 1 << 30;

    /// <summary>A startup packet is a few parameters: PostgreSQL refuses more than 10000 bytes.</summary>
    public const int MaxStartupLength = 10_000;

    /// <summary>Reads the header of the frame at the start of <paramref name="buffer"/>; throws for an impossible length.</summary>
    public static PgFrameStatus TryHeader(ReadOnlySpan<byte> buffer, bool startup, int maxLength, out byte type, out int bodyLength)
    {
        int header = startup ? 4 : 5;
        type = startup ? (byte)0 : buffer.IsEmpty ? (byte)0 : buffer[0];
        bodyLength = 0;
        if (buffer.Length < header)
        {
            return PgFrameStatus.NeedMore;
        }

        int length = BinaryPrimitives.ReadInt32BigEndian(buffer[(header - 4)..]);
        int min = startup ? 8 : 4;
        if (length < min)
        {
            throw new PgProtocolException($"invalid message length {length}");
        }

        if (length > maxLength)
        {
            throw new PgProtocolException(startup ? $"invalid length of startup packet {length}" : $"message of {length} bytes exceeds the limit of {maxLength}");
        }

        bodyLength = length - 4;
        return PgFrameStatus.Complete;
    }
}

/// <summary>Reads whole frontend messages out of the connection's receive buffer, in place.</summary>
internal sealed class PgReader(Connection connection)
{
    private readonly ReceiveBuffer _in = connection.Input;

    /// <summary>True when whole messages are already buffered (no read needed): replies can wait for them.</summary>
    public bool HasBufferedMessage =>
        _in.Span is { Length: >= 5 } b && BinaryPrimitives.ReadInt32BigEndian(b[1..]) is int n && n >= 4 && b.Length >= n + 1;

    /// <summary>
    /// The next message: its type (0 for a startup packet) and body, valid until the next read; null on a clean EOF.
    /// </summary>
    public async ValueTask<(byte Type, ReadOnlyMemory<byte> Body)?> ReadAsync(bool startup, CancellationToken cancellationToken)
    {
        _in.Settle(); // the previous message is done with: a large one's buffer goes back
        int header = startup ? 4 : 5;
        int maxLength = startup ? PgFrame.MaxStartupLength : PgFrame.MaxMessageLength;
        while (true)
        {
            PgFrameStatus status = PgFrame.TryHeader(_in.Span, startup, maxLength, out byte type, out int bodyLength);
            int total = status == PgFrameStatus.Complete ? header + bodyLength : header;
            if (status == PgFrameStatus.Complete && _in.Length >= total)
            {
                var body = new ReadOnlyMemory<byte>(_in.Bytes, _in.Start + header, bodyLength);
                _in.Consume(total);
                return (type, body);
            }

            _in.Reserve(total, long.MaxValue); // the length was checked against the limit above
            if (await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                if (_in.Length == 0)
                {
                    return null;
                }

                throw new PgProtocolException("unexpected EOF within message");
            }
        }
    }

    /// <summary>Bytes received beyond the current message (must be none before a TLS handshake).</summary>
    public int Buffered => _in.Length;
}

/// <summary>Reads the fields of one message body; any overrun is a protocol violation.</summary>
internal ref struct PgBody(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _at;

    public readonly int Remaining => _body.Length - _at;

    public byte Byte()
    {
        Need(1);
        return _body[_at++];
    }

    public short Int16()
    {
        Need(2);
        short v = BinaryPrimitives.ReadInt16BigEndian(_body[_at..]);
        _at += 2;
        return v;
    }

    public int Int32()
    {
        Need(4);
        int v = BinaryPrimitives.ReadInt32BigEndian(_body[_at..]);
        _at += 4;
        return v;
    }

    public ReadOnlySpan<byte> Bytes(int length)
    {
        if (length < 0)
        {
            throw new PgProtocolException($"invalid field length {length}");
        }

        Need(length);
        ReadOnlySpan<byte> v = _body.Slice(_at, length);
        _at += length;
        return v;
    }

    public string CString()
    {
        int nul = _body[_at..].IndexOf((byte)0);
        if (nul < 0)
        {
            throw new PgProtocolException("invalid string in message");
        }

        string v;
        try
        {
            v = PgText.Strict.GetString(_body.Slice(_at, nul));
        }
        catch (DecoderFallbackException e)
        {
            throw PgText.InvalidUtf8(e);
        }

        _at += nul + 1;
        return v;
    }

    /// <summary>A NUL-terminated string's UTF-8 bytes (not decoded: for lookups that must not allocate).</summary>
    public ReadOnlySpan<byte> CStringBytes()
    {
        int nul = _body[_at..].IndexOf((byte)0);
        if (nul < 0)
        {
            throw new PgProtocolException("invalid string in message");
        }

        ReadOnlySpan<byte> v = _body.Slice(_at, nul);
        _at += nul + 1;
        return v;
    }

    /// <summary>Int16 count then that many Int16 values (format codes); count checked against the bytes left.</summary>
    public short Count16()
    {
        short n = Int16();
        if (n < 0 || n * 2 > Remaining)
        {
            throw new PgProtocolException($"invalid count {n} in message");
        }

        return n;
    }

    private readonly void Need(int n)
    {
        if (_at + n > _body.Length || _at + n < 0)
        {
            throw new PgProtocolException("insufficient data left in message");
        }
    }
}

internal static class PgText
{
    /// <summary>UTF-8 that throws on invalid bytes (client_encoding is UTF8: PostgreSQL refuses them with 22021).</summary>
    public static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>PostgreSQL's text for bytes that are not UTF-8: <c>invalid byte sequence for encoding "UTF8": 0xed 0xa0</c>.</summary>
    public static PgProtocolException InvalidUtf8(DecoderFallbackException e)
    {
        string bytes = e.BytesUnknown is { Length: > 0 } unknown ? ": " + string.Join(' ', unknown.Select(b => $"0x{b:x2}")) : "";
        return new PgProtocolException("invalid byte sequence for encoding \"UTF8\"" + bytes);
    }
}
