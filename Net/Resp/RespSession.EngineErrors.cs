using Microsoft.Extensions.Logging;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn.Locks;
using ThunderDb.Core.Txn;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Resp;

/// <summary>
/// The one mapping from a storage-engine failure to the RESP error the client gets, used by every path that runs a
/// transaction (a single command, EXEC, a blocking pop; a pipeline group that fails is replayed command by command
/// through the single-command path). The command fails, the connection stays usable, nothing was acknowledged.
/// </summary>
internal sealed partial class RespSession
{
    /// <summary>An exception the engine raised for this command: everything but a Redis error and cancellation (the connection is closing).</summary>
    private static bool IsEngineFailure(Exception ex) => ex is not (OperationCanceledException or RespErrorException or OutputLimitExceededException);

    /// <summary>
    /// The error reply for an engine failure. What the client caused (a key or a transaction too large) and a store that
    /// refuses writes are answered without logging; anything else is an engine fault, logged once with its stack trace.
    /// </summary>
    private string EngineErrorReply(Exception ex, string command)
    {
        switch (ex)
        {
            case TransactionConflictException:
                return "ERR transaction conflict: too much contention on the same keys, try again";
            case StorageReadOnlyException:
                return "READONLY the store refuses writes: " + ex.Message;
            case QueryTimeoutException:
                return RedisErrors.DeadlineExceeded;
            case KeyTooLargeException:
            case TransactionTooLargeException:
            case LockWaitTimeoutException: // a script queued behind others on the script gate past the lock timeout
                return "ERR " + ex.Message;
            default:
                _server.Logger.LogError(ex, "RESP command {Command} failed in the storage engine", command);
                return "ERR storage engine error: " + ex.Message;
        }
    }

    /// <summary>EXEC runs its commands as one transaction, so an engine failure discards all of them (Redis's EXECABORT form).</summary>
    private string ExecAbortReply(Exception ex) => "EXECABORT Transaction discarded because of: " + EngineErrorReply(ex, "EXEC");
}
