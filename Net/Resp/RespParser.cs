using System.Buffers.Text;
using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

internal enum ParseStatus
{
    /// <summary>A whole command was parsed (it may have zero arguments: an empty line or <c>*0</c>, which Redis ignores).</summary>
    Complete,

    /// <summary>The frame is not all there yet: keep the bytes and receive more.</summary>
    Incomplete,

    /// <summary>The bytes are not RESP: reply <c>-ERR Protocol error: ...</c> and close.</summary>
    Error,
}

/// <summary>
/// Parses RESP multibulk commands and inline commands in place: arguments are offsets into the receive buffer,
/// an incomplete frame rewinds to its first byte. Sizes are checked before anything is allocated.
/// </summary>
internal static class RespParser
{
    public const long MaxBulkLength = RedisKeyspace.MaxStringLength;
    public const int MaxMultibulkLength = 1024 * 1024;
    public const int MaxInlineLength = 64 * 1024;

    /// <summary>Before AUTH a client may send at most this many arguments per command (Redis 6.2.6+).</summary>
    public const int UnauthenticatedMaxMultibulkLength = 10;

    /// <summary>Before AUTH a client may send no argument longer than this (Redis 6.2.6+).</summary>
    public const int UnauthenticatedMaxBulkLength = 16384;

    /// <summary>
    /// Parses one command from <c>buffer[start..end]</c>. On <see cref="ParseStatus.Complete"/>, <paramref name="consumed"/>
    /// bytes form the command and <paramref name="args"/>[0..<paramref name="argc"/>] point into <paramref name="buffer"/>.
    /// On <see cref="ParseStatus.Incomplete"/>, <paramref name="needed"/> is the frame size when it is known (else 0).
    /// An <paramref name="unauthenticated"/> client (authentication required, AUTH not done yet) gets only small frames, so
    /// that connections nobody authenticated cannot make the server hold large buffers. A bulk longer than
    /// <paramref name="maxValueLength"/> (the largest value a write can commit) is refused before it is buffered.
    /// </summary>
    public static ParseStatus TryParse(byte[] buffer, int start, int end, ref ArgSlice[] args, out int argc, out int consumed,
        out long needed, out string? error, bool unauthenticated = false, long maxValueLength = MaxBulkLength)
    {
        argc = 0;
        consumed = 0;
        needed = 0;
        error = null;
        if (start >= end)
        {
            return ParseStatus.Incomplete;
        }

        return buffer[start] == (byte)'*'
            ? ParseMultibulk(buffer, start, end, ref args, out argc, out consumed, out needed, out error, unauthenticated, maxValueLength)
            : ParseInline(buffer, start, end, ref args, out argc, out consumed, out error);
    }

    private static ParseStatus ParseMultibulk(byte[] buffer, int start, int end, ref ArgSlice[] args, out int argc, out int consumed,
        out long needed, out string? error, bool unauthenticated, long maxValueLength)
    {
        argc = 0;
        consumed = 0;
        needed = 0;
        error = null;
        int pos = start + 1;
        switch (ReadLength(buffer, ref pos, end, out long count))
        {
            case LineStatus.Incomplete:
                return ParseStatus.Incomplete;
            case LineStatus.TooLong:
                error = "Protocol error: too big mbulk count string";
                return ParseStatus.Error;
            case LineStatus.Invalid:
                error = "Protocol error: invalid multibulk length";
                return ParseStatus.Error;
        }

        if (count > MaxMultibulkLength)
        {
            error = "Protocol error: invalid multibulk length";
            return ParseStatus.Error;
        }

        if (count > UnauthenticatedMaxMultibulkLength && unauthenticated)
        {
            error = "Protocol error: unauthenticated multibulk length";
            return ParseStatus.Error;
        }

        if (count <= 0)
        {
            consumed = pos - start; // "*0" and "*-1" are ignored, as Redis does
            return ParseStatus.Complete;
        }

        for (int i = 0; i < count; i++)
        {
            if (pos >= end)
            {
                return ParseStatus.Incomplete;
            }

            if (buffer[pos] != (byte)'$')
            {
                error = $"Protocol error: expected '$', got '{(char)buffer[pos]}'";
                return ParseStatus.Error;
            }

            pos++;
            switch (ReadLength(buffer, ref pos, end, out long length))
            {
                case LineStatus.Incomplete:
                    return ParseStatus.Incomplete;
                case LineStatus.TooLong:
                    error = "Protocol error: too big bulk count string";
                    return ParseStatus.Error;
                case LineStatus.Invalid:
                    error = "Protocol error: invalid bulk length";
                    return ParseStatus.Error;
            }

            if (length < 0 || length > MaxBulkLength)
            {
                error = "Protocol error: invalid bulk length";
                return ParseStatus.Error;
            }

            if (length > UnauthenticatedMaxBulkLength && unauthenticated)
            {
                error = "Protocol error: unauthenticated bulk length";
                return ParseStatus.Error;
            }

            if (length > maxValueLength)
            {
                error = ValueTooLarge(maxValueLength);
                return ParseStatus.Error;
            }

            if (end - pos < length + 2)
            {
                needed = (pos - start) + length + 2;
                return ParseStatus.Incomplete;
            }

            if (argc == args.Length)
            {
                Array.Resize(ref args, Math.Min(args.Length * 2, MaxMultibulkLength));
            }

            args[argc++] = new ArgSlice(pos, (int)length);
            pos += (int)length + 2;
        }

        consumed = pos - start;
        return ParseStatus.Complete;
    }

