using ThunderDb.Core.Sql.Functions;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// The session as a server backend: its process id (BackendKeyData, pg_backend_pid()), its pg_stat_activity row,
/// and what other sessions may do to it (pg_cancel_backend, pg_terminate_backend).
/// </summary>
public sealed partial class SqlSession : ISessionServices
{
    private ISessionControl? _control;
    private Random? _random;

    /// <summary>The backend process id (0 until <see cref="Attach"/>).</summary>
    public int BackendPid { get; private set; }

    /// <summary>What pg_stat_activity shows of this session; null until <see cref="Attach"/>.</summary>
    public SessionActivity? Activity { get; private set; }

    /// <summary>Makes this session a backend of the server: listed in pg_stat_activity and reachable by pid.</summary>
    public void Attach(int processId, string? clientAddress, ISessionControl control, INotificationListener? listener)
    {
        ArgumentNullException.ThrowIfNull(control);
        BackendPid = processId;
        _control = control;
        NotificationListener = listener;
        Activity = new SessionActivity(processId, clientAddress, DateTimeOffset.UtcNow);
        Activity.StatementEnded(State, Settings.Get("application_name") ?? "");
        _engine.Sessions.Add(this);
    }

    /// <summary>
    /// The client is gone: an open transaction rolls back (as PostgreSQL's backend exit does), LISTENs and advisory locks
    /// end, and the session leaves the directory. Safe to call more than once.
    /// </summary>
    public void Close()
    {
        if (_txn is { } txn)
        {
            _txn = null;
            _failed = false;
            _implicitTxn = false;
            try
            {
                txn.Rollback();
            }
            finally
            {
                txn.Dispose();
                ForgetTransactionState();
            }
        }

        UnlistenNow(null);
        ReleaseAdvisoryLocks(_ => true);
        if (BackendPid != 0)
        {
            _engine.Sessions.Remove(this);
        }
    }

    string? ISessionServices.CurrentSetting(string name) => Settings.Get(name);

    Random ISessionServices.Random => _random ??= new Random();

    void ISessionServices.SetSeed(double seed)
    {
        if (!(seed is >= -1 and <= 1))
        {
            throw new SqlException(SqlState.NumericValueOutOfRange,
                $"setseed parameter {seed.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)} is out of allowed range [-1,1]");
        }

        _random = new Random((int)(seed * int.MaxValue));
    }

    string ISessionServices.SetConfig(string name, string value, bool isLocal)
    {
        // outside a transaction block a local change would end with the statement's own transaction: it has no effect
        if (isLocal && _txn is null)
        {
            return value;
        }

        TimeSpan lockTimeout = Settings.LockTimeout;
        Settings.Set(name, value, isLocal, inTransaction: _txn is not null);
        ApplyLockTimeoutIfChanged(lockTimeout);
        return Settings.Get(name) ?? value;
    }

    bool ISessionServices.CancelBackend(int processId) => Signal(processId, "cancel query", c => c.CancelStatement());

    bool ISessionServices.TerminateBackend(int processId) => Signal(processId, "terminate backend", c => c.Terminate());

    private bool Signal(int processId, string what, Action<ISessionControl> action)
    {
        if (_engine.Sessions.Find(processId) is not { _control: { } control } target)
        {
            // PostgreSQL: WARNING "PID n is not a PostgreSQL backend process", and false
            return false;
        }

        if (!IsSuperuser && target.User != User)
        {
            throw new SqlException(SqlState.InsufficientPrivilege, $"permission denied to {what}",
                detail: $"Only roles with privileges of the role whose {(what == "cancel query" ? "query is being canceled" : "process is being terminated")} or with privileges of the \"pg_signal_backend\" role may {(what == "cancel query" ? "cancel this query" : "terminate this process")}.");
        }

        action(control);
        return true;
    }

    IReadOnlyList<BackendActivity> ISessionServices.Activity()
    {
        var rows = new List<BackendActivity>();
        foreach (SqlSession s in _engine.Sessions.Snapshot())
        {
            if (s.Activity is not { } activity)
            {
                continue;
            }

            (string state, string query, DateTimeOffset? queryStart, DateTimeOffset? xactStart, DateTimeOffset stateChange, string applicationName) = activity.Read();
            bool visible = IsSuperuser || s.User == User;
            rows.Add(new BackendActivity(s.BackendPid, s.DatabaseName, s.User, applicationName, activity.ClientAddress,
                activity.BackendStart, visible ? xactStart : null, visible ? queryStart : null, stateChange,
                visible ? state : "", visible ? query : "<insufficient privilege>"));
        }

        return rows;
    }
}
