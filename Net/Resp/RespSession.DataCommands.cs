using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Data-command dispatch: one command against the attached transaction, by command group, each family returning a
/// <see cref="RedisError"/> value for the common client errors (rendered here) and its deadline from query_timeout.
/// </summary>
internal sealed partial class RespSession
{
    /// <summary>Runs a data command against the attached transaction; a Redis error rewinds its reply and is written instead.</summary>
    private bool RunDataCommand(RespCommandInfo command, int mark)
    {
        try
        {
            RedisError error = ExecuteDataCommand(command);
            if (error == RedisError.None)
            {
                return true;
            }

            _out.Rewind(mark);
            WriteError(error);
            return false;
        }
        catch (RespErrorException ex)
        {
            _out.Rewind(mark);
            _out.WriteError(ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Runs one data command. The common client errors come back as values (no exception on the hot path); rarer ones
    /// with a formatted text are still thrown as <see cref="RespErrorException"/>. Either way nothing of the reply counts.
    /// </summary>
    private RedisError ExecuteDataCommand(RespCommandInfo command)
    {
        _running = command;
        switch (command.Group)
        {
            case CommandGroup.String:
                return ExecuteString(command.Id);
            case CommandGroup.Hash:
                return ExecuteHash(command.Id);
            case CommandGroup.List:
                return ExecuteList(command.Id);
            case CommandGroup.Set:
                return ExecuteSet(command.Id);
            case CommandGroup.SortedSet:
                return ExecuteSortedSet(command.Id);
            case CommandGroup.Bitmap:
                return ExecuteBitmap(command.Id);
            case CommandGroup.HyperLogLog:
                return ExecuteHyperLogLog(command.Id);
            case CommandGroup.Stream:
                return ExecuteStream(command.Id);
            default:
                return ExecuteKeys(command.Id);
        }
    }

    /// <summary>Starts the running command's <c>query_timeout</c> (read now, so a SIGHUP reload applies from the next command).</summary>
    private void StartDeadline()
    {
        if (_server.Options.QueryTimeout is { } timeout)
        {
            _keyspace.SetDeadline(timeout());
        }
    }

    /// <summary>An error value as its reply; every text but the value limit is a constant, so this allocates nothing.</summary>
    private void WriteError(RedisError error) =>
        _out.WriteError(error == RedisError.WrongArgumentCount && _running is { } command ? command.ArityError : RedisErrors.Text(error, _keyspace.MaxValueBytes));

    /// <summary>The data command running now (names it in an arity error).</summary>
    private RespCommandInfo? _running;
}
