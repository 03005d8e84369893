using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Session;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// One PostgreSQL client connection: startup and authentication (<c>PgStartup.cs</c>), then the simple query
/// protocol here and the extended protocol in <c>PgExtendedProtocol.cs</c>. One message is handled at a time;
/// replies are buffered and sent when the client waits for them (after Query, Sync or Flush).
/// </summary>
internal sealed partial class PgConnection
{
    private static int s_unregisteredIds = int.MaxValue;

    /// <summary>A statement streaming rows off the event loop sends them once this much is buffered (and waits for the client).</summary>
    private const int StreamFlushBytes = 256 * 1024;

    private readonly PgServer _server;
    private readonly Connection _conn;
    private readonly ClientConnection? _connection;
    private readonly PgWriter _out;
    private readonly QueryTally _tally;
    private readonly PgReader _in;
    private SqlSession? _session;
    private bool _closing;

    /// <summary>Set while a statement runs off the socket event loop: its streamed rows may wait for the client.</summary>
    private volatile bool _streamingOffLoop;

    /// <summary>Set when a statement's COPY hit a broken or closed connection: the connection ends once the statement has failed.</summary>
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _connectionFailure;

    public PgConnection(PgServer server, Connection connection)
    {
        _server = server;
        _conn = connection;
        _out = new PgWriter(server.Options.OutputLimit);
        _tally = new QueryTally(PgServer.ProtocolName, server.Options.SlowQueries);
        _in = new PgReader(connection);
        _connection = connection.Client;
        ProcessId = _connection is null ? Interlocked.Decrement(ref s_unregisteredIds) : (int)(_connection.Id & int.MaxValue);
        SecretKey = RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
    }

    public int ProcessId { get; }

    public int SecretKey { get; }

    private CancellationToken Killed => _conn.Killed;

