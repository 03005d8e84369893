using System.Text;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// COPY FROM input in text or CSV format, arriving in chunks cut anywhere (CopyData messages): splits it into lines
/// as PostgreSQL's CopyReadLine does (the first line fixes the line ending, <c>\n</c>, <c>\r\n</c> or <c>\r</c>;
/// in text format a backslash escapes the next byte, in CSV a newline inside quotes is data; <c>\.</c> ends the
/// data) and a line into fields (CopyReadAttributesText / CopyReadAttributesCSV). Only the unfinished line is kept,
/// so memory follows the longest line, never the whole input.
/// </summary>
public sealed class CopyTextReader(CopyOptions options)
{
    private const int MaxDisplay = 100;

    private readonly CopyOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly byte[] _null = Encoding.UTF8.GetBytes(options.Null);
    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;
    private int _scan;
    private bool _inQuote;
    private bool _lastWasEscape;
    private Eol _eol;
    private CopyFieldList? _strings; // TryReadRow(List<string?>)'s fields before they are decoded
    // The last line's bytes, decoded only when an error shows it (a string per line was a third of COPY's allocations).
    private byte[] _lastLine = new byte[256];
    private int _lastLineLength;

    private enum Eol : byte
    {
        Unknown,
        Lf,
        CrLf,
        Cr,
    }

    /// <summary>The number of the line last returned (1-based, as in PostgreSQL's CONTEXT).</summary>
    public long LineNumber { get; private set; }

    /// <summary>True once the end-of-data marker <c>\.</c> was read: anything after it is ignored.</summary>
    public bool SawEndMarker { get; private set; }

    /// <summary>The last line returned, for error context (cut to 100 characters as PostgreSQL does).</summary>
    public string LastLine => Display(_lastLine.AsSpan(0, _lastLineLength));

    /// <summary>Adds received bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (SawEndMarker)
        {
            return;
        }

        if (_end + data.Length > _buffer.Length)
        {
            int live = _end - _start;
            if (live + data.Length > _buffer.Length || _start == 0)
            {
                var bigger = new byte[Math.Max(_buffer.Length * 2, live + data.Length)];
                Buffer.BlockCopy(_buffer, _start, bigger, 0, live);
                _buffer = bigger;
            }
            else
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
            }

            _scan -= _start;
            _start = 0;
            _end = live;
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>
    /// Reads the next line's fields into <paramref name="fields"/> (null = SQL NULL). False when no whole line is
    /// buffered yet, or, with <paramref name="final"/> (the input ended), when nothing is left.
    /// </summary>
    public bool TryReadRow(List<string?> fields, bool final)
    {
        ArgumentNullException.ThrowIfNull(fields);
        fields.Clear();
        _strings ??= new CopyFieldList();
        if (!TryReadRow(_strings, final))
        {
            return false;
        }

        for (int i = 0; i < _strings.Count; i++)
        {
            fields.Add(_strings.GetString(i));
        }

        return true;
    }

    /// <summary>
    /// Reads the next line's fields into <paramref name="fields"/> as bytes, not decoded as UTF-8 yet
    /// (<see cref="CopyFieldList.GetString"/> checks that). False as for the string form.
    /// </summary>
    public bool TryReadRow(CopyFieldList fields, bool final)
    {
        ArgumentNullException.ThrowIfNull(fields);
        fields.Clear();
        if (SawEndMarker)
        {
            return false;
        }

        if (!TryFindLine(final, out int lineEnd, out int next, out bool endMarker))
        {
            return false;
        }

        ReadOnlySpan<byte> line = _buffer.AsSpan(_start, lineEnd - _start);
        _start = next;
        _scan = next;
        _inQuote = false;
        _lastWasEscape = false;
        if (endMarker)
        {
            SawEndMarker = true;
            if (line.IsEmpty)
            {
                return false;
            }
        }

        LineNumber++;
        RememberLine(line);
        if (_options.IsCsv)
        {
            SplitCsv(line, fields);
        }
        else
        {
            SplitText(line, fields);
        }

        return true;
    }

