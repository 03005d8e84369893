using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// COPY FROM's row source: reads chunks from the channel as the parser needs them and turns each line (or binary
/// tuple) into the target columns' values, with HEADER skipped or matched, FORCE_NOT_NULL / FORCE_NULL applied and
/// errors given PostgreSQL's CONTEXT (<c>COPY t, line 3, column x: "abc"</c>).
/// </summary>
internal sealed class CopyInput(CopyOptions options, string[] names, bool[] forceNotNull, bool[] forceNull, string table, ICopyChannel io)
{
    private const int MaxDisplay = 100;

    private readonly CopyTextReader? _text = options.Format == CopyFormat.Binary ? null : new CopyTextReader(options);
    private readonly CopyBinaryReader? _binary = options.Format == CopyFormat.Binary ? new CopyBinaryReader() : null;
    private readonly CopyFieldList _fields = new();
    private string?[] _texts = [];
    private long[] _integers = [];
    private readonly List<(int Offset, int Length)> _binaryFields = [];
    private bool _final;
    private bool _headerDone = !options.Header;

    private long LineNumber => _text?.LineNumber ?? _binary!.LineNumber;

    /// <summary>PostgreSQL's CONTEXT for an error about the current line as a whole; without its text for what the index insert found (a duplicate key), as PostgreSQL's buffered inserts report it.</summary>
    public string LineContext(bool withText = true) => _text is null || !withText ? $"COPY {table}, line {LineNumber}" : $"COPY {table}, line {LineNumber}: \"{_text.LastLine}\"";

    /// <summary>Fills <paramref name="values"/> with the next row; false at the end of the data.</summary>
    public async ValueTask<bool> NextAsync(SqlValue[] values, IReadOnlyList<ColumnDef> targets, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryRow(values, targets))
            {
                return true;
            }

            if (_final)
            {
                return false;
            }

            ReadOnlyMemory<byte> chunk = await io.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (chunk.IsEmpty)
            {
                _final = true;
                continue;
            }

