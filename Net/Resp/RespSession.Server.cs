using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>Connection and server commands: they run outside a storage transaction.</summary>
internal sealed partial class RespSession
{
    internal const string ReportedRedisVersion = "7.0.0";

    private void ExecuteSessionCommand(RespCommandInfo command)
    {
        switch (command.Id)
        {
            case CommandId.Ping:
                Ping();
                break;
            case CommandId.Echo:
                _out.WriteBulk(Arg(1));
                break;
            case CommandId.Quit:
                _out.WriteOk();
                _closing = true;
                break;
            case CommandId.Select:
                {
                    long db = RedisNumbers.ParseLong(Arg(1), out long v) ? v : throw Error(RedisErrors.NotInteger);
                    if (db is < 0 or >= RedisKeyCodec.DatabaseCount)
                    {
                        throw Error(RedisErrors.DbIndex);
                    }

                    _db = (int)db;
                    _out.WriteOk();
                    break;
                }

            case CommandId.Info:
                Info();
                break;
            case CommandId.Config:
                Config();
                break;
            case CommandId.Client:
                Client();
                break;
            case CommandId.Command:
                Command();
                break;
            case CommandId.Time:
                {
                    long micros = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 + (DateTime.UtcNow.Ticks / 10 % 1000);
                    _out.WriteArrayHeader(2);
                    _out.WriteBulk(micros / 1_000_000);
                    _out.WriteBulk(micros % 1_000_000);
                    break;
                }

            case CommandId.Reset:
                _multi = null;
                ClearWatches();
                LeaveAllSubscriptions();
                _db = 0;
                _out.Protocol = 2;
                _connection.Name = null;
                if (_server.Options.AuthEnabled)
                {
                    _authenticated = false;
                    _connection.User = null;
                    _connection.AuthenticationStartedTicks = Environment.TickCount64;
                }

                _out.WriteSimple("RESET"u8);
                break;
            case CommandId.SlowLog:
                SlowLogCommand();
                break;
            case CommandId.Role:
                _out.WriteArrayHeader(3);
                _out.WriteBulk("master"u8);
                _out.WriteInteger(0);
                _out.WriteArrayHeader(0);
                break;
            case CommandId.Multi:
                if (_multi is not null)
                {
                    throw Error("ERR MULTI calls can not be nested");
                }

                _multi = [];
                _multiDirty = false;
                _out.WriteOk();
                break;
            case CommandId.Discard:
                if (_multi is null)
                {
                    throw Error("ERR DISCARD without MULTI");
                }

                _multi = null;
                ClearWatches();
                _out.WriteOk();
                break;
            case CommandId.Watch:
                Watch();
                break;
            case CommandId.Unwatch:
                ClearWatches();
                _out.WriteOk();
                break;
            case CommandId.Subscribe:
            case CommandId.PSubscribe:
                Subscribe(command.Id == CommandId.PSubscribe);
                break;
            case CommandId.Unsubscribe:
            case CommandId.PUnsubscribe:
                Unsubscribe(command.Id == CommandId.PUnsubscribe);
                break;
            case CommandId.Publish:
                _out.WriteInteger(_server.PubSub.Publish(Arg(1), Arg(2)));
                break;
            case CommandId.PubSubCmd:
                PubSubCommand();
                break;
            case CommandId.Script:
                ScriptCommand();
                break;
            case CommandId.Function:
                FunctionCommand();
                break;
            default:
                throw Error($"ERR '{command.Name}' is not supported");
        }
    }

    private void Ping()
    {
        if (_out.Protocol == 2 && SubscriptionCount > 0)
        {
            _out.WriteArrayHeader(2);
            _out.WriteBulk("pong"u8);
            _out.WriteBulk(_argc > 1 ? Arg(1) : default);
            return;
        }

        if (_argc > 2)
        {
            throw Error("ERR wrong number of arguments for 'ping' command");
        }

        if (_argc == 2)
        {
            _out.WriteBulk(Arg(1));
        }
        else
        {
            _out.WriteRaw("+PONG\r\n"u8);
        }
    }
}
