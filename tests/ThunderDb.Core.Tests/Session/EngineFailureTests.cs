using ThunderDb.Core.Errors;
using ThunderDb.Core.Session;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Txn;
using ThunderDb.Core.Txn.Locks;

namespace ThunderDb.Core.Tests.Session;

public class EngineFailureTests
{
    public static IEnumerable<Func<(Exception, EngineFailureKind, string?)>> Cases()
    {
        yield return () => (new TransactionConflictException("k"), EngineFailureKind.Conflict, SqlState.SerializationFailure);
        yield return () => (new DeadlockDetectedException("cycle"), EngineFailureKind.Deadlock, SqlState.DeadlockDetected);
        yield return () => (new LockWaitTimeoutException("held", waited: true), EngineFailureKind.LockTimeout, SqlState.LockNotAvailable);
        yield return () => (new LockWaitTimeoutException("held", waited: false), EngineFailureKind.LockNotAvailable, SqlState.LockNotAvailable);
        yield return () => (new StorageReadOnlyException("disk full"), EngineFailureKind.ReadOnly, SqlState.ReadOnlyTransaction);
        yield return () => (new KeyTooLargeException("key"), EngineFailureKind.KeyTooLarge, SqlState.ProgramLimitExceeded);
        yield return () => (new TransactionTooLargeException("big"), EngineFailureKind.TransactionTooLarge, SqlState.ProgramLimitExceeded);
        yield return () => (new DeadlineExceededException(), EngineFailureKind.DeadlineExceeded, SqlState.QueryCanceled);
        yield return () => (new OperationCanceledException(), EngineFailureKind.Cancelled, SqlState.QueryCanceled);
        yield return () => (new InvalidOperationException("bug"), EngineFailureKind.Fault, null);
    }

    [Test]
    [MethodDataSource(nameof(Cases))]
    public async Task Each_engine_exception_has_one_kind_and_one_SQL_rendering(Exception exception, EngineFailureKind kind, string? sqlState)
    {
        EngineFailure failure = EngineFailure.Of(exception);
        await Assert.That(failure.Kind).IsEqualTo(kind);
        await Assert.That(failure.IsFault).IsEqualTo(kind == EngineFailureKind.Fault);
        await Assert.That(failure.Message).IsEqualTo(exception.Message);

        SqlException? sql = SqlSession.Translate(exception);
        await Assert.That(sql?.SqlState).IsEqualTo(sqlState); // a fault is no SQL error: it propagates as a bug
    }

    [Test]
    public async Task A_timed_lock_wait_and_a_deadline_read_as_PostgreSQL_words_them()
    {
        await Assert.That(SqlSession.Translate(new LockWaitTimeoutException("held by 7"))!.Message).IsEqualTo("canceling statement due to lock timeout");
        await Assert.That(SqlSession.Translate(new LockWaitTimeoutException("held by 7"))!.Detail).IsEqualTo("held by 7");
        await Assert.That(SqlSession.Translate(new DeadlineExceededException())!.Message).IsEqualTo("canceling statement due to statement timeout");
    }
}
