using System.Diagnostics;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Session;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Net.Postgres;

/// <summary>A statement made by Parse: its text, the session's prepared statement (null for an empty query) and its parameter types.</summary>
internal sealed record PgPrepared(string Sql, PreparedStatement? Statement, SqlType[] ParameterTypes)
{
    public StatementDescription? Description => Statement?.Description;
}

/// <summary>A portal made by Bind: a prepared statement with values, and once executed its result (to resume a row-limited Execute).</summary>
internal sealed class PgPortal(PgPrepared prepared, SqlValue[] parameters, short[] resultFormats)
{
    public PgPrepared Prepared { get; private set; } = prepared;

    public SqlValue[] Parameters { get; private set; } = parameters;

    public short[] ResultFormats { get; private set; } = resultFormats;

    public StatementResult? Result { get; set; }

    public int ResumeAt { get; set; }

    public bool Done { get; set; }

    /// <summary>Makes this (dropped) unnamed portal the next Bind's, keeping its parameter array when the size matches.</summary>
    public void Reset(PgPrepared prepared, int parameters)
    {
        Prepared = prepared;
        Parameters = Parameters.Length == parameters ? Parameters : new SqlValue[parameters];
        Result = null;
        ResumeAt = 0;
        Done = false;
    }

    /// <summary>The result format array to fill, kept from the last Bind when the count matches.</summary>
    public short[] FormatsFor(int count) => ResultFormats = ResultFormats.Length == count ? ResultFormats : new short[count];
}

/// <summary>The extended query protocol: Parse, Bind, Describe, Execute, Close and Sync.</summary>
internal sealed partial class PgConnection
{
    private const int MaxParameters = 65_535;

    private readonly Dictionary<string, PgPrepared> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PgPortal> _portals = new(StringComparer.Ordinal);
    private bool _skipUntilSync;
    private PgRowSink? _rowSink;
    private PgPortal? _unnamedPortal;

    /// <summary>An error in the extended protocol: reported, then every message up to Sync is skipped.</summary>
    private void ExtendedError(SqlException e)
    {
        WriteError(e);
        _skipUntilSync = true;
    }

    private void Parse(ReadOnlySpan<byte> span)
    {
        var body = new PgBody(span);
        string name = body.CString();
        string sql = body.CString();
        short count = body.Count16();
        var declared = new SqlType[count];
        for (int i = 0; i < count; i++)
        {
            int oid = body.Int32();
            // 0 and unknown (705) both leave the type to be inferred from context, as in PostgreSQL
            declared[i] = oid is 0 or 705 ? SqlType.Unknown : _session!.TypeOfOid((uint)oid) ?? SqlType.Unknown;
            if (oid is not (0 or 705) && declared[i].Kind == SqlTypeKind.Unknown)
            {
                ExtendedError(new SqlException("42704", $"type with OID {oid} does not exist"));
                return;
            }
        }

        if (name.Length > 0 && _statements.ContainsKey(name))
        {
            ExtendedError(new SqlException("42P05", $"prepared statement \"{name}\" already exists"));
            return;
        }

        try
        {
            // parsed and bound once per text and declared types while the catalog is unchanged (PlanCache.cs)
            PreparedStatement? statement = _session!.Prepare(sql, declared);
            StatementDescription? description = statement?.Description;
            // the $n inside PREPARE ... AS are the prepared statement's, not this one's
            int parameterCount = Math.Max(Math.Max(declared.Length, description?.ParameterTypes.Count ?? 0),
                statement?.Statement is Ast.PrepareStatement ? 0 : MaxParameterNumber(sql));
            if (parameterCount > MaxParameters)
            {
                throw new SqlException("54000", $"too many parameters ({parameterCount}); at most {MaxParameters}");
            }

            var types = new SqlType[parameterCount];
            for (int i = 0; i < parameterCount; i++)
            {
                types[i] = description is not null && i < description.ParameterTypes.Count ? description.ParameterTypes[i]
                    : i < declared.Length && declared[i].Kind != SqlTypeKind.Unknown ? declared[i] : SqlType.Text;
            }

            _statements[name] = new PgPrepared(sql, statement, types);
            _out.Empty((byte)'1');
        }
        catch (Ast.SqlSyntaxException e)
        {
            ExtendedError(new SqlException(e.SqlState, e.Message, position: e.Position));
        }
        catch (SqlException e)
        {
            ExtendedError(e);
        }
    }

