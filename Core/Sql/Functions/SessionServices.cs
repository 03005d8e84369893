namespace ThunderDb.Core.Sql.Functions;

/// <summary>One row of pg_stat_activity.</summary>
public sealed record BackendActivity(int ProcessId, string Database, string User, string ApplicationName, string? ClientAddress,
    DateTimeOffset BackendStart, DateTimeOffset? TransactionStart, DateTimeOffset? QueryStart, DateTimeOffset StateChange, string State, string Query);

/// <summary>
/// What the server functions that reach beyond the statement need from the running session: pg_notify,
/// pg_cancel_backend / pg_terminate_backend and the pg_stat_activity rows. Null for a session of no server.
/// </summary>
public interface ISessionServices
{
    /// <summary>NOTIFY: queued in the session's transaction, delivered at its commit.</summary>
    void Notify(string channel, string payload);

    /// <summary>False when no backend has <paramref name="processId"/>; 42501 when the caller may not signal it.</summary>
    bool CancelBackend(int processId);

    /// <summary>As <see cref="CancelBackend"/>, ending the backend's connection.</summary>
    bool TerminateBackend(int processId);

    /// <summary>The server's sessions as pg_stat_activity shows them to this one.</summary>
    IReadOnlyList<BackendActivity> Activity();

    /// <summary>current_setting(name): a session setting's value; null when no setting has that name.</summary>
    string? CurrentSetting(string name);

    /// <summary>random()'s generator: the session's own, so that setseed() makes the sequence that follows repeatable.</summary>
    Random Random { get; }

    /// <summary>setseed(seed): restarts <see cref="Random"/> from <paramref name="seed"/> (22003 outside [-1, 1]).</summary>
    void SetSeed(double seed);

    /// <summary>set_config(name, value, is_local): SET (or SET LOCAL) through a function; the value now in force.</summary>
    string SetConfig(string name, string value, bool isLocal);

    /// <summary>
    /// pg_[try_]advisory_[xact_]lock[_shared]: takes the lock for the session or, with <paramref name="transaction"/>, until
    /// its transaction ends; waits when <paramref name="wait"/> (else false when another session holds it).
    /// </summary>
    bool AdvisoryLock(AdvisoryKey key, bool shared, bool transaction, bool wait, CancellationToken cancellationToken);

    /// <summary>pg_advisory_unlock[_shared]: releases one session-level hold; false when the session held none.</summary>
    bool AdvisoryUnlock(AdvisoryKey key, bool shared);

    /// <summary>pg_advisory_unlock_all: releases every session-level hold.</summary>
    void AdvisoryUnlockAll();
}

/// <summary>
/// An advisory lock's name: PostgreSQL keeps <c>pg_advisory_lock(bigint)</c> and <c>pg_advisory_lock(int, int)</c> apart,
/// so the one-key and two-key forms never meet even when their bits agree.
/// </summary>
public readonly record struct AdvisoryKey(long Key, bool TwoKeys)
{
    public static AdvisoryKey Of(long key) => new(key, false);

    public static AdvisoryKey Of(int first, int second) => new(((long)first << 32) | (uint)second, true);
}