    /// <summary>Finds the end of the line starting at <see cref="_start"/>, resuming the scan where the last call stopped.</summary>
    private bool TryFindLine(bool final, out int lineEnd, out int next, out bool endMarker)
    {
        bool csv = _options.IsCsv;
        byte quote = _options.Quote;
        byte escape = _options.Escape;
        endMarker = false;
        int i = _scan;
        while (i < _end)
        {
            byte c = _buffer[i];
            if (csv)
            {
                if (c == (byte)'\\' && i == _start && !_inQuote)
                {
                    // \. alone at the start of a line ends CSV data too
                    int available = _end - i;
                    if (available < 3 && !final && (available == 1 || _buffer[i + 1] == (byte)'.'))
                    {
                        _scan = i;
                        lineEnd = next = 0;
                        return false;
                    }

                    if (available >= 2 && _buffer[i + 1] == (byte)'.' && (available == 2 || _buffer[i + 2] is (byte)'\n' or (byte)'\r'))
                    {
                        lineEnd = i;
                        next = _end;
                        endMarker = true;
                        return true;
                    }
                }

                // quote = escape: every quote toggles (a doubled one toggles twice); else an escape inside quotes
                // shields the next quote, but not the second of an escape pair
                if (quote != escape && _inQuote && c == escape)
                {
                    _lastWasEscape = !_lastWasEscape;
                }

                if (c == quote && !_lastWasEscape)
                {
                    _inQuote = !_inQuote;
                }

                if (c != escape)
                {
                    _lastWasEscape = false;
                }

                if (_inQuote)
                {
                    i++;
                    continue;
                }
            }
            else if (c == (byte)'\\')
            {
                if (i + 1 >= _end)
                {
                    if (!final)
                    {
                        _scan = i;
                        lineEnd = next = 0;
                        return false;
                    }

                    i++;
                    continue;
                }

                if (_buffer[i + 1] == (byte)'.')
                {
                    if (i + 2 >= _end && !final)
                    {
                        _scan = i;
                        lineEnd = next = 0;
                        return false;
                    }

                    if (i + 2 < _end && _buffer[i + 2] is not ((byte)'\n' or (byte)'\r'))
                    {
                        throw new SqlException(SqlState.BadCopyFileFormat, "end-of-copy marker corrupt");
                    }

                    lineEnd = i;
                    next = _end;
                    endMarker = true;
                    return true;
                }

                i += 2;
                continue;
            }

            if (c is (byte)'\n' or (byte)'\r')
            {
                if (c == (byte)'\r' && i + 1 >= _end && !final && _eol is Eol.Unknown or Eol.CrLf)
                {
                    _scan = i; // is it \r\n? wait for the next byte
                    lineEnd = next = 0;
                    return false;
                }

                Eol found = c == (byte)'\n' ? Eol.Lf : i + 1 < _end && _buffer[i + 1] == (byte)'\n' ? Eol.CrLf : Eol.Cr;
                if (_eol == Eol.Unknown)
                {
                    _eol = found;
                }
                else if (_eol != found && !(_eol == Eol.Cr && found == Eol.CrLf))
                {
                    throw LineEndingMismatch(c == (byte)'\r');
                }

                lineEnd = i;
                next = i + (_eol == Eol.CrLf ? 2 : 1);
                return true;
            }

            i++;
        }

        _scan = Math.Max(_scan, Math.Min(i, _end));
        if (final && _end > _start)
        {
            if (csv && _inQuote)
            {
                LineNumber++;
                RememberLine(_buffer.AsSpan(_start, _end - _start));
                throw new SqlException(SqlState.BadCopyFileFormat, "unterminated CSV quoted field");
            }

            lineEnd = _end;
            next = _end;
            return true;
        }

        lineEnd = next = 0;
        return false;
    }

    private SqlException LineEndingMismatch(bool carriageReturn)
    {
        LineNumber++;
        return (carriageReturn, _options.IsCsv) switch
        {
            (true, false) => new SqlException(SqlState.BadCopyFileFormat, "literal carriage return found in data", hint: "Use \"\\r\" to represent carriage return."),
            (true, true) => new SqlException(SqlState.BadCopyFileFormat, "unquoted carriage return found in data", hint: "Use quoted CSV field to represent carriage return."),
            (false, false) => new SqlException(SqlState.BadCopyFileFormat, "literal newline found in data", hint: "Use \"\\n\" to represent newline."),
            (false, true) => new SqlException(SqlState.BadCopyFileFormat, "unquoted newline found in data", hint: "Use quoted CSV field to represent newline."),
        };
    }

