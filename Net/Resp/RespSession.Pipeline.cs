using System.Diagnostics;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Pipeline groups: consecutive data commands of one received batch run in one engine transaction and are made
/// durable by one commit.
/// </summary>
/// <remarks>
/// <para>
/// Why it is safe: no reply leaves the send buffer before the group has committed (the group ends before every
/// flush), so a client cannot observe command 1 of a group before the whole group is durable and visible; every
/// command still sees the effects of the commands before it (the transaction's own writes), and every command of
/// the group takes effect at one instant that lies between its request and its reply. That is what Redis promises
/// for a pipeline; it does not promise that other clients' commands interleave between ours.
/// </para>
/// <para>
/// When the group cannot commit (a write-write conflict, an engine error) or one of its commands fails half-way
/// after writing, nothing of the group has been acknowledged: its replies are rewound, the receive position goes
/// back to the group's first command, and those commands run again one by one through the single-command path,
/// which retries conflicts and reports engine errors per command. A Redis error from a command that wrote nothing
/// (WRONGTYPE, a syntax error...) stays in the group as that command's reply.
/// </para>
/// <para>
/// Write stripes: a group holds the stripes of the keys it writes (so two sessions hammering one list take turns
/// by group rather than by command). It takes further stripes only with a non-blocking try; when one is busy the
/// group commits and releases everything before waiting for it. A session therefore only ever waits for a stripe
/// while holding none, so sessions cannot wait on each other in a cycle.
/// </para>
/// </remarks>
internal sealed partial class RespSession
{
    private const int MaxGroupCommands = 64;
    private const int MaxGroupStripes = 16;
    private const int StripedGroupsAfterConflict = 64;
    private const int StripeSpins = 40;

    private readonly long[] _groupStarted = new long[MaxGroupCommands];
    private readonly int[] _groupStripes = new int[MaxGroupStripes]; // the stripe names' last two bytes
    private IKvTransaction? _groupTxn;
    private int _groupCommands;
    private int _groupFailed;
    private int _groupStripeCount;
    private int _groupRecvStart;
    private int _groupOutStart;

    /// <summary>Groups left that take write stripes after a group lost a write-write conflict (see <see cref="UseStripesInGroup"/>).</summary>
    private int _stripedGroupsLeft;

    /// <summary>Receive offset below which commands run one by one (the replay of a group that could not commit).</summary>
    private int _noGroupBefore;

    private bool GroupOpen => _groupTxn is not null;

    private bool CanGroup(RespCommandInfo command)
    {
        if (_in.Start < _noGroupBefore)
        {
            return false;
        }

        _noGroupBefore = 0;
        return _multi is null
            && _authenticated
            && (command.Flags & (CommandFlags.Session | CommandFlags.Blocking)) == 0
            && command.Group is not (CommandGroup.Transactions or CommandGroup.PubSub or CommandGroup.Scripting)
            && _server.Scripts.Running is null
            && !(command.Has(CommandFlags.Write) && command.FirstKey == 0) // FLUSHDB, FLUSHALL: on their own
            && command.ArityOk(_argc)
            && !IsBlockingStreamRead(command) // XREAD ... BLOCK waits on its own
            && !(_out.Protocol == 2 && SubscriptionCount > 0);
    }