    private void Bind(ReadOnlySpan<byte> span)
    {
        var body = new PgBody(span);
        string portalName = body.CString();
        ReadOnlySpan<byte> statementName = body.CStringBytes();
        short formatCount = body.Count16();
        Span<short> formats = formatCount <= 64 ? stackalloc short[formatCount] : new short[formatCount];
        for (int i = 0; i < formatCount; i++)
        {
            formats[i] = body.Int16();
        }

        short valueCount = body.Int16();
        if (portalName.Length == 0)
        {
            // Bind replaces the unnamed portal before anything else, so a failed Bind leaves none (as PostgreSQL)
            _portals.Remove("");
        }

        if (FindStatement(statementName) is not { } prepared)
        {
            ExtendedError(new SqlException("26000", $"prepared statement \"{PgText.Strict.GetString(statementName)}\" does not exist"));
            return;
        }

        if (valueCount != prepared.ParameterTypes.Length)
        {
            ExtendedError(new SqlException("08P01",
                $"bind message supplies {valueCount} parameters, but prepared statement \"{PgText.Strict.GetString(statementName)}\" requires {prepared.ParameterTypes.Length}"));
            return;
        }

        if (formatCount > 1 && formatCount != valueCount)
        {
            ExtendedError(new SqlException("08P01", $"bind message has {formatCount} parameter formats but {valueCount} parameters"));
            return;
        }

        PgPortal portal = NewPortal(portalName, prepared, valueCount);
        SqlValue[] values = portal.Parameters;
        try
        {
            for (int i = 0; i < valueCount; i++)
            {
                int length = body.Int32();
                if (length == -1)
                {
                    values[i] = SqlValue.Null;
                    continue;
                }

                ReadOnlySpan<byte> raw = body.Bytes(length);
                short format = FormatOf(formats, i);
                SqlType type = prepared.ParameterTypes[i];
                values[i] = format switch
                {
                    0 when PgBinaryFormat.TryParseTextInteger(raw, type, out SqlValue integer) => integer,
                    0 => type.IsString ? SqlValue.FromString(type.Kind == SqlTypeKind.Unknown ? SqlTypeKind.Text : type.Kind, PgBinaryFormat.DecodeText(raw, i + 1))
                        : SqlText.Parse(PgBinaryFormat.DecodeText(raw, i + 1), type),
                    1 => PgBinaryFormat.Read(raw, type, i + 1),
                    _ => throw new PgProtocolException($"unsupported format code: {format}"),
                };
            }
        }
        catch (SqlException e)
        {
            ExtendedError(e);
            return;
        }

        short resultCount = body.Count16();
        short[] resultFormats = portal.FormatsFor(resultCount);
        for (int i = 0; i < resultCount; i++)
        {
            resultFormats[i] = body.Int16();
            if (resultFormats[i] is not (0 or 1))
            {
                throw new PgProtocolException($"unsupported format code: {resultFormats[i]}");
            }
        }

        if (prepared.Description?.Columns is { } columns)
        {
            for (int i = 0; i < columns.Count; i++)
            {
                if (FormatOf(resultFormats, i) == 1 && !PgBinaryFormat.CanSend(columns[i].Type))
                {
                    ExtendedError(new SqlException(SqlState.FeatureNotSupported,
                        $"binary output of type {SqlTypeInfo.Of(columns[i].Type.Kind).PgName}{(columns[i].Type.IsArray ? "[]" : "")} is not supported; ask for text format"));
                    return;
                }
            }
        }

        if (portalName.Length > 0 && _portals.ContainsKey(portalName))
        {
            ExtendedError(new SqlException("42P03", $"cursor \"{portalName}\" already exists"));
            return;
        }

        _portals[portalName] = portal;
        _out.Empty((byte)'2');
    }

