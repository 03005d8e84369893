using Microsoft.Extensions.Logging;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Session;
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
    /// The error reply for an engine failure. What the client caused (a key or a transaction too large, a deadline) and a
    /// store that refuses writes are answered without logging; an engine fault is logged once with its stack trace.
    /// </summary>
    private string EngineErrorReply(Exception ex, string command)
    {
        EngineFailure failure = EngineFailure.Of(ex);
        switch (failure.Kind)
        {
            case EngineFailureKind.Conflict:
                return "ERR transaction conflict: too much contention on the same keys, try again";
            case EngineFailureKind.ReadOnly:
                return "READONLY the store refuses writes: " + failure.Message;
            case EngineFailureKind.DeadlineExceeded:
                return RedisErrors.DeadlineExceeded;
            case EngineFailureKind.KeyTooLarge or EngineFailureKind.TransactionTooLarge:
            case EngineFailureKind.LockTimeout or EngineFailureKind.LockNotAvailable or EngineFailureKind.Deadlock:
                // a script queued behind others on the script gate past the lock timeout
                return "ERR " + failure.Message;
            default:
                _server.Logger.LogError(ex, "RESP command {Command} failed in the storage engine", command);
                return "ERR storage engine error: " + failure.Message;
        }
    }

    /// <summary>EXEC runs its commands as one transaction, so an engine failure discards all of them (Redis's EXECABORT form).</summary>
    private string ExecAbortReply(Exception ex) => "EXECABORT Transaction discarded because of: " + EngineErrorReply(ex, "EXEC");
}
