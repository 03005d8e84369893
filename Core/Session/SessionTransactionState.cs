namespace ThunderDb.Core.Session;

/// <summary>
/// The transaction state every protocol reports after a statement: no transaction, one open, or one that failed and
/// accepts only its end (PostgreSQL's ReadyForQuery status I, T, E; a Redis MULTI queue is the same three states).
/// </summary>
public enum SessionTransactionState : byte
{
    Idle = (byte)'I',
    InTransaction = (byte)'T',
    Failed = (byte)'E',
}