    /// <summary>The portal a Bind fills: the unnamed one is recycled (Bind has just dropped it), named ones are new.</summary>
    private PgPortal NewPortal(string name, PgPrepared prepared, int parameters)
    {
        if (name.Length > 0)
        {
            return new PgPortal(prepared, new SqlValue[parameters], []);
        }

        if (_unnamedPortal is { } spare)
        {
            spare.Reset(prepared, parameters);
            return spare;
        }

        return _unnamedPortal = new PgPortal(prepared, new SqlValue[parameters], []);
    }

    /// <summary>A prepared statement by its UTF-8 name, without allocating the name.</summary>
    private PgPrepared? FindStatement(ReadOnlySpan<byte> name)
    {
        Span<char> chars = stackalloc char[128];
        int n;
        try
        {
            if (name.Length > 128)
            {
                return _statements.GetValueOrDefault(PgText.Strict.GetString(name));
            }

            n = PgText.Strict.GetChars(name, chars);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw PgText.InvalidUtf8(e);
        }

        return _statements.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..n], out PgPrepared? found) ? found : null;
    }

    private void Describe(ReadOnlySpan<byte> span)
    {
        var body = new PgBody(span);
        byte kind = body.Byte();
        string name = body.CString();
        if (kind == (byte)'S')
        {
            if (!_statements.TryGetValue(name, out PgPrepared? prepared))
            {
                ExtendedError(new SqlException("26000", $"prepared statement \"{name}\" does not exist"));
                return;
            }

            _out.Begin((byte)'t');
            _out.Int16((short)prepared.ParameterTypes.Length);
            foreach (SqlType t in prepared.ParameterTypes)
            {
                _out.Int32(t.PgOid);
            }

            _out.End();
            DescribeRows(prepared, []);
        }
        else if (kind == (byte)'P')
        {
            if (!_portals.TryGetValue(name, out PgPortal? portal))
            {
                ExtendedError(new SqlException("34000", $"portal \"{name}\" does not exist"));
                return;
            }

            DescribeRows(portal.Prepared, portal.ResultFormats);
        }
        else
        {
            throw new PgProtocolException($"invalid DESCRIBE message subtype {kind}");
        }
    }

    private void DescribeRows(PgPrepared prepared, ReadOnlySpan<short> formats)
    {
        if (prepared.Description?.Columns is { } columns)
        {
            WriteRowDescription(columns, formats);
        }
        else
        {
            _out.Empty((byte)'n');
        }
    }

    private async Task ExecuteAsync(ReadOnlyMemory<byte> message)
    {
        string name;
        int maxRows;
        {
            var body = new PgBody(message.Span);
            name = body.CString();
            maxRows = body.Int32();
        }

        if (!_portals.TryGetValue(name, out PgPortal? portal))
        {
            ExtendedError(new SqlException("34000", $"portal \"{name}\" does not exist"));
            return;
        }

        if (portal.Prepared.Statement is not { } statement)
        {
            _out.Empty((byte)'I');
            return;
        }

        if (portal.Done)
        {
            _out.CommandComplete(portal.Result?.CommandTag ?? "SELECT 0");
            return;
        }

        if (portal.Result is null)
        {
            long started = Stopwatch.GetTimestamp();
            MarkCommand("execute");
            ActivityStarted(portal.Prepared.Sql);
            // outside a block, the statements up to Sync share one implicit transaction (SqlSession.Pipeline.cs)
            _session!.BeginImplicitTransaction(statement);
            CancellationToken token = _conn.BeginStatement(QueryTimeout);
            bool failed = false;
            try
            {
                SqlSession session = _session!;
                SqlValue[] parameters = portal.Parameters;
                bool brief = session.RunsBriefly(statement);
                // Rows go straight into the output while the statement runs, unless the client reads them in pieces
                // (a point read has at most one row, so it never stops early).
                PgRowSink? sink = null;
                if ((maxRows <= 0 || brief) && statement.Description.Columns is { } columns)
                {
                    sink = _rowSink ??= new PgRowSink(this);
                    sink.Start(columns, portal.ResultFormats);
                }

                portal.Result = brief
                    // a primary-key point read, single-row DML by key, BEGIN/COMMIT/ROLLBACK: bounded work that waits for locks and
                    // the group commit asynchronously; run it here, on the socket loop, without a thread hand-off
                    ? await session.ExecutePreparedAsync(statement, parameters, sink, token).ConfigureAwait(false)
                    // anything else off the socket event loop, as a simple query
                    : await RunOffLoopAsync(() => session.ExecutePreparedAsync(statement, parameters, sink, token).AsTask()).ConfigureAwait(false);
            }
            catch (SqlException e)
            {
                failed = true;
                ThrowIfConnectionFailed();
                ExtendedError(TimedOut(e));
                return;
            }
            finally
            {
                _conn.EndStatement();
                ActivityEnded();
                ObserveSlowQuery(_tally.Ended(started, failed), portal.Prepared.Sql);
            }

            AfterStatement(portal.Result);
        }

        WriteResult(portal.Result, describeRows: false, portal.ResultFormats, Math.Max(0, maxRows), out int resumeAt, portal.ResumeAt);
        if (resumeAt < 0)
        {
            portal.Done = true;
        }
        else
        {
            portal.ResumeAt = resumeAt;
        }
    }

    private void Close(ReadOnlySpan<byte> span)
    {
        var body = new PgBody(span);
        byte kind = body.Byte();
        string name = body.CString();
        switch (kind)
        {
            case (byte)'S':
                _statements.Remove(name);
                break;
            case (byte)'P':
                _portals.Remove(name);
                break;
            default:
                throw new PgProtocolException($"invalid CLOSE message subtype {kind}");
        }

        _out.Empty((byte)'3');
    }

    private async Task SyncAsync()
    {
        _skipUntilSync = false;
        if (_session!.InImplicitTransaction)
        {
            // the implicit transaction commits here (or rolls back after an error), as PostgreSQL's finish_xact_command at Sync
            if (await _session.EndImplicitTransactionAsync(CancellationToken.None).ConfigureAwait(false) is { } commitError)
            {
                WriteError(commitError);
            }

            _session.Activity?.StatementEnded(_session.State, _session.Settings.Get("application_name") ?? "");
        }

        _tally.Flush();
        ReportChangedParameters();
        SessionTransactionState state = _session.State;
        if (state == SessionTransactionState.Idle)
        {
            // portals live until their transaction ends; outside one that is now
            _portals.Clear();
        }

        _out.ReadyForQuery((byte)state);
    }

    /// <summary>The highest <c>$n</c> in <paramref name="sql"/> outside quotes and comments (statements the binder does not describe).</summary>
    internal static int MaxParameterNumber(string sql)
    {
        int max = 0;
        for (int i = 0; i < sql.Length; i++)
        {
            char c = sql[i];
            if (c is '\'' or '"')
            {
                int close = sql.IndexOf(c, i + 1);
                i = close < 0 ? sql.Length : close;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                int eol = sql.IndexOf('\n', i);
                i = eol < 0 ? sql.Length : eol;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                int end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '$' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1]) && (i == 0 || !char.IsLetterOrDigit(sql[i - 1])))
            {
                int n = 0;
                int j = i + 1;
                while (j < sql.Length && char.IsAsciiDigit(sql[j]) && n < 1_000_000)
                {
                    n = (n * 10) + (sql[j] - '0');
                    j++;
                }

                max = Math.Max(max, n);
                i = j - 1;
            }
        }

        return max;
    }
}
