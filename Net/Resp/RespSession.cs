using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Session;
using ThunderDb.Core.Txn.Locks;
using ThunderDb.Core.Txn;
using ThunderDb.Io.Buffers;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Resp;

/// <summary>A command failed with a Redis error reply (the message starts with its code); the connection stays open.</summary>
internal sealed class RespErrorException(string message) : Exception(message);

/// <summary>
/// One client connection: the receive loop (frames parsed in place from a pinned buffer), command dispatch,
/// and the per-connection state (database, protocol, MULTI queue, WATCH, subscriptions).
/// The command families live in the <c>RespSession.*.cs</c> partial files.
/// </summary>
internal sealed partial class RespSession : IKeyspaceObserver
{
    private const int FlushThreshold = 16 * 1024;
    private const int MaxConflictRetries = 64;

    private readonly RespServer _server;
    private readonly Connection _conn;
    private readonly ClientConnection _connection;
    private readonly RespWriter _out;
    private readonly RedisKeyspace _keyspace;
    private readonly ReceiveBuffer _in;
    private ArgSlice[] _args = new ArgSlice[16];
    private int _argc;
    private byte[] _argBuffer;
    private int _db;
    private bool _authenticated;
    private bool _closing;
    private List<string>? _wakeKeys;
    private readonly TouchedKeys _touched = new();
    private IKvTransaction? _commandTxn;
    private readonly QueryTally _tally;
    private readonly byte[] _stripeName = new byte[4];

    public RespSession(RespServer server, Connection connection)
    {
        _server = server;
        _conn = connection;
        _connection = connection.Client!;
        _in = connection.Input;
        _argBuffer = _in.Bytes;
        _out = new RespWriter(PinnedBufferPool.Shared.Rent(), server.Options.OutputLimits);
        _keyspace = new RedisKeyspace(this) { MaxValueBytes = server.Options.MaxValueBytes };
        _tally = new QueryTally(RespServer.ProtocolName, server.Options.SlowQueries);
        _authenticated = !server.Options.AuthEnabled;
        _connection.User = server.Options.AuthEnabled ? null : "default";
    }

    public long Id => _connection.Id;