            try
            {
                if (_text is not null)
                {
                    _text.Append(chunk.Span);
                }
                else
                {
                    _binary!.Append(chunk.Span);
                }
            }
            catch (SqlException e)
            {
                throw e.WithWhere($"COPY {table}, line {LineNumber}");
            }
        }
    }

    private bool TryRow(SqlValue[] values, IReadOnlyList<ColumnDef> targets)
    {
        try
        {
            return _text is not null ? TryTextRow(values, targets) : TryBinaryRow(values, targets);
        }
        catch (SqlException e) when (e.Where is null)
        {
            throw e.WithWhere(_text is null ? $"COPY {table}, line {LineNumber}" : $"COPY {table}, line {LineNumber}: \"{_text.LastLine}\"");
        }
    }

    private bool TryTextRow(SqlValue[] values, IReadOnlyList<ColumnDef> targets)
    {
        while (_text!.TryReadRow(_fields, _final))
        {
            if (!_headerDone)
            {
                _headerDone = true;
                if (options.HeaderMatch)
                {
                    MatchHeader([.. Enumerable.Range(0, _fields.Count).Select(_fields.GetString)]);
                }

                continue;
            }

            if (_fields.Count == 1 && targets.Count == 0 && !_fields.IsNull(0) && _fields[0].IsEmpty)
            {
                return true; // a zero-column table: an empty line is a row
            }

            if (_fields.Count > targets.Count)
            {
                throw new SqlException(SqlState.BadCopyFileFormat, "extra data after last expected column");
            }

            if (_fields.Count < targets.Count)
            {
                throw new SqlException(SqlState.BadCopyFileFormat, $"missing data for column \"{targets[_fields.Count].Name}\"");
            }

            if (_texts.Length != targets.Count)
            {
                _texts = new string?[targets.Count];
                _integers = new long[targets.Count];
            }

            // Every field that needs text is decoded first, in order, so a line's first invalid byte sequence is its
            // error whatever the other fields hold; plain integers are parsed from the bytes (no string per field).
            for (int i = 0; i < targets.Count; i++)
            {
                _texts[i] = !options.IsCsv && PlainInteger(i, targets[i].Type) ? null : _fields.GetString(i);
            }

            for (int i = 0; i < targets.Count; i++)
            {
                string? field = _texts[i];
                if (field is null && !_fields.IsNull(i))
                {
                    values[i] = AssignInteger(i, targets[i]);
                    continue;
                }

                if (options.IsCsv)
                {
                    if (field is null && forceNotNull[i])
                    {
                        field = options.Null;
                    }
                    else if (field is not null && forceNull[i] && field == options.Null)
                    {
                        field = null;
                    }
                }

                values[i] = field is null ? SqlValue.Null : Convert(field, targets[i]);
            }

            return true;
        }

        return false;
    }

    /// <summary>Whether field <paramref name="i"/> is a plain decimal within <paramref name="type"/>'s range (then in <c>_integers</c>).</summary>
    private bool PlainInteger(int i, SqlType type)
    {
        if (type.IsArray)
        {
            return false;
        }

        (long min, long max) = type.Kind switch
        {
            SqlTypeKind.Int2 => (short.MinValue, short.MaxValue),
            SqlTypeKind.Int4 => (int.MinValue, int.MaxValue),
            SqlTypeKind.Int8 => (long.MinValue, long.MaxValue),
            _ => (1L, 0L),
        };
        return min <= max && _fields.TryGetPlainInteger(i, min, max, out _integers[i]);
    }

    private SqlValue AssignInteger(int i, ColumnDef column)
    {
        try
        {
            return RowWriter.Assign(SqlValue.FromInteger(column.Type.Kind, _integers[i]), column);
        }
        catch (SqlException e)
        {
            throw e.WithWhere($"COPY {table}, line {LineNumber}, column {column.Name}: \"{_fields.GetString(i)}\"");
        }
    }

    private SqlValue Convert(string field, ColumnDef column)
    {
        try
        {
            return RowWriter.Assign(SqlText.Parse(field, column.Type), column);
        }
        catch (SqlException e)
        {
            string shown = field.Length <= MaxDisplay ? field : field[..MaxDisplay] + "...";
            throw e.WithWhere($"COPY {table}, line {LineNumber}, column {column.Name}: \"{shown}\"");
        }
    }

    private void MatchHeader(List<string?> header)
    {
        if (header.Count != names.Length)
        {
            throw new SqlException(SqlState.BadCopyFileFormat, $"wrong number of fields in header line: got {header.Count}, expected {names.Length}");
        }

        for (int i = 0; i < names.Length; i++)
        {
            if (header[i] is null)
            {
                throw new SqlException(SqlState.BadCopyFileFormat, $"column name mismatch in header line field {i + 1}: got null value (\"{options.Null}\"), expected \"{names[i]}\"");
            }

            if (header[i] != names[i])
            {
                throw new SqlException(SqlState.BadCopyFileFormat, $"column name mismatch in header line field {i + 1}: got \"{header[i]}\", expected \"{names[i]}\"");
            }
        }
    }

    private bool TryBinaryRow(SqlValue[] values, IReadOnlyList<ColumnDef> targets)
    {
        if (!_binary!.TryReadRow(_binaryFields, targets.Count, _final))
        {
            return false;
        }

        for (int i = 0; i < targets.Count; i++)
        {
            (int offset, int length) = _binaryFields[i];
            if (length < 0)
            {
                values[i] = SqlValue.Null;
                continue;
            }

            try
            {
                values[i] = RowWriter.Assign(io.DecodeBinary(_binary.Data.Slice(offset, length), targets[i].Type), targets[i]);
            }
            catch (SqlException e)
            {
                throw e.WithWhere($"COPY {table}, line {LineNumber}, column {targets[i].Name}");
            }
        }

        return true;
    }
}