    public async Task RunAsync()
    {
        try
        {
            if (await StartupAsync().ConfigureAwait(false))
            {
                _session!.CopyChannel = NewCopyChannel();
                _server.AddBackend(this);
                AttachSession();
                await MessageLoopAsync().ConfigureAwait(false);
            }
        }
        catch (OutputLimitExceededException e)
        {
            // a client that does not read its results: closed at its limit (the statement, if any, has failed)
            _conn.CloseForOutputLimit(e.Message);
        }
        catch (PgProtocolException e)
        {
            _server.Logger.LogWarning("pg: protocol violation from {Remote}: {Reason}", _connection?.Remote ?? "?", e.Message);
            await TrySendFatalAsync("08P01", e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // killed, server stopping, startup timeout, or the peer went away
            if (_terminated)
            {
                await TrySendFatalAsync("57P01", "terminating connection due to administrator command").ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // a bug in one statement closes that connection, never the server
        catch (Exception e)
#pragma warning restore CA1031
        {
            _server.Logger.LogError(e, "pg: connection {Remote} failed", _connection?.Remote ?? "?");
            await TrySendFatalAsync("XX000", "internal error: " + e.Message).ConfigureAwait(false);
        }
        finally
        {
            _server.RemoveBackend(this);
            // an open transaction rolls back when its client goes, and the session's LISTENs end
            if (_session is not null)
            {
                await _session.CloseAsync().ConfigureAwait(false); // its temporary tables go with it
            }

            _conn.Dispose();
            if (_connection is not null)
            {
                _server.Registry.Unregister(_connection);
            }
        }
    }

    private async Task MessageLoopAsync()
    {
        while (!_closing)
        {
            bool idle = false;
            if (!_in.HasBufferedMessage)
            {
                // Nothing more is waiting: whatever the client is owed goes out before blocking on a read.
                await _out.FlushAsync(_conn).ConfigureAwait(false);
                if (MayBeNotified)
                {
                    // while blocked on the read, other sessions' commits write their notifications straight out (PgNotifications.cs)
                    await EnterIdleAsync().ConfigureAwait(false);
                    idle = true;
                }
            }

            (byte Type, ReadOnlyMemory<byte> Body)? message = await _in.ReadAsync(startup: false, Killed).ConfigureAwait(false);
            if (idle)
            {
                await LeaveIdleAsync().ConfigureAwait(false);
            }

            if (message is not { } m)
            {
                return;
            }

            if (_connection is not null)
            {
                _connection.LastActivityTicks = Environment.TickCount64;
            }

            _conn.RequestStarted();
            try
            {
                await HandleAsync(m.Type, m.Body).ConfigureAwait(false);
            }
            finally
            {
                _conn.RequestEnded();
            }
        }

        await _out.FlushAsync(_conn).ConfigureAwait(false);
    }

    private async Task HandleAsync(byte type, ReadOnlyMemory<byte> body)
    {
        if (_skipUntilSync && type is not ((byte)'S' or (byte)'X'))
        {
            return;
        }

        try
        {
            await DispatchAsync(type, body).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (PgProtocolException or OperationCanceledException or SocketException or IOException or ObjectDisposedException or SqlException
                                       or OutputLimitExceededException))
        {
            // a bug outside a statement (Parse, Bind, Describe): the message fails with XX000, the connection stays
            var error = new SqlException(SqlState.InternalError, "internal error: " + e.Message, inner: e);
            if (type == (byte)'Q')
            {
                WriteError(error);
                _out.ReadyForQuery((byte)_session!.State);
            }
            else
            {
                ExtendedError(error);
            }
        }
    }

    private async Task DispatchAsync(byte type, ReadOnlyMemory<byte> body)
    {
        switch (type)
        {
            case (byte)'Q':
                await SimpleQueryAsync(ReadQuery(body.Span)).ConfigureAwait(false);
                break;
            case (byte)'P':
                Parse(body.Span);
                break;
            case (byte)'B':
                Bind(body.Span);
                break;
            case (byte)'D':
                Describe(body.Span);
                break;
            case (byte)'E':
                await ExecuteAsync(body).ConfigureAwait(false);
                break;
            case (byte)'C':
                Close(body.Span);
                break;
            case (byte)'S':
                await SyncAsync().ConfigureAwait(false);
                break;
            case (byte)'H':
                await _out.FlushAsync(_conn).ConfigureAwait(false);
                break;
            case (byte)'X':
                _closing = true;
                break;
            case (byte)'d' or (byte)'c' or (byte)'f':
                // COPY data outside a COPY: PostgreSQL ignores it too
                break;
            case (byte)'F':
                ExtendedError(new SqlException(SqlState.FeatureNotSupported, "the function call protocol is not supported"));
                break;
            default:
                throw new PgProtocolException($"invalid frontend message type {type}");
        }
    }

    private static string ReadQuery(ReadOnlySpan<byte> body)
    {
        var reader = new PgBody(body);
        return reader.CString();
    }

    private async Task SimpleQueryAsync(string sql)
    {
        // A simple Query ends any failed extended-protocol sequence too.
        _skipUntilSync = false;
        _portals.Remove("");
        if (_session!.InImplicitTransaction && await _session.EndImplicitTransactionAsync(CancellationToken.None).ConfigureAwait(false) is { } pending)
        {
            // Executes without a Sync before this Query: their transaction ends first
            WriteError(pending);
        }

        if (IsBlank(sql))
        {
            _out.Empty((byte)'I');
            _out.ReadyForQuery((byte)_session!.State);
            return;
        }

        long started = Stopwatch.GetTimestamp();
        MarkCommand("query");
        ActivityStarted(sql);
        BatchResult batch;
        bool described = false;
        CancellationToken token = _conn.BeginStatement(QueryTimeout);
        try
        {
            SqlSession session = _session!;
            if (session.PrepareBriefQuery(sql) is { Description.Columns: { } columns } brief)
            {
                // a primary-key point read is bounded work: run it here, on the socket loop, its row streamed out
                // (described once it runs: an error before that sends only the error, as the ordinary path does)
                PgRowSink sink = _rowSink ??= new PgRowSink(this);
                sink.Start(columns, [], describe: true);
                batch = await session.ExecuteBriefQueryAsync(brief, sink, token).ConfigureAwait(false);
                described = true;
                if (batch.Error is null)
                {
                    sink.Described();
                }
            }
            else
            {
                // Off the socket event loop: a long statement must not stall the other connections of its loop thread
                // (nor the CancelRequest that would stop it). Each statement is answered as it ends, a SELECT's rows as
                // they are produced, waiting for the client when it reads slowly.
                PgRowSink sink = _rowSink ??= new PgRowSink(this);
                sink.StartBatch();
                batch = await RunOffLoopAsync(() => session.ExecuteAsync(sql, sink, token)).ConfigureAwait(false);
            }
        }
        finally
        {
            _conn.EndStatement();
            ActivityEnded();
        }

        ThrowIfConnectionFailed();
        for (int i = batch.Sent; i < batch.Results.Count; i++)
        {
            WriteResult(batch.Results[i], describeRows: !described, formats: default, maxRows: 0, out _);
            AfterStatement(batch.Results[i]);
        }

        if (batch.Error is { } error)
        {
            WriteError(TimedOut(error));
        }
        else if (batch.Results.Count == 0)
        {
            // only comments: PostgreSQL answers as for an empty string
            _out.Empty((byte)'I');
        }

        int statements = batch.Results.Count + (batch.Error is null ? 0 : 1);
        long elapsed = _tally.Ended(started, Stopwatch.GetTimestamp(), Math.Max(1, statements), batch.Error is null ? 0 : 1);
        _tally.Flush();
        ObserveSlowQuery(elapsed, sql);
        ReportChangedParameters();
        _out.ReadyForQuery((byte)batch.State);
    }

    private void ObserveSlowQuery(long elapsed, string sql) => _tally.ObserveSql(elapsed, _connection?.Id ?? ProcessId, _session!.User, sql);

    /// <summary>Ends the connection (PgProtocolException: FATAL 08P01; a closed socket: silently) after a COPY found it broken.</summary>
    private void ThrowIfConnectionFailed() => _connectionFailure?.Throw();

    private static bool IsBlank(string sql)
    {
        foreach (char c in sql)
        {
            if (!char.IsWhiteSpace(c) && c != ';')
            {
                return false;
            }
        }

        return true;
    }

    private void MarkCommand(string name)
    {
        if (_connection is not null)
        {
            _connection.CurrentCommand = name;
            _connection.CommandStartedTicks = Environment.TickCount64;
        }
    }

    /// <summary>
    /// The transport's per-statement cancellation hook (<see cref="Connection.CancelStatement"/>): a CancelRequest,
    /// pg_cancel_backend, or a kill of the connection (to which the statement's token is linked) stops the statement.
    /// </summary>
    public void CancelStatement() => _conn.CancelStatement();

    /// <summary>
    /// The statement's time limit: the server's <c>query_timeout</c> (hot-reloaded) or the session's
    /// <c>statement_timeout</c>, whichever is shorter; zero = none.
    /// </summary>
    private TimeSpan QueryTimeout
    {
        get
        {
            TimeSpan server = _server.Options.QueryTimeout?.Invoke() ?? TimeSpan.Zero;
            TimeSpan session = _session?.Settings.StatementTimeout ?? TimeSpan.Zero;
            return server == TimeSpan.Zero || (session != TimeSpan.Zero && session < server) ? session : server;
        }
    }

    /// <summary>A statement cancelled by its timeout says so, as PostgreSQL's statement_timeout does.</summary>
    private SqlException TimedOut(SqlException e) =>
        e.SqlState == SqlState.QueryCanceled && _conn.StatementTimedOut
            ? new SqlException(SqlState.QueryCanceled, "canceling statement due to statement timeout")
            : e;

    /// <summary>Runs a statement on the thread pool: its streamed rows may then wait for the client (<see cref="RowWritten"/>).</summary>
    private async Task<T> RunOffLoopAsync<T>(Func<Task<T>> statement)
    {
        _streamingOffLoop = true;
        try
        {
            return await Task.Run(statement, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _streamingOffLoop = false;
        }
    }

    /// <summary>
    /// A row of a statement streaming its result: a statement running off the event loop sends its rows once enough are
    /// buffered, waiting for the client. A client that stops reading (past its output limit) or goes away fails the
    /// statement (rolling back) and then ends the connection (<see cref="ThrowIfConnectionFailed"/>), never as an engine error.
    /// </summary>
    internal void WriteStreamedRow(ReadOnlySpan<SqlValue> row, IReadOnlyList<PlanColumn> columns, ReadOnlySpan<short> formats)
    {
        try
        {
            WriteDataRow(row, columns, formats);
            SendWhenLarge();
        }
        catch (Exception e) when (IsClientFailure(e))
        {
            throw ClientFailed(e);
        }
    }

    /// <summary>A simple Query's statement that ended: its result now, sent on once enough is buffered (as streamed rows are).</summary>
    internal void WriteCompleted(StatementResult result, bool streamed)
    {
        try
        {
            WriteResult(result, describeRows: !streamed, formats: default, maxRows: 0, out _);
            AfterStatement(result);
            SendWhenLarge();
        }
        catch (Exception e) when (IsClientFailure(e))
        {
            throw ClientFailed(e);
        }
    }

    /// <summary>Off the event loop, sends what is buffered once it passes the streaming step, waiting for the client.</summary>
    private void SendWhenLarge()
    {
        if (_streamingOffLoop && _out.Length >= StreamFlushBytes)
        {
            _out.FlushWhileStreaming(_conn);
        }
    }

    private static bool IsClientFailure(Exception e) => e is OutputLimitExceededException or IOException or SocketException or ObjectDisposedException;

    /// <summary>The statement fails as a connection failure; the connection then ends (<see cref="ThrowIfConnectionFailed"/>).</summary>
    private SqlException ClientFailed(Exception e)
    {
        _connectionFailure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
        return new SqlException(SqlState.ConnectionFailure, e.Message);
    }

    /// <summary>
    /// Notices, then RowDescription (when <paramref name="describeRows"/>), DataRows, CommandComplete. With
    /// <paramref name="maxRows"/> &gt; 0 stops after that many rows and returns the index to resume from.
    /// </summary>
    private void WriteResult(StatementResult result, bool describeRows, ReadOnlySpan<short> formats, int maxRows, out int resumeAt, int startAt = 0)
    {
        resumeAt = -1;
        if (startAt == 0 && result.Notices is { } notices)
        {
            foreach (string notice in notices)
            {
                int lineEnd = notice.IndexOf('\n', StringComparison.Ordinal); // the lines after the first are the DETAIL
                _out.Error((byte)'N', "NOTICE", "00000", lineEnd < 0 ? notice : notice[..lineEnd], lineEnd < 0 ? null : notice[(lineEnd + 1)..]);
            }
        }

        if (result.Columns is { } columns)
        {
            if (describeRows)
            {
                WriteRowDescription(columns, formats);
            }

            IReadOnlyList<SqlValue[]> rows = result.Rows ?? [];
            int end = maxRows > 0 ? Math.Min(rows.Count, startAt + maxRows) : rows.Count;
            for (int i = startAt; i < end; i++)
            {
                WriteDataRow(rows[i], columns, formats);
            }

            if (end < rows.Count)
            {
                resumeAt = end;
                _out.Empty((byte)'s');
                return;
            }
        }

        _out.CommandComplete(result.CommandTag);
    }

    internal void WriteRowDescription(IReadOnlyList<PlanColumn> columns, ReadOnlySpan<short> formats)
    {
        _out.Begin((byte)'T');
        _out.Int16((short)columns.Count);
        for (int i = 0; i < columns.Count; i++)
        {
            PlanColumn c = columns[i];
            _out.CString(c.Name);
            _out.Int32((int)c.TableOid);
            _out.Int16((short)c.ColumnNumber);
            _out.Int32(c.Type.PgOid);
            _out.Int16(c.Type.IsArray ? (short)-1 : SqlTypeInfo.Of(c.Type.Kind).TypLen);
            _out.Int32(c.Type.Kind is SqlTypeKind.Varchar or SqlTypeKind.Char && c.Type.Modifier >= 0 ? c.Type.Modifier + 4 : -1);
            _out.Int16(FormatOf(formats, i));
        }

        _out.End();
    }

    internal void WriteDataRow(ReadOnlySpan<SqlValue> row, IReadOnlyList<PlanColumn> columns, ReadOnlySpan<short> formats)
    {
        _out.Begin((byte)'D');
        _out.Int16((short)row.Length);
        for (int i = 0; i < row.Length; i++)
        {
            SqlValue v = row[i];
            if (v.IsNull)
            {
                _out.Int32(-1);
            }
            else if (FormatOf(formats, i) == 1)
            {
                PgBinaryFormat.Write(_out, v, i < columns.Count ? columns[i].Type : SqlType.Text);
            }
            else
            {
                _out.TextValue(v);
            }
        }

        _out.End();
    }

    /// <summary>The format of column <paramref name="i"/>: none given = text, one = all columns, else one per column.</summary>
    private static short FormatOf(ReadOnlySpan<short> formats, int i) => formats.Length switch
    {
        0 => 0,
        1 => formats[0],
        _ => i < formats.Length ? formats[i] : (short)0,
    };

    private void WriteError(SqlException e, string severity = "ERROR")
    {
        LogIfInternal(e);
        _out.Error((byte)'E', severity, e.SqlState, e.Message, e.Detail, e.Hint, e.Position, e.Where);
    }

    /// <summary>DISCARD ALL and DEALLOCATE ALL drop the protocol's named statements too (they share PostgreSQL's one table).</summary>
    private void AfterStatement(StatementResult result)
    {
        if (result.CommandTag is "DISCARD ALL" or "DEALLOCATE ALL")
        {
            _statements.Keys.Where(k => k.Length > 0).ToList().ForEach(k => _statements.Remove(k));
        }
    }

    /// <summary>A FATAL error, sent right away; the connection closes after it.</summary>
    private async Task TrySendFatalAsync(string sqlState, string message)
    {
        try
        {
            _out.Error((byte)'E', "FATAL", sqlState, message);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _out.FlushAsync(_conn, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException or OutputLimitExceededException)
        {
            // the client is gone or not reading
        }
    }
}