    public async Task RunAsync()
    {
        try
        {
            while (!_closing)
            {
                if (!_in.Reserve(0, QueryBufferLimit))
                {
                    break;
                }

                if (await _conn.ReceiveAsync().ConfigureAwait(false) == 0)
                {
                    break;
                }

                _conn.RequestStarted();
                try
                {
                    await ProcessReceivedAsync().ConfigureAwait(false);
                    await FlushAsync().ConfigureAwait(false);
                }
                finally
                {
                    _conn.RequestEnded();
                }
            }
        }
        catch (OutputLimitExceededException ex)
        {
            _conn.CloseForOutputLimit("normal: " + ex.Message);
        }
        catch (OperationCanceledException)
        {
            // killed (CLIENT KILL, server stop, an output limit)
        }
        catch (SocketException)
        {
            // the peer reset the connection
        }
        catch (IOException)
        {
            // the peer reset a TLS connection (the socket error arrives wrapped)
        }
        catch (ObjectDisposedException)
        {
            // closed under us by a kill
        }
#pragma warning disable CA1031 // nothing a client sends may take the server down: log and close this connection only
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _server.Logger.LogError(ex, "RESP connection {Id} failed", _connection.Id);
        }
        finally
        {
            Cleanup();
        }
    }

    /// <summary>
    /// Parses and runs every complete command in the buffer; replies accumulate in the send buffer. Consecutive
    /// data commands run as one pipeline group (<c>RespSession.Pipeline.cs</c>); the group ends, committed, before
    /// anything is flushed, before any other kind of command and at the end of the received bytes.
    /// </summary>
    private async ValueTask ProcessReceivedAsync()
    {
        while (!_closing)
        {
            _argBuffer = _in.Bytes;
            ParseStatus status = RespParser.TryParse(_in.Bytes, _in.Start, _in.End, ref _args, out _argc, out int consumed, out long needed,
                out string? error, unauthenticated: !_authenticated, _server.Options.MaxValueBytes);
            if (status != ParseStatus.Complete && GroupOpen && !await EndGroupAsync().ConfigureAwait(false))
            {
                continue; // the group is replayed one command at a time from its first command
            }

            if (status == ParseStatus.Incomplete)
            {
                // The buffer grows as the bytes arrive, not to the announced size (ReceiveBuffer.Reserve)
                if (!_in.Reserve(needed, QueryBufferLimit))
                {
                    _out.WriteError("ERR Protocol error: client query buffer limit reached");
                    _closing = true;
                }

                break;
            }

            if (status == ParseStatus.Error)
            {
                _out.WriteError("ERR " + error);
                _closing = true;
                break;
            }

            if (_argc == 0)
            {
                _in.Start += consumed;
                continue;
            }

            RespCommandInfo? command = RespCommandTable.Find(Arg(0));
            if (command is not null && CanGroup(command))
            {
                // Advances _in.Start itself, or rewinds it to replay a group that could not commit.
                await RunGroupedAsync(command, consumed).ConfigureAwait(false);
            }
            else
            {
                if (GroupOpen && !await EndGroupAsync().ConfigureAwait(false))
                {
                    continue;
                }

                ReleaseGroupStripes();
                long started = Stopwatch.GetTimestamp();
                int mark = _out.Position;
                bool failed;
                using (var span = ThunderTracing.StartRedisCommand(command?.Name ?? "UNKNOWN"))
                {
                    await ExecuteAsync(command).ConfigureAwait(false);
                    failed = _out.Position > mark && _out.ByteAt(mark) == (byte)'-';
                    if (failed)
                    {
                        ThunderTracing.Fail(span, "ERR", "error reply");
                    }
                }

                ObserveSlowCommand(_tally.Ended(started, failed), command);
                _in.Start += consumed;
            }

            if (_out.Position >= FlushThreshold)
            {
                if (GroupOpen && !await EndGroupAsync().ConfigureAwait(false))
                {
                    continue;
                }

                ReleaseGroupStripes();
                await FlushAsync().ConfigureAwait(false);
            }
        }

        if (GroupOpen)
        {
            // Only a protocol error or a closing connection leaves the loop with a group open: commit what ran.
            await EndGroupAsync().ConfigureAwait(false);
        }

        ReleaseGroupStripes();
        _noGroupBefore = 0; // a replay never reaches past the bytes of this call

        _in.Settle();

        if (_tally.Pending > 0)
        {
            Interlocked.Add(ref _server.TotalCommands, _tally.Pending);
            _tally.Flush();
            _connection.LastActivityTicks = Environment.TickCount64;
        }
    }

    private async ValueTask FlushAsync()
    {
        if (_out.Position == 0)
        {
            return;
        }

        try
        {
            // the transport's bounded send: a client that leaves the soft limit unread past its seconds is closed
            await _conn.SendAsync(_out.Written, _server.Options.OutputLimits.Normal).ConfigureAwait(false);
        }
        finally
        {
            _out.Reset();
        }

        _in.Settle(); // a large frame's buffer goes back once it is consumed
    }

    private void Cleanup()
    {
        _closing = true;
        ClearWatches();
        AbandonGroup(replay: false); // an exception out of a group (engine closing under us) must not keep its stripes
        LeaveAllSubscriptions();
        _server.Registry.Unregister(_connection);
        _conn.Dispose();
        _push?.Writer.TryComplete();
        _lua?.Dispose();
        _out.Reset();
        PinnedBufferPool.Shared.Return(_out.HomeBuffer);
    }

    // ---- arguments ---------------------------------------------------------------------------------

    private ReadOnlySpan<byte> Arg(int i) => _argBuffer.AsSpan(_args[i].Offset, _args[i].Length);

    private byte[] ArgBytes(int i) => Arg(i).ToArray();

    private string ArgString(int i) => Encoding.UTF8.GetString(Arg(i));

    private bool ArgIs(int i, ReadOnlySpan<byte> token) => System.Text.Ascii.EqualsIgnoreCase(Arg(i), token);

    private long ArgLong(int i) => RedisNumbers.ParseLong(Arg(i), out long v) ? v : throw Error(RedisErrors.NotInteger);

    /// <summary>Argument <paramref name="i"/> as a long; <see cref="RedisError.NotInteger"/> (a value, not an exception) when it is not one.</summary>
    private RedisError? ArgLong(int i, out long value) => RedisNumbers.ParseLong(Arg(i), out value) ? null : RedisError.NotInteger;

    /// <summary>The arguments from <paramref name="first"/> on, in place.</summary>
    private RedisArgs Args(int first) => new RedisArgs(_argBuffer, _args.AsSpan(0, _argc)).Slice(first);

    private static RespErrorException Error(string message) => new(message);

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    // ---- dispatch ----------------------------------------------------------------------------------

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ExecuteAsync(RespCommandInfo? command)
    {
        if (command is null)
        {
            FlagMultiError();
            UnknownCommand();
            return;
        }

        if (!command.ArityOk(_argc))
        {
            FlagMultiError();
            _out.WriteError(command.ArityError);
            return;
        }

        if (!_authenticated && !command.Has(CommandFlags.NoAuth))
        {
            FlagMultiError();
            _out.WriteError("NOAUTH Authentication required.");
            return;
        }

        if (_server.Scripts.Running is not null && RefusedAsBusy(command))
        {
            return;
        }

        if (_multi is not null && !command.Has(CommandFlags.NotQueued))
        {
            QueueCommand(command);
            return;
        }

        if (_out.Protocol == 2 && SubscriptionCount > 0 && !command.Has(CommandFlags.SubscribedOk))
        {
            _out.WriteError($"ERR Can't execute '{command.Name.ToLowerInvariant()}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return;
        }

        _connection.CurrentCommand = command.Name;
        _connection.CommandStartedTicks = Environment.TickCount64;
        if (command.Has(CommandFlags.Session))
        {
            int mark = _out.Position;
            try
            {
                if (command.Id is CommandId.Auth or CommandId.Hello)
                {
                    await AuthOrHelloAsync(command.Id).ConfigureAwait(false); // bcrypt runs off this (event-loop) thread
                }
                else
                {
                    ExecuteSessionCommand(command);
                }
            }
            catch (RespErrorException ex)
            {
                _out.Rewind(mark);
                _out.WriteError(ex.Message);
            }

            return;
        }

        if (command.Has(CommandFlags.NoScript))
        {
            await ScriptCommandAsync(command).ConfigureAwait(false);
            return;
        }

        if (command.Id == CommandId.Exec)
        {
            await ExecAsync().ConfigureAwait(false);
            return;
        }

        if (command.Has(CommandFlags.Blocking))
        {
            await BlockingPopAsync(command).ConfigureAwait(false);
            return;
        }

        if (_multi is null && IsBlockingStreamRead(command))
        {
            await BlockingStreamReadAsync(command).ConfigureAwait(false);
            return;
        }

        await RunInTransactionAsync(command).ConfigureAwait(false);
    }

    private void UnknownCommand()
    {
        var text = new StringBuilder("ERR unknown command '").Append(Printable(Arg(0))).Append("', with args beginning with: ");
        for (int i = 1; i < _argc && i < 20; i++)
        {
            text.Append('\'').Append(Printable(Arg(i))).Append("' ");
        }

        _out.WriteError(text.ToString());
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> head = bytes.Length > 128 ? bytes[..128] : bytes;
        return Encoding.UTF8.GetString(head);
    }

    /// <summary>
    /// Runs one data command as one storage transaction: replies are written as it goes, the commit decides.
    /// A write-write conflict rewinds the replies and runs the command again on a fresh snapshot. A write first
    /// takes its key's write stripe (<see cref="RespServer.WriteStripeCount"/>).
    /// </summary>
    private ValueTask RunInTransactionAsync(RespCommandInfo command) => RunAttemptsAsync(command);

    /// <summary>
    /// Takes the write stripe of the command's first key in the attempt's fresh transaction, waiting behind its holder
    /// (briefly spinning first: the holder is usually a group on the other event loop that is done within
    /// microseconds), then reads from the newest applied commit, which may be the previous holder's.
    /// </summary>
    private ValueTask LockWriteStripeAsync(IKvTransaction txn, RespCommandInfo command)
    {
        ReadOnlySpan<byte> name = RespServer.WriteStripeName(_stripeName, _db, Arg(command.FirstKey));
        if (TryLockSpinning(txn, name))
        {
            txn.AdvanceSnapshot();
            return default;
        }

        return LockWriteStripeSlowAsync(txn);
    }

    private async ValueTask LockWriteStripeSlowAsync(IKvTransaction txn)
    {
        await txn.LockAsync(_stripeName, KeyLockMode.Exclusive, _connection.Killed).ConfigureAwait(false);
        txn.AdvanceSnapshot();
    }

    private static bool TryLockSpinning(IKvTransaction txn, ReadOnlySpan<byte> name)
    {
        var spinner = default(SpinWait);
        for (int i = 0; i < StripeSpins; i++)
        {
            if (txn.TryLock(name))
            {
                return true;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return txn.TryLock(name);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunAttemptsAsync(RespCommandInfo command, ScriptCall? script = null)
    {
        int db = _db;
        for (int attempt = 0; ; attempt++)
        {
            int mark = _out.Position;
            _db = db; // a script's SELECT does not outlive a retried attempt
            ResetTouched();
            // The session owns its per-command transaction object; recycling it keeps GET/SET allocation-free.
            IKvTransaction txn = _server.Database.Begin(IsolationLevel.RepeatableRead, _commandTxn);
            _commandTxn = txn;
            bool retry = false;
            try
            {
                if (script is not null)
                {
                    await EnterScriptGateAsync(txn).ConfigureAwait(false);
                }
                else if (command.Has(CommandFlags.Write) && command.FirstKey > 0 && command.FirstKey < _argc)
                {
                    await LockWriteStripeAsync(txn, command).ConfigureAwait(false);
                }

                _keyspace.Attach(txn, _db, txn.StartedAtUnixMilliseconds);
                StartDeadline();
                bool ok = script is { } call ? RunScriptAttempt(call, command) : RunDataCommand(command, mark);
                // A script commits even when it wrote nothing: its reply may show a commit that is not durable yet.
                if (ok && (_keyspace.HasWrites || script is not null))
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
                // An engine failure (conflicts past the retries, read-only, too large, I/O error...) fails this command, not the connection.
                _out.Rewind(mark);
                _out.WriteError(EngineErrorReply(ex, command.Name));
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

            if (attempt > 4)
            {
                await Task.Delay(attempt).ConfigureAwait(false);
            }
        }
    }
}
