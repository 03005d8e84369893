using System.Collections.Concurrent;
using ThunderDb.Core.Session;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>What a protocol connection lets other sessions do to it: pg_cancel_backend and pg_terminate_backend.</summary>
public interface ISessionControl
{
    /// <summary>Cancels the statement running now, if any (as a CancelRequest does).</summary>
    void CancelStatement();

    /// <summary>Ends the connection: the client gets FATAL 57P01 and its open transaction rolls back.</summary>
    void Terminate();
}

/// <summary>
/// What pg_stat_activity shows of one session. The protocol connection keeps it current (statement start and end);
/// other sessions read it, so every field is read and written under the instance's lock.
/// </summary>
public sealed class SessionActivity
{
    private readonly Lock _gate = new();
    private string _state = "idle";
    private string _query = "";
    private DateTimeOffset? _queryStart;
    private DateTimeOffset? _transactionStart;
    private DateTimeOffset _stateChange = DateTimeOffset.UtcNow;
    private string _applicationName = "";

    public SessionActivity(int processId, string? clientAddress, DateTimeOffset backendStart)
    {
        ProcessId = processId;
        ClientAddress = clientAddress;
        BackendStart = backendStart;
    }

    public int ProcessId { get; }

    public string? ClientAddress { get; }

    public DateTimeOffset BackendStart { get; }

    /// <summary>A statement starts; <paramref name="transactionStarts"/> when the session was not in a transaction before it.</summary>
    public void StatementStarted(string query, bool transactionStarts)
    {
        lock (_gate)
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            _query = query;
            _queryStart = now;
            _state = "active";
            _stateChange = now;
            if (transactionStarts || _transactionStart is null)
            {
                _transactionStart = now;
            }
        }
    }

    /// <summary>The statement ended; the session is now in <paramref name="state"/>.</summary>
    public void StatementEnded(SessionTransactionState state, string applicationName)
    {
        lock (_gate)
        {
            _applicationName = applicationName;
            _state = state switch
            {
                SessionTransactionState.InTransaction => "idle in transaction",
                SessionTransactionState.Failed => "idle in transaction (aborted)",
                _ => "idle",
            };
            _stateChange = DateTimeOffset.UtcNow;
            if (state == SessionTransactionState.Idle)
            {
                _transactionStart = null;
            }
        }
    }

    public (string State, string Query, DateTimeOffset? QueryStart, DateTimeOffset? TransactionStart, DateTimeOffset StateChange, string ApplicationName) Read()
    {
        lock (_gate)
        {
            return (_state, _query, _queryStart, _transactionStart, _stateChange, _applicationName);
        }
    }
}

/// <summary>The sessions attached to protocol connections, by backend process id: pg_stat_activity and pg_*_backend read it.</summary>
public sealed class SessionDirectory
{
    private readonly ConcurrentDictionary<int, SqlSession> _sessions = new();

    public int Count => _sessions.Count;

    internal void Add(SqlSession session) => _sessions[session.BackendPid] = session;

    internal void Remove(SqlSession session) => _sessions.TryRemove(new KeyValuePair<int, SqlSession>(session.BackendPid, session));

    public SqlSession? Find(int processId) => _sessions.GetValueOrDefault(processId);

    /// <summary>The attached sessions, ordered by process id.</summary>
    public IReadOnlyList<SqlSession> Snapshot() => [.. _sessions.Values.OrderBy(s => s.BackendPid)];
}
