using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>BLPOP, BRPOP, BLMOVE: try the pop; if every list is empty, wait until one is pushed to or the timeout passes.
/// XREAD/XREADGROUP BLOCK (RespSession.Streams.cs) wait through the same loop.</summary>
internal sealed partial class RespSession
{
    private async ValueTask BlockingPopAsync(RespCommandInfo command)
    {
        // Redis: a long double, times 1000, truncated to a long long (what does not fit becomes LLONG_MIN: negative).
        if (!RedisNumbers.ParseLongDouble(Arg(_argc - 1), out ExtendedReal timeout))
        {
            _out.WriteError("ERR timeout is not a float or out of range");
            return;
        }

        long timeoutMs = timeout.TimesThousandTruncated();
        if (timeoutMs < 0)
        {
            _out.WriteError("ERR timeout is negative");
            return;
        }

        if (command.Id == CommandId.BLMove && (!IsSide(3) || !IsSide(4)))
        {
            _out.WriteError(RedisErrors.Syntax);
            return;
        }

        long deadline = timeoutMs == 0 ? long.MaxValue : Environment.TickCount64 + Math.Min(timeoutMs, long.MaxValue / 2);
        var waitKeys = new List<string>();
        int lastKey = command.Id == CommandId.BLMove ? 2 : _argc - 1;
        for (int i = 1; i < lastKey; i++)
        {
            waitKeys.Add(KeyspaceSignals.WaitKey(_db, Arg(i)));
        }

        await BlockUntilServedAsync(command, waitKeys, deadline, TryPopForBlocking).ConfigureAwait(false);
    }

    /// <summary>
    /// The blocking loop every blocking command shares (pops, XREAD/XREADGROUP BLOCK): try to serve; if nothing was
    /// served, wait until a key of <paramref name="waitKeys"/> is written or <paramref name="deadline"/> passes (nil).
    /// </summary>
    private async ValueTask BlockUntilServedAsync(RespCommandInfo command, List<string> waitKeys, long deadline, TryServe tryServe)
    {
        while (true)
        {
            // Register before trying, so a write that commits between the try and the wait is not missed.
            TaskCompletionSource signal = _server.Signals.Block(waitKeys);
            try
            {
                if (await TryServeOnceAsync(command, tryServe).ConfigureAwait(false) != false)
                {
                    return;
                }

                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    _out.WriteNullArray();
                    return;
                }

                // Flush what is pending (earlier pipelined replies) before sleeping.
                await FlushAsync().ConfigureAwait(false);
                int wait = (int)Math.Min(remaining, 1000); // re-check at least every second
                await Task.WhenAny(signal.Task, Task.Delay(wait, _connection.Killed)).ConfigureAwait(false);
                _connection.Killed.ThrowIfCancellationRequested();
            }
            finally
            {
                _server.Signals.Unblock(waitKeys, signal);
            }
        }
    }

    /// <summary>
    /// One try in its own transaction (retried on a write conflict): true when served (reply written, writes
    /// committed), false when there was nothing to serve, null when an error reply was written instead.
    /// </summary>
    private async ValueTask<bool?> TryServeOnceAsync(RespCommandInfo command, TryServe tryServe)
    {
        int mark = _out.Position;
        for (int attempt = 0; ; attempt++)
        {
            ResetTouched();
            IKvTransaction txn = _server.Database.Begin();
            try
            {
                _keyspace.Attach(txn, _db, NowMs());
                RedisError error = tryServe(command, out bool served);
                if (error != RedisError.None)
                {
                    _out.Rewind(mark);
                    WriteError(error);
                    return null;
                }

                if (served && _keyspace.HasWrites)
                {
                    await CommitAsync(txn).ConfigureAwait(false);
                    WakeBlockedClients();
                }

                return served;
            }
            catch (TransactionConflictException) when (attempt < MaxConflictRetries)
            {
                _out.Rewind(mark);
            }
            catch (RespErrorException ex)
            {
                _out.Rewind(mark);
                _out.WriteError(ex.Message);
                return null;
            }
            catch (Exception ex) when (IsEngineFailure(ex))
            {
                _out.Rewind(mark);
                _out.WriteError(EngineErrorReply(ex, command.Name));
                return null;
            }
            finally
            {
                _keyspace.Detach();
                txn.Dispose();
            }
        }
    }

    /// <summary>One non-blocking try of a blocking command: writes the reply and sets <paramref name="served"/> when it served.</summary>
    private delegate RedisError TryServe(RespCommandInfo command, out bool served);

    private bool IsSide(int i) => ArgIs(i, "LEFT"u8) || ArgIs(i, "RIGHT"u8);

    /// <summary>The non-blocking half of a blocking pop; writes the reply and sets <paramref name="popped"/> when something was popped.</summary>
    private RedisError TryPopForBlocking(RespCommandInfo command, out bool popped)
    {
        popped = false;
        RedisError error;
        if (command.Id == CommandId.BLMove)
        {
            if (!IsSide(3) || !IsSide(4))
            {
                return RedisError.Syntax; // inside EXEC nothing checked it before
            }

            error = RedisLists.Move(_keyspace, Arg(1), Arg(2), ArgIs(3, "LEFT"u8), ArgIs(4, "LEFT"u8), out byte[]? moved);
            if (moved is not null)
            {
                _out.WriteBulk(moved);
                popped = true;
            }

            return error;
        }

        var values = new List<byte[]>(1);
        error = RedisLists.PopFromFirst(_keyspace, Args(1).Slice(0, _argc - 2), command.Id == CommandId.BLPop, 1, values, out int keyIndex);
        if (keyIndex >= 0 && values.Count > 0)
        {
            _out.WriteArrayHeader(2);
            _out.WriteBulk(Arg(1 + keyIndex));
            _out.WriteBulk(values[0]);
            popped = true;
        }

        return error;
    }
}
