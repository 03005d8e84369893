using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// Builds backend messages into one buffer per connection (type byte, length patched at the end) and sends them in
/// one write: a whole query's RowDescription, DataRows and ReadyForQuery leave in a single send. The buffer grows no
/// further than the connection's output limit (<see cref="OutputLimit.BufferMaxBytes"/>): past it the connection is
/// closed (<see cref="OutputLimitExceededException"/>), never grown toward <see cref="Array.MaxLength"/>.
/// </summary>
/// <param name="limit">The connection's output limit; none given, only the transport's ceiling applies.</param>
internal sealed class PgWriter(OutputLimit? limit = null)
{
    private readonly OutputLimit _limit = limit ?? OutputLimit.Unlimited;
    private byte[] _buffer = new byte[8192];
    private int _length;
    private int _messageStart = -1;

    public int Length => _length;

    /// <summary>What is buffered and not sent yet.</summary>
    public ReadOnlySpan<byte> Pending => _buffer.AsSpan(0, _length);

    public void Begin(byte type)
    {
        Ensure(5);
        _buffer[_length] = type;
        _messageStart = _length + 1;
        _length += 5;
    }

    /// <summary>Patches the length of the message begun last.</summary>
    public void End()
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_messageStart), _length - _messageStart);
        _messageStart = -1;
    }

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void Int16(short value)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    public void Int32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void Int64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>A NUL-terminated UTF-8 string.</summary>
    public void CString(string value)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(value.Length) + 1);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        _buffer[_length++] = 0;
    }

    /// <summary>Int32 length followed by the UTF-8 bytes (a DataRow column in text format).</summary>
    public void LengthPrefixedText(string value)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(value.Length) + 4);
        int n = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), n);
        _length += n + 4;
    }

    /// <summary>
    /// A DataRow column in text format, encoded straight into the buffer: integers, booleans and strings without an
    /// intermediate string; other kinds through <see cref="SqlText.Format"/>.
    /// </summary>
    public void TextValue(SqlValue value)
    {
        if (value.IsArray)
        {
            LengthPrefixedText(SqlText.Format(value));
            return;
        }

        switch (value.Kind)
        {
            case SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid:
            {
                Ensure(4 + 20);
                value.AsInt64.TryFormat(_buffer.AsSpan(_length + 4), out int n, default, CultureInfo.InvariantCulture);
                BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), n);
                _length += n + 4;
                return;
            }

            case SqlTypeKind.Bool:
                Int32(1);
                Byte(value.AsBool ? (byte)'t' : (byte)'f');
                return;
            case SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Char or SqlTypeKind.Name:
                LengthPrefixedText(value.AsString);
                return;
            default:
                LengthPrefixedText(SqlText.Format(value));
                return;
        }
    }

    /// <summary>Reserves room for an Int32 length to be patched by <see cref="PatchLength"/>; returns its offset.</summary>
    public int ReserveLength()
    {
        Ensure(4);
        int at = _length;
        _length += 4;
        return at;
    }

    public void PatchLength(int at) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at), _length - at - 4);

    public void ParameterStatus(string name, string value)
    {
        Begin((byte)'S');
        CString(name);
        CString(value);
        End();
    }

    public void ReadyForQuery(byte state)
    {
        Begin((byte)'Z');
        Byte(state);
        End();
    }

    public void CommandComplete(string tag)
    {
        Begin((byte)'C');
        CString(tag);
        End();
    }

    public void Empty(byte type)
    {
        Begin(type);
        End();
    }

    /// <summary>ErrorResponse ('E') or NoticeResponse ('N') with the fields PostgreSQL sends.</summary>
    public void Error(byte type, string severity, string sqlState, string message, string? detail = null, string? hint = null, int position = 0, string? where = null)
    {
        Begin(type);
        Field('S', severity);
        Field('V', severity);
        Field('C', sqlState);
        Field('M', message);
        if (detail is not null)
        {
            Field('D', detail);
        }

        if (hint is not null)
        {
            Field('H', hint);
        }

        if (position > 0)
        {
            Field('P', position.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (where is not null)
        {
            Field('W', where);
        }

        Byte(0);
        End();
    }

    private void Field(char code, string value)
    {
        Byte((byte)code);
        CString(value);
    }

    public OutputLimit Limit => _limit;

    /// <summary>Sends what is buffered through the transport's bounded send (<see cref="Connection.SendAsync"/>).</summary>
    public async ValueTask FlushAsync(Connection connection, CancellationToken cancellationToken = default)
    {
        if (_length == 0)
        {
            return;
        }

        await connection.SendAsync(_buffer.AsMemory(0, _length), _limit, cancellationToken).ConfigureAwait(false);
        Sent();
    }

    /// <summary>
    /// Sends what is buffered from inside a statement streaming its rows off the event loop: the statement waits for
    /// the client (<see cref="Connection.SendWhileStreaming"/>). Only between messages.
    /// </summary>
    public void FlushWhileStreaming(Connection connection)
    {
        if (_length == 0)
        {
            return;
        }

        connection.SendWhileStreaming(_buffer.AsMemory(0, _length), _limit);
        Sent();
    }

    private void Sent()
    {
        _length = 0;
        if (_buffer.Length > 1 << 20)
        {
            // one huge result must not pin its buffer for the rest of the connection
            _buffer = new byte[8192];
        }
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length)
        {
            return;
        }

        Grow(more);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void Grow(int more)
    {
        long wanted = (long)_length + more;
        long max = Math.Min(_limit.BufferMaxBytes, Array.MaxLength);
        if (wanted > max)
        {
            throw new OutputLimitExceededException($"pg: {wanted} bytes of replies, limit {max} bytes");
        }

        long size = Math.Min(Math.Max((long)_buffer.Length * 2, wanted), max);
        Array.Resize(ref _buffer, (int)size);
    }
}
