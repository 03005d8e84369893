using System.Buffers.Text;
using System.Globalization;
using System.Text;
using ThunderDb.Io.Buffers;
using ThunderDb.Core.Redis;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Replies are written straight into one send buffer per connection. A command's replies may be rewound
/// (a transaction conflict re-runs the command), so the buffer grows for one large reply instead of
/// flushing mid-command; it shrinks back to its pooled size after the flush.
/// </summary>
internal sealed class RespWriter : IDisposable
{
    private readonly byte[] _home;
    private readonly OutputBufferLimits? _limits;
    private byte[] _buffer;

    /// <param name="limits">Whose normal-class hard limit caps the buffer (never past <see cref="OutputBufferLimits.ReplyCeilingBytes"/>).</param>
    public RespWriter(byte[] pinnedBuffer, OutputBufferLimits? limits = null)
    {
        _home = pinnedBuffer;
        _buffer = pinnedBuffer;
        _limits = limits;
    }

    /// <summary>2 or 3 (HELLO).</summary>
    public int Protocol { get; set; } = 2;

    public int Position { get; private set; }

    /// <summary>The pooled buffer the writer started with (returned to the pool when the connection closes).</summary>
    public byte[] HomeBuffer => _home;

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Position);

    public void Rewind(int position) => Position = position;

    public byte ByteAt(int position) => _buffer[position];

    /// <summary>Called after the bytes were sent.</summary>
    public void Reset()
    {
        Position = 0;
        if (!ReferenceEquals(_buffer, _home))
        {
            LargeBuffers.Return(_buffer);
            _buffer = _home;
        }
    }

    public void Dispose() => Reset();

    private Span<byte> Reserve(int size)
    {
        if (_buffer.Length - Position < size)
        {
            Grow(size);
        }

        return _buffer.AsSpan(Position);
    }

    private void Grow(int size)
    {
        long max = _limits?.NormalReplyMaxBytes ?? OutputBufferLimits.ReplyCeilingBytes;
        if ((long)Position + size > max)
        {
            // The client's output would pass its limit: it is closed (Redis: client-output-buffer-limit).
            throw new OutputLimitExceededException($"{(long)Position + size} bytes of replies, limit {max} bytes");
        }

        long wanted = Math.Min(Math.Max((long)_buffer.Length * 2, (long)Position + size), max);
        byte[] bigger = LargeBuffers.Rent(wanted);
        _buffer.AsSpan(0, Position).CopyTo(bigger);
        if (!ReferenceEquals(_buffer, _home))
        {
            LargeBuffers.Return(_buffer);
        }

        _buffer = bigger;
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Position += bytes.Length;
    }

    public void WriteOk() => WriteRaw("+OK\r\n"u8);

    public void WriteQueued() => WriteRaw("+QUEUED\r\n"u8);

    public void WriteSimple(ReadOnlySpan<byte> text)
    {
        Span<byte> span = Reserve(text.Length + 3);
        span[0] = (byte)'+';
        text.CopyTo(span[1..]);
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        Position += text.Length + 3;
    }

    public void WriteSimple(string text) => WriteSimple(Encoding.UTF8.GetBytes(text));

    /// <summary>An error line; <paramref name="message"/> starts with its code (ERR, WRONGTYPE, NOAUTH...).</summary>
    public void WriteError(string message)
    {
        int max = Encoding.UTF8.GetMaxByteCount(message.Length) + 3;
        Span<byte> span = Reserve(max);
        span[0] = (byte)'-';
        int n = Encoding.UTF8.GetBytes(message, span[1..]);
        for (int i = 1; i <= n; i++)
        {
            if (span[i] is (byte)'\r' or (byte)'\n')
            {
                span[i] = (byte)' '; // an error is one line
            }
        }

        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        Position += n + 3;
    }

    public void WriteError(ReadOnlySpan<byte> line) => WriteRaw(line);

    public void WriteInteger(long value) => WritePrefixedNumber((byte)':', value);

    public void WriteBulk(ReadOnlySpan<byte> value)
    {
        Span<byte> span = Reserve(value.Length + 24);
        span[0] = (byte)'$';
        Utf8Formatter.TryFormat(value.Length, span[1..], out int n);
        n++;
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        value.CopyTo(span[n..]);
        n += value.Length;
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        Position += n;
    }

    public void WriteBulk(string value) => WriteBulk(Encoding.UTF8.GetBytes(value));

    public void WriteBulk(long value)
    {
        Span<byte> digits = stackalloc byte[24];
        Utf8Formatter.TryFormat(value, digits, out int n);
        WriteBulk(digits[..n]);
    }

    /// <summary>A missing value: <c>$-1</c> in RESP2, <c>_</c> in RESP3.</summary>
    public void WriteNull() => WriteRaw(Protocol == 3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>A missing array: <c>*-1</c> in RESP2, <c>_</c> in RESP3.</summary>
    public void WriteNullArray() => WriteRaw(Protocol == 3 ? "_\r\n"u8 : "*-1\r\n"u8);

    public void WriteArrayHeader(long count) => WritePrefixedNumber((byte)'*', count);

    /// <summary>A map of <paramref name="pairs"/> entries: <c>%n</c> in RESP3, a flat array of 2n in RESP2.</summary>
    public void WriteMapHeader(long pairs)
    {
        if (Protocol == 3)
        {
            WritePrefixedNumber((byte)'%', pairs);
        }
        else
        {
            WritePrefixedNumber((byte)'*', pairs * 2);
        }
    }

    public void WriteSetHeader(long count) => WritePrefixedNumber(Protocol == 3 ? (byte)'~' : (byte)'*', count);

    /// <summary>Out-of-band data (pub/sub): <c>&gt;n</c> in RESP3, an array in RESP2.</summary>
    public void WritePushHeader(long count) => WritePrefixedNumber(Protocol == 3 ? (byte)'>' : (byte)'*', count);

    public void WriteDouble(double value)
    {
        Span<byte> text = stackalloc byte[40];
        int n = RedisNumbers.FormatDouble(value, text);
        if (Protocol == 3)
        {
            Span<byte> span = Reserve(n + 3);
            span[0] = (byte)',';
            text[..n].CopyTo(span[1..]);
            span[n + 1] = (byte)'\r';
            span[n + 2] = (byte)'\n';
            Position += n + 3;
        }
        else
        {
            WriteBulk(text[..n]);
        }
    }

    public void WriteBoolean(bool value)
    {
        if (Protocol == 3)
        {
            WriteRaw(value ? "#t\r\n"u8 : "#f\r\n"u8);
        }
        else
        {
            WriteInteger(value ? 1 : 0);
        }
    }

    /// <summary>A double as Redis 7.0 writes it: <c>%.17g</c> (<c>inf</c>, <c>-inf</c>, <c>1e+20</c>, <c>0.10000000000000001</c>).</summary>

    private void WritePrefixedNumber(byte prefix, long value)
    {
        Span<byte> span = Reserve(24);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out int n);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        Position += n + 3;
    }
}
