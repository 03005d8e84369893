using System.Text;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// One COPY text or CSV line's fields as decoded bytes (escapes and quotes resolved) in one reused buffer, with
/// SQL NULLs marked: <see cref="CopyInput"/> parses integer columns straight from these bytes and makes a string only
/// for the fields that need one, so a pgbench_accounts row costs one string (its filler) instead of four.
/// </summary>
public sealed class CopyFieldList
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _bytes = new byte[256];
    private int _used;
    private int[] _offsets = new int[16];
    private int[] _lengths = new int[16]; // -1: NULL
    private int _pending = -1; // the field being built (BeginField .. EndField), or -1

    public int Count { get; private set; }

    public void Clear()
    {
        Count = 0;
        _used = 0;
        _pending = -1;
    }

    public bool IsNull(int i) => _lengths[i] < 0;

    /// <summary>Field <paramref name="i"/>'s bytes (empty for NULL).</summary>
    public ReadOnlySpan<byte> this[int i] => _lengths[i] < 0 ? default : _bytes.AsSpan(_offsets[i], _lengths[i]);

    public void AddNull()
    {
        Reserve();
        _offsets[Count] = _used;
        _lengths[Count] = -1;
        Count++;
    }

    public void Add(ReadOnlySpan<byte> bytes)
    {
        BeginField();
        Append(bytes);
        EndField();
    }

    /// <summary>Starts a field whose bytes come in pieces (<see cref="Append(byte)"/>); <see cref="EndField"/> ends it.</summary>
    public void BeginField()
    {
        Reserve();
        _pending = _used;
    }

    public void Append(byte b)
    {
        if (_used == _bytes.Length)
        {
            Array.Resize(ref _bytes, _bytes.Length * 2);
        }

        _bytes[_used++] = b;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_used + bytes.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + bytes.Length));
        }

        bytes.CopyTo(_bytes.AsSpan(_used));
        _used += bytes.Length;
    }

    /// <summary>The field begun last, as a NULL when <paramref name="isNull"/> (its bytes are dropped).</summary>
    public void EndField(bool isNull = false)
    {
        _offsets[Count] = _pending;
        _lengths[Count] = isNull ? -1 : _used - _pending;
        if (isNull)
        {
            _used = _pending;
        }

        _pending = -1;
        Count++;
    }

    /// <summary>Field <paramref name="i"/> as text (null for NULL); invalid UTF-8 or a 0x00 byte is 22021, as in PostgreSQL.</summary>
    public string? GetString(int i)
    {
        if (IsNull(i))
        {
            return null;
        }

        ReadOnlySpan<byte> bytes = this[i];
        if (bytes.IsEmpty)
        {
            return "";
        }

        if (bytes.IndexOf((byte)0) >= 0)
        {
            throw new SqlException(SqlState.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x00");
        }

        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new SqlException(SqlState.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"");
        }
    }

    /// <summary>
    /// Field <paramref name="i"/> as a plain decimal integer (an optional '-' and 1-18 digits, nothing else) within
    /// [<paramref name="min"/>, <paramref name="max"/>]; false for anything else, which the caller parses from text
    /// (whitespace, '+', out-of-range and invalid input keep their exact PostgreSQL errors there).
    /// </summary>
    public bool TryGetPlainInteger(int i, long min, long max, out long value)
    {
        value = 0;
        ReadOnlySpan<byte> bytes = this[i];
        bool negative = bytes.Length > 0 && bytes[0] == (byte)'-';
        ReadOnlySpan<byte> digits = negative ? bytes[1..] : bytes;
        if (IsNull(i) || digits.IsEmpty || digits.Length > 18)
        {
            return false;
        }

        foreach (byte b in digits)
        {
            uint d = (uint)(b - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        if (negative)
        {
            value = -value;
        }

        return value >= min && value <= max;
    }

    private void Reserve()
    {
        if (Count == _offsets.Length)
        {
            Array.Resize(ref _offsets, Count * 2);
            Array.Resize(ref _lengths, Count * 2);
        }
    }
}
