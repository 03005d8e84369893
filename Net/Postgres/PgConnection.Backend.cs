using System.Net;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Session;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// The connection as a server backend: attached to its session (pg_stat_activity, pg_cancel_backend,
/// pg_terminate_backend), ParameterStatus for the reportable settings a statement changed, and the log line an
/// engine bug gets.
/// </summary>
internal sealed partial class PgConnection : ISessionControl
{
    /// <summary>PostgreSQL 15's GUC_REPORT parameters that a session can change, as the server spells them.</summary>
    private static readonly (string Setting, string Reported)[] Reportable =
    [
        ("application_name", "application_name"), ("client_encoding", "client_encoding"), ("datestyle", "DateStyle"),
        ("intervalstyle", "IntervalStyle"), ("timezone", "TimeZone"), ("standard_conforming_strings", "standard_conforming_strings"),
        ("is_superuser", "is_superuser"),
    ];

    private readonly string?[] _reported = new string?[Reportable.Length];
    private long _reportedVersion = -1;
    private volatile bool _terminated;

    private void AttachSession()
    {
        string? client = (_conn.Io.Socket.RemoteEndPoint as IPEndPoint)?.Address.ToString();
        _session!.Attach(ProcessId, client, this, this);
        RememberReported();
    }

    private void RememberReported()
    {
        SessionSettings settings = _session!.Settings;
        for (int i = 0; i < Reportable.Length; i++)
        {
            _reported[i] = settings.Get(Reportable[i].Setting);
        }

        _reportedVersion = settings.Version;
    }

    /// <summary>Before ReadyForQuery: a ParameterStatus for each reportable setting whose value changed (ReportChangedGUCOptions).</summary>
    private void ReportChangedParameters()
    {
        SessionSettings settings = _session!.Settings;
        if (settings.Version == _reportedVersion)
        {
            return;
        }

        _reportedVersion = settings.Version;
        for (int i = 0; i < Reportable.Length; i++)
        {
            string? now = settings.Get(Reportable[i].Setting);
            if (now is not null && now != _reported[i])
            {
                _reported[i] = now;
                _out.ParameterStatus(Reportable[i].Reported, now);
                if (i == 0 && _connection is not null)
                {
                    _connection.Name = now;
                }
            }
        }
    }

    /// <summary>pg_stat_activity: a statement of <paramref name="sql"/> starts.</summary>
    private void ActivityStarted(string sql) => _session!.Activity?.StatementStarted(sql, _session.State == SessionTransactionState.Idle);

    private void ActivityEnded() => _session!.Activity?.StatementEnded(_session.State, _session.Settings.Get("application_name") ?? "");

    void ISessionControl.CancelStatement() => CancelStatement();

    /// <summary>pg_terminate_backend: the connection closes with FATAL 57P01 (RunAsync sends it) and its transaction rolls back.</summary>
    void ISessionControl.Terminate()
    {
        _terminated = true;
        if (_connection is not null)
        {
            _connection.Kill();
        }
        else
        {
            CancelStatement();
            _closing = true;
        }
    }

    /// <summary>
    /// The error of a failed statement. An engine bug (an internal error carrying the exception) is logged here with
    /// its stack, once, and the client gets XX000; the connection stays usable.
    /// </summary>
    private void LogIfInternal(SqlException e)
    {
        if (e.SqlState == SqlState.InternalError && e.InnerException is { } bug)
        {
            _server.Logger.LogError(bug, "pg: internal error in a statement of connection {Remote}", _connection?.Remote ?? "?");
        }
    }
}