    /// <summary>Text format: fields split at the delimiter, backslash escapes decoded, the raw <c>NULL</c> string is NULL.</summary>
    private void SplitText(ReadOnlySpan<byte> line, CopyFieldList fields)
    {
        byte delimiter = _options.Delimiter;
        int i = 0;
        while (true)
        {
            int rawStart = i;
            fields.BeginField();
            // most fields have no backslash: find the field's end in one vectorized search, copy it whole
            int stop = line[i..].IndexOfAny(delimiter, (byte)'\\');
            if (stop < 0 || line[i + stop] == delimiter)
            {
                int fieldEnd = stop < 0 ? line.Length : i + stop;
                fields.Append(line[i..fieldEnd]);
                i = fieldEnd;
            }
            else
            {
                fields.Append(line.Slice(i, stop));
                i += stop;
            }

            while (i < line.Length)
            {
                byte c = line[i++];
                if (c == delimiter)
                {
                    i--;
                    break;
                }

                if (c != (byte)'\\')
                {
                    fields.Append(c);
                    continue;
                }

                if (i >= line.Length)
                {
                    break;
                }

                c = line[i++];
                switch (c)
                {
                    case >= (byte)'0' and <= (byte)'7':
                    {
                        int value = c - '0';
                        for (int k = 0; k < 2 && i < line.Length && line[i] is >= (byte)'0' and <= (byte)'7'; k++)
                        {
                            value = (value << 3) + (line[i++] - '0');
                        }

                        fields.Append((byte)value);
                        break;
                    }

                    case (byte)'x' when i < line.Length && IsHex(line[i]):
                    {
                        int value = HexValue(line[i++]);
                        if (i < line.Length && IsHex(line[i]))
                        {
                            value = (value << 4) + HexValue(line[i++]);
                        }

                        fields.Append((byte)value);
                        break;
                    }

                    case (byte)'b':
                        fields.Append(8);
                        break;
                    case (byte)'f':
                        fields.Append(12);
                        break;
                    case (byte)'n':
                        fields.Append((byte)'\n');
                        break;
                    case (byte)'r':
                        fields.Append((byte)'\r');
                        break;
                    case (byte)'t':
                        fields.Append((byte)'\t');
                        break;
                    case (byte)'v':
                        fields.Append(11);
                        break;
                    default:
                        fields.Append(c);
                        break;
                }
            }

            fields.EndField(isNull: line[rawStart..i].SequenceEqual(_null)); // NULL is matched before escapes are undone
            if (i >= line.Length)
            {
                return;
            }

            i++; // the delimiter
        }
    }

    /// <summary>CSV: quoted sections keep delimiters and newlines, a doubled quote (or escape + quote) is a quote; only an unquoted NULL string is NULL.</summary>
    private void SplitCsv(ReadOnlySpan<byte> line, CopyFieldList fields)
    {
        byte delimiter = _options.Delimiter, quote = _options.Quote, escape = _options.Escape;
        int i = 0;
        while (true)
        {
            int rawStart = i;
            fields.BeginField();
            bool sawQuote = false;
            while (i < line.Length)
            {
                byte c = line[i++];
                if (c == delimiter)
                {
                    i--;
                    break;
                }

                if (c != quote)
                {
                    fields.Append(c);
                    continue;
                }

                sawQuote = true;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new SqlException(SqlState.BadCopyFileFormat, "unterminated CSV quoted field");
                    }

                    c = line[i++];
                    if (c == escape && i < line.Length && (line[i] == quote || line[i] == escape))
                    {
                        fields.Append(line[i++]);
                        continue;
                    }

                    if (c == quote)
                    {
                        break;
                    }

                    fields.Append(c);
                }
            }

            fields.EndField(isNull: !sawQuote && line[rawStart..i].SequenceEqual(_null));
            if (i >= line.Length)
            {
                return;
            }

            i++;
        }
    }

    private static bool IsHex(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F');

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    private void RememberLine(ReadOnlySpan<byte> line)
    {
        if (_lastLine.Length < line.Length)
        {
            _lastLine = new byte[Math.Max(line.Length, _lastLine.Length * 2)];
        }

        line.CopyTo(_lastLine);
        _lastLineLength = line.Length;
    }

    private static string Display(ReadOnlySpan<byte> line)
    {
        string text = Encoding.UTF8.GetString(line);
        return text.Length <= MaxDisplay ? text : text[..MaxDisplay] + "...";
    }
}