    /// <summary>Runs one command inside the open group (opening it if needed); false when the group had to be replayed.</summary>
    private async ValueTask<bool> RunGroupedAsync(RespCommandInfo command, int consumed)
    {
        if (_groupTxn is null)
        {
            OpenGroup();
        }

        if (command.Has(CommandFlags.Write) && command.FirstKey < _argc && UseStripesInGroup() && !await TakeGroupStripeAsync(command).ConfigureAwait(false))
        {
            return false;
        }

        long started = Stopwatch.GetTimestamp();
        _connection.CurrentCommand = command.Name;
        int mark = _out.Position;
        long writesBefore = _keyspace.WriteCount;
        using var span = ThunderTracing.StartRedisCommand(command.Name);
        try
        {
            StartDeadline();
            RedisError error = ExecuteDataCommand(command);
            if (error != RedisError.None)
            {
                if (_keyspace.WriteCount != writesBefore)
                {
                    // It failed after writing (a deadline in a long store): only the one-by-one replay can undo that.
                    AbandonGroup(replay: true);
                    return false;
                }

                _out.Rewind(mark);
                WriteError(error);
            }
        }
        catch (RespErrorException ex) when (_keyspace.WriteCount == writesBefore)
        {
            _out.Rewind(mark);
            _out.WriteError(ex.Message);
        }
        catch (OperationCanceledException)
        {
            AbandonGroup(replay: false);
            throw;
        }
#pragma warning disable CA1031 // anything else (a Redis error after a write, an engine error) replays the group one command at a time
        catch (Exception)
#pragma warning restore CA1031
        {
            AbandonGroup(replay: true);
            return false;
        }

        if (_out.Position > mark && _out.ByteAt(mark) == (byte)'-')
        {
            _groupFailed++;
        }

        ObserveSlowCommand(Stopwatch.GetTimestamp() - started, command); // its own work; a slow group commit is logged once by EndGroupAsync
        _groupStarted[_groupCommands++] = started;
        _in.Start += consumed;
        if (_groupCommands == MaxGroupCommands)
        {
            await EndGroupAsync().ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Commits <paramref name="txn"/>. Sessions run on the socket engine's event-loop threads; while a checkpoint holds
    /// commits back, the commit first moves to the thread pool so the loop's other connections keep being served.
    /// </summary>
    private async ValueTask CommitAsync(IKvTransaction txn)
    {
        if (_server.Database.IsCheckpointing)
        {
            await Task.Yield();
        }

        await txn.CommitAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Whether this group queues on write stripes. With sync_commit = false a commit is visible as soon as it is
    /// applied, and a group runs start to finish without waiting (on one event-loop thread, groups do not even
    /// overlap), so stripes would only add a lock per key and, when one is busy, an asynchronous hand-off to the
    /// thread pool, which on a hot key became the dominant cost (measured: HSET/LPOP -P 16 ran two thirds on
    /// thread-pool workers). Groups then rely on the engine's conflict check; a group that loses a conflict is
    /// replayed command by command (each queuing on its stripe) and the session queues its next groups too, for a
    /// while, so several event loops writing one hot key settle into taking turns instead of conflicting. With
    /// sync_commit = true a commit stays invisible until its fsync, so writers of one key always queue.
    /// </summary>
    private bool UseStripesInGroup() => _stripedGroupsLeft > 0 || !_server.Database.CommitsVisibleAtApply;

    private void OpenGroup()
    {
        IKvTransaction txn = _server.Database.Begin(IsolationLevel.RepeatableRead, _commandTxn);
        _commandTxn = txn;
        _groupTxn = txn;
        _groupCommands = 0;
        _groupFailed = 0;
        _groupRecvStart = _in.Start;
        _groupOutStart = _out.Position;
        ResetTouched();
        _connection.CommandStartedTicks = Environment.TickCount64;
        _keyspace.Attach(txn, _db, txn.StartedAtUnixMilliseconds);
    }

    /// <summary>
    /// Commits the open group (or rolls back a read-only one) and releases its stripes. False when the commit
    /// failed: the group's replies are gone and its commands will run again one by one.
    /// </summary>
    private async ValueTask<bool> EndGroupAsync()
    {
        IKvTransaction? txn = _groupTxn;
        if (txn is null)
        {
            ReleaseGroupStripes();
            return true;
        }

        bool committed = false;
        if (_stripedGroupsLeft > 0)
        {
            _stripedGroupsLeft--;
        }

        try
        {
            if (_keyspace.HasWrites)
            {
                await CommitAsync(txn).ConfigureAwait(false);
                WakeBlockedClients();
            }
            else
            {
                txn.Rollback();
            }

            committed = true;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (TransactionConflictException)
        {
            _stripedGroupsLeft = StripedGroupsAfterConflict;
        }
#pragma warning disable CA1031 // an engine failure: nothing was acknowledged, the single-command path redoes and reports
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            _keyspace.Detach();
            txn.Dispose();
            _groupTxn = null;
            ReleaseGroupStripes();
        }

        if (!committed)
        {
            Replay();
            return false;
        }

        long now = Stopwatch.GetTimestamp();
        ObserveSlowGroupCommit(now);
        for (int i = 0; i < _groupCommands; i++)
        {
            _tally.Ended(_groupStarted[i], now, statements: 1, failed: 0);
        }

        _tally.Failed(_groupFailed);

        _groupCommands = 0;
        _groupFailed = 0;
        return true;
    }

    /// <summary>Drops the open group without committing; with <paramref name="replay"/> its commands run again one by one.</summary>
    private void AbandonGroup(bool replay)
    {
        if (_groupTxn is { } txn)
        {
            _keyspace.Detach();
            txn.Dispose();
            _groupTxn = null;
        }

        ReleaseGroupStripes();
        if (replay)
        {
            Replay();
        }
    }

    private void Replay()
    {
        _out.Rewind(_groupOutStart);
        _noGroupBefore = Math.Max(_in.Start + 1, _noGroupBefore);
        _in.Start = _groupRecvStart;
        _groupCommands = 0;
        _groupFailed = 0;
        ResetTouched();
    }

    /// <summary>
    /// Takes the write stripe of the command's first key into the open group's transaction. A busy stripe (or a group
    /// at its stripe limit) ends the group first, so the wait happens holding nothing; the fresh group then reads from
    /// the newest applied commit, the previous holder's. False when ending the group failed (it is being replayed).
    /// </summary>
    private async ValueTask<bool> TakeGroupStripeAsync(RespCommandInfo command)
    {
        ReadOnlySpan<byte> name = RespServer.WriteStripeName(_stripeName, _db, Arg(command.FirstKey));
        int stripe = (name[2] << 8) | name[3];
        for (int i = 0; i < _groupStripeCount; i++)
        {
            if (_groupStripes[i] == stripe)
            {
                return true;
            }
        }

        bool fresh = _groupCommands == 0 && _groupStripeCount == 0;
        if (_groupStripeCount == MaxGroupStripes || !_groupTxn!.TryLock(name))
        {
            if (!fresh)
            {
                if (!await EndGroupAsync().ConfigureAwait(false))
                {
                    return false;
                }

                OpenGroup();
            }

            // Holding nothing now, so waiting cannot deadlock.
            await LockWriteStripeAsync(_groupTxn!, command).ConfigureAwait(false);
        }
        else if (fresh)
        {
            _groupTxn.AdvanceSnapshot();
        }

        _groupStripes[_groupStripeCount++] = stripe;
        return true;
    }

    /// <summary>Forgets the stripes of a group that ended: its transaction's end released them.</summary>
    private void ReleaseGroupStripes() => _groupStripeCount = 0;
}