    /// <summary>The error (without its ERR code) for a value longer than a write can commit.</summary>
    public static string ValueTooLarge(long maxValueLength) => RedisErrors.ValueTooLargeText(maxValueLength)["ERR ".Length..];

    private enum LineStatus
    {
        Ok,
        Incomplete,
        TooLong,
        Invalid,
    }

    /// <summary>Reads a decimal line ending in CRLF at <paramref name="pos"/>; moves past it.</summary>
    private static LineStatus ReadLength(byte[] buffer, ref int pos, int end, out long value)
    {
        value = 0;
        ReadOnlySpan<byte> rest = buffer.AsSpan(pos, end - pos);
        int cr = rest.IndexOf((byte)'\r');
        if (cr < 0)
        {
            return rest.Length > 32 ? LineStatus.TooLong : LineStatus.Incomplete;
        }

        if (cr > 32)
        {
            return LineStatus.TooLong;
        }

        if (cr + 1 >= rest.Length)
        {
            return LineStatus.Incomplete;
        }

        if (rest[cr + 1] != (byte)'\n' || !Utf8Parser.TryParse(rest[..cr], out value, out int used) || used != cr)
        {
            return LineStatus.Invalid;
        }

        pos += cr + 2;
        return LineStatus.Ok;
    }

    private static ParseStatus ParseInline(byte[] buffer, int start, int end, ref ArgSlice[] args, out int argc, out int consumed,
        out string? error)
    {
        argc = 0;
        consumed = 0;
        error = null;
        int newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
        if (newline < 0)
        {
            if (end - start > MaxInlineLength)
            {
                error = "Protocol error: too big inline request";
                return ParseStatus.Error;
            }

            return ParseStatus.Incomplete;
        }

        consumed = newline + 1;
        int lineEnd = start + newline;
        if (lineEnd > start && buffer[lineEnd - 1] == (byte)'\r')
        {
            lineEnd--;
        }

        if (!SplitInline(buffer, start, lineEnd, ref args, out argc))
        {
            error = "Protocol error: unbalanced quotes in request";
            return ParseStatus.Error;
        }

        return ParseStatus.Complete;
    }

    /// <summary>
    /// Splits an inline line like redis-cli does (sdssplitargs): spaces separate, "..." knows C escapes and \xHH,
    /// '...' knows \'. Unescaped bytes are written back over the line (they never take more room).
    /// </summary>
    private static bool SplitInline(byte[] b, int pos, int end, ref ArgSlice[] args, out int argc)
    {
        argc = 0;
        while (true)
        {
            while (pos < end && IsSpace(b[pos]))
            {
                pos++;
            }

            if (pos >= end)
            {
                return true;
            }

            int write = pos;
            int argStart = pos;
            bool inDouble = false, inSingle = false, done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (pos >= end)
                    {
                        return false;
                    }

                    byte c = b[pos];
                    if (c == '\\' && pos + 3 < end && b[pos + 1] == 'x' && IsHex(b[pos + 2]) && IsHex(b[pos + 3]))
                    {
                        b[write++] = (byte)((Hex(b[pos + 2]) << 4) | Hex(b[pos + 3]));
                        pos += 4;
                    }
                    else if (c == '\\' && pos + 1 < end)
                    {
                        pos++;
                        b[write++] = b[pos] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            _ => b[pos],
                        };
                        pos++;
                    }
                    else if (c == '"')
                    {
                        pos++;
                        if (pos < end && !IsSpace(b[pos]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        b[write++] = c;
                        pos++;
                    }
                }
                else if (inSingle)
                {
                    if (pos >= end)
                    {
                        return false;
                    }

                    byte c = b[pos];
                    if (c == '\\' && pos + 1 < end && b[pos + 1] == '\'')
                    {
                        b[write++] = (byte)'\'';
                        pos += 2;
                    }
                    else if (c == '\'')
                    {
                        pos++;
                        if (pos < end && !IsSpace(b[pos]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        b[write++] = c;
                        pos++;
                    }
                }
                else if (pos >= end || IsSpace(b[pos]))
                {
                    done = true;
                }
                else if (b[pos] == '"')
                {
                    inDouble = true;
                    pos++;
                }
                else if (b[pos] == '\'')
                {
                    inSingle = true;
                    pos++;
                }
                else
                {
                    b[write++] = b[pos++];
                }
            }

            if (argc == args.Length)
            {
                Array.Resize(ref args, args.Length * 2);
            }

            args[argc++] = new ArgSlice(argStart, write - argStart);
        }
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int Hex(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
