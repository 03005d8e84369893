using System.Runtime.CompilerServices;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Session;
using ThunderDb.Core.Txn;

namespace ThunderDb.Net.Resp;

/// <summary>MULTI/EXEC/WATCH: queued commands run in one storage transaction, so EXEC is atomic and durable as one commit.</summary>
internal sealed partial class RespSession
{
    private sealed record QueuedCommand(RespCommandInfo Info, byte[] Buffer, ArgSlice[] Args);

    private sealed record WatchedKey(int Bucket, long Version);

    private List<QueuedCommand>? _multi;
    private bool _multiDirty;
    private List<WatchedKey>? _watched;
    private long _watchFlushEpoch;

    private void FlagMultiError()
    {
        if (_multi is not null)
        {
            _multiDirty = true;
        }
    }

    private void QueueCommand(RespCommandInfo info)
    {
        if (info.Has(CommandFlags.PubSub) && info.Id != CommandId.Publish)
        {
            _multiDirty = true;
            _out.WriteError($"ERR Command not allowed inside a transaction");
            return;
        }

        int total = 0;
        for (int i = 0; i < _argc; i++)
        {
            total += _args[i].Length;
        }

        byte[] buffer = new byte[total];
        var args = new ArgSlice[_argc];
        int at = 0;
        for (int i = 0; i < _argc; i++)
        {
            Arg(i).CopyTo(buffer.AsSpan(at));
            args[i] = new ArgSlice(at, _args[i].Length);
            at += _args[i].Length;
        }

        _multi!.Add(new QueuedCommand(info, buffer, args));
        _out.WriteQueued();
    }

    private void Watch()
    {
        if (_multi is not null)
        {
            throw Error("ERR WATCH inside MULTI is not allowed");
        }

        if (_watched is null)
        {
            // Counted before any version is read: a commit that becomes visible after this read sees the count and bumps.
            _server.Signals.AddWatcher();
            _watched = [];
            _watchFlushEpoch = _server.Signals.FlushEpoch;
        }

        for (int i = 1; i < _argc; i++)
        {
            int bucket = KeyspaceSignals.Bucket(_db, Arg(i));
            _watched.Add(new WatchedKey(bucket, _server.Signals.Version(bucket)));
        }

        _out.WriteOk();
    }

    private void ClearWatches()
    {
        if (_watched is not null)
        {
            _watched = null;
            _server.Signals.RemoveWatcher();
        }
    }

    private bool WatchedKeysChanged()
    {
        if (_watched is null)
        {
            return false;
        }

        if (_server.Signals.FlushEpoch != _watchFlushEpoch)
        {
            return true;
        }

        foreach (WatchedKey w in _watched)
        {
            if (_server.Signals.Version(w.Bucket) != w.Version)
            {
                return true;
            }
        }

        return false;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ExecAsync()
    {
        List<QueuedCommand>? queue = _multi;
        if (queue is null)
        {
            _out.WriteError("ERR EXEC without MULTI");
            return;
        }

        _multi = null;
        bool dirty = _multiDirty;
        _multiDirty = false;
        if (dirty)
        {
            ClearWatches();
            _out.WriteError("EXECABORT Transaction discarded because of previous errors.");
            return;
        }

        byte[] savedBuffer = _argBuffer;
        ArgSlice[] savedArgs = _args;
        int savedArgc = _argc;
        int savedDb = _db;
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                int mark = _out.Position;
                _db = savedDb;
                if (WatchedKeysChanged())
                {
                    _out.WriteNullArray();
                    return;
                }

                ResetTouched();
                IKvTransaction txn = _server.Database.Begin();
                bool retry = false;
                try
                {
                    // Again now that the snapshot is taken: a commit this snapshot sees may have bumped its keys'
                    // versions between the check above and the snapshot (writers bump before and after committing).
                    if (WatchedKeysChanged())
                    {
                        _out.WriteNullArray();
                        return;
                    }

                    _keyspace.Attach(txn, _db, NowMs());
                    StartDeadline(); // one deadline for the whole EXEC: past it, the transaction is discarded
                    _out.WriteArrayHeader(queue.Count);
                    foreach (QueuedCommand q in queue)
                    {
                        _argBuffer = q.Buffer;
                        _args = q.Args;
                        _argc = q.Args.Length;
                        _keyspace.Db = _db;
                        RunQueuedCommand(q.Info);
                    }

                    if (_keyspace.HasWrites)
                    {
                        await CommitAsync(txn).ConfigureAwait(false);
                        WakeBlockedClients();
                    }
                    else
                    {
                        txn.Rollback();
                    }
                }
                catch (TransactionConflictException) when (attempt < MaxConflictRetries)
                {
                    _out.Rewind(mark);
                    retry = true;
                }
                catch (Exception ex) when (IsEngineFailure(ex))
                {
                    // Nothing was logged or applied: the whole transaction is discarded, atomically, and the client told why.
                    _out.Rewind(mark);
                    _out.WriteError(ExecAbortReply(ex));
                }
                finally
                {
                    _keyspace.Detach();
                    txn.Dispose();
                }

                if (!retry)
                {
                    return;
                }

                await Task.Delay(Math.Min(attempt, 10)).ConfigureAwait(false);
            }
        }
        finally
        {
            _argBuffer = savedBuffer;
            _args = savedArgs;
            _argc = savedArgc;
            ClearWatches();
        }
    }

    /// <summary>One queued command inside EXEC: session commands run directly, blocking ones do not block (as in Redis).</summary>
    private void RunQueuedCommand(RespCommandInfo info)
    {
        int mark = _out.Position;
        try
        {
            if (info.Has(CommandFlags.Session))
            {
                ExecuteSessionCommand(info);
                _keyspace.Db = _db;
            }
            else if (info.Has(CommandFlags.NoScript))
            {
                RunQueuedScript(info);
            }
            else if (info.Has(CommandFlags.Blocking))
            {
                RedisError error = TryPopForBlocking(info, out bool popped);
                if (error != RedisError.None)
                {
                    _out.Rewind(mark);
                    WriteError(error);
                }
                else if (!popped)
                {
                    _out.WriteNullArray();
                }
            }
            else
            {
                RedisError error = ExecuteDataCommand(info);
                if (error == RedisError.DeadlineExceeded)
                {
                    throw new DeadlineExceededException(); // the whole EXEC is discarded: a timed-out transaction changes nothing
                }

                if (error != RedisError.None)
                {
                    _out.Rewind(mark);
                    WriteError(error);
                }
            }
        }
        catch (RespErrorException ex)
        {
            _out.Rewind(mark);
            _out.WriteError(ex.Message);
        }
    }
}
