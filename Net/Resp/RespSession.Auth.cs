using System.Net;
using Microsoft.Extensions.Logging;
using ThunderDb.Net.Security;
using ThunderDb.Core.Redis;

namespace ThunderDb.Net.Resp;

/// <summary>AUTH and HELLO: the password check runs through the server's <see cref="SecretVerifier"/>, never on this thread.</summary>
internal sealed partial class RespSession
{
    private int _authFailures;

    /// <summary>AUTH and HELLO (which may carry AUTH): the only session commands that wait, on a password check.</summary>
    private ValueTask AuthOrHelloAsync(CommandId id) => id == CommandId.Auth ? AuthAsync() : HelloAsync();

    private async ValueTask HelloAsync()
    {
        int protocol = _out.Protocol;
        int i = 1;
        if (_argc > 1)
        {
            if (!RedisNumbers.ParseLong(Arg(1), out long requested))
            {
                throw Error("ERR Protocol version is not an integer or out of range");
            }

            if (requested is not (2 or 3))
            {
                throw Error("NOPROTO unsupported protocol version");
            }

            protocol = (int)requested;
            i = 2;
        }

        // Every option is parsed before the password is checked, as Redis does.
        string? name = null;
        string? user = null;
        string? password = null;
        for (; i < _argc; i++)
        {
            if (ArgIs(i, "AUTH"u8) && i + 2 < _argc)
            {
                user = ArgString(i + 1);
                password = ArgString(i + 2);
                i += 2;
            }
            else if (ArgIs(i, "SETNAME"u8) && i + 1 < _argc)
            {
                name = ArgString(++i);
            }
            else
            {
                throw Error($"ERR Syntax error in HELLO option '{ArgString(i)}'");
            }
        }

        if (user is not null && !await CheckPasswordAsync(user, password!).ConfigureAwait(false))
        {
            throw Error(RedisErrors.WrongPass);
        }

        if (!_authenticated)
        {
            throw Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        }

        if (name is not null)
        {
            _connection.Name = name;
        }

        _out.Protocol = protocol;
        _connection.CurrentCommand = "hello";
        _out.WriteMapHeader(7);
        _out.WriteBulk("server"u8);
        _out.WriteBulk("redis"u8);
        _out.WriteBulk("version"u8);
        _out.WriteBulk(ReportedRedisVersion);
        _out.WriteBulk("proto"u8);
        _out.WriteInteger(protocol);
        _out.WriteBulk("id"u8);
        _out.WriteInteger(_connection.Id);
        _out.WriteBulk("mode"u8);
        _out.WriteBulk("standalone"u8);
        _out.WriteBulk("role"u8);
        _out.WriteBulk("master"u8);
        _out.WriteBulk("modules"u8);
        _out.WriteArrayHeader(0);
    }

    private async ValueTask AuthAsync()
    {
        if (_argc > 3)
        {
            throw Error(RedisErrors.Syntax);
        }

        if (!_server.Options.AuthEnabled)
        {
            throw Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        }

        string user = _argc == 3 ? ArgString(1) : _server.Options.SuperuserName;
        if (!await CheckPasswordAsync(user, ArgString(_argc - 1)).ConfigureAwait(false))
        {
            throw Error(RedisErrors.WrongPass);
        }

        _out.WriteOk();
    }

    /// <summary>
    /// Checks the superuser's password through the server's <see cref="SecretVerifier"/>: off this thread, cached once
    /// right, and slower after each failure on this connection or from this address. Failures are logged (user and
    /// address, never the password).
    /// </summary>
    private async ValueTask<bool> CheckPasswordAsync(string user, string password)
    {
        RespServerOptions options = _server.Options;
        if (!options.AuthEnabled)
        {
            return true;
        }

        IPAddress? from = (_conn.Io.Socket.RemoteEndPoint as IPEndPoint)?.Address;
        ValueTask<bool> check = user == options.SuperuserName
            ? _server.Passwords.VerifyAsync(password, from, _authFailures, _connection.Killed)
            : _server.Passwords.RefuseAsync(from, _authFailures, _connection.Killed);
        if (!await check.ConfigureAwait(false))
        {
            _authFailures++;
            _server.Logger.LogWarning("RESP AUTH failed for user '{User}' from {Remote} (connection {Id}, failure {Failures} on this connection)",
                user, _connection.Remote, _connection.Id, _authFailures);
            return false;
        }

        _authenticated = true;
        _connection.User = user;
        return true;
    }
}
