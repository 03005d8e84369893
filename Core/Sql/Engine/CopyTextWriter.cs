using System.Buffers;
using System.Globalization;
using System.Text;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// COPY TO output in text or CSV format, one line per row ending in <c>\n</c>, as PostgreSQL's CopyAttributeOutText
/// and CopyAttributeOutCSV write it. Text: backslash, the delimiter and the control characters <c>\b \f \n \r \t \v</c>
/// are backslash-escaped, NULL is the NULL string. CSV: a value is quoted when FORCE_QUOTE names its column, when it
/// holds the delimiter, the quote, a newline or a carriage return, when it equals the NULL string, or when it is
/// <c>\.</c> in a one-column copy; inside quotes the quote and escape characters are preceded by the escape.
/// </summary>
public sealed class CopyTextWriter
{
    private readonly CopyOptions _options;
    private readonly byte[] _null;
    private readonly bool[] _forceQuote;
    private readonly bool _plainIntegers;
    private byte[] _scratch = new byte[256];

    public CopyTextWriter(CopyOptions options, int columns, bool[]? forceQuote = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _null = Encoding.UTF8.GetBytes(options.Null);
        _forceQuote = forceQuote ?? [.. Enumerable.Repeat(options.ForceQuoteAll, columns)];
        Columns = columns;
        // an integer's text needs no escape or quote unless the delimiter is '-' or a digit, or (CSV) it could equal the NULL string
        _plainIntegers = options.Delimiter is not ((byte)'-' or (>= (byte)'0' and <= (byte)'9')) && (!options.IsCsv || _null.Length == 0);
    }

    public int Columns { get; }

    /// <summary>The HEADER line: the column names, escaped or quoted as values are.</summary>
    public void WriteHeader(IReadOnlyList<string> names, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(output);
        for (int i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                Put(output, _options.Delimiter);
            }

            WriteField(Encode(names[i]), quoteAnyway: false, output);
        }

        Put(output, (byte)'\n');
    }

    public void WriteRow(ReadOnlySpan<SqlValue> row, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        for (int i = 0; i < row.Length; i++)
        {
            if (i > 0)
            {
                Put(output, _options.Delimiter);
            }

            SqlValue v = row[i];
            if (v.IsNull)
            {
                output.Write(_null);
                continue;
            }

            if (_plainIntegers && !_forceQuote[i] && !v.IsArray && v.Kind is SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid)
            {
                // digits and a sign need no escaping nor quoting here (see _plainIntegers)
                Span<byte> digits = output.GetSpan(20);
                v.AsInt64.TryFormat(digits, out int n, default, CultureInfo.InvariantCulture);
                output.Advance(n);
                continue;
            }

            string text = !v.IsArray && v.Kind is SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Char or SqlTypeKind.Name ? v.AsString : SqlText.Format(v);
            WriteField(Encode(text), _forceQuote[i], output);
        }

        Put(output, (byte)'\n');
    }

    private ReadOnlySpan<byte> Encode(string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_scratch.Length < max)
        {
            _scratch = new byte[Math.Max(max, _scratch.Length * 2)];
        }

        int n = Encoding.UTF8.GetBytes(text, _scratch);
        return _scratch.AsSpan(0, n);
    }

    private void WriteField(ReadOnlySpan<byte> value, bool quoteAnyway, IBufferWriter<byte> output)
    {
        if (_options.IsCsv)
        {
            WriteCsv(value, quoteAnyway, output);
        }
        else
        {
            WriteText(value, output);
        }
    }

    private void WriteText(ReadOnlySpan<byte> value, IBufferWriter<byte> output)
    {
        byte delimiter = _options.Delimiter;
        int from = 0;
        for (int i = 0; i < value.Length; i++)
        {
            byte c = value[i];
            byte escaped = c switch
            {
                (byte)'\\' => (byte)'\\',
                8 => (byte)'b',
                12 => (byte)'f',
                (byte)'\n' => (byte)'n',
                (byte)'\r' => (byte)'r',
                (byte)'\t' => (byte)'t',
                11 => (byte)'v',
                _ when c == delimiter => c,
                _ => 0,
            };
            if (escaped == 0)
            {
                continue;
            }

            output.Write(value[from..i]);
            Put(output, (byte)'\\');
            Put(output, escaped);
            from = i + 1;
        }

        output.Write(value[from..]);
    }

    private void WriteCsv(ReadOnlySpan<byte> value, bool quote, IBufferWriter<byte> output)
    {
        byte delimiter = _options.Delimiter, quoteChar = _options.Quote, escape = _options.Escape;
        quote |= value.SequenceEqual(_null);
        if (!quote)
        {
            if (Columns == 1 && value.SequenceEqual("\\."u8))
            {
                quote = true;
            }
            else
            {
                foreach (byte c in value)
                {
                    if (c == delimiter || c == quoteChar || c is (byte)'\n' or (byte)'\r')
                    {
                        quote = true;
                        break;
                    }
                }
            }
        }

        if (!quote)
        {
            output.Write(value);
            return;
        }

        Put(output, quoteChar);
        int from = 0;
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == quoteChar || value[i] == escape)
            {
                output.Write(value[from..i]);
                Put(output, escape);
                from = i;
            }
        }

        output.Write(value[from..]);
        Put(output, quoteChar);
    }

    private static void Put(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
