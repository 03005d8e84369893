using System.Globalization;
using System.Text;
using ThunderDb.Core.Redis;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Resp;

/// <summary>CLIENT ID/SETNAME/GETNAME/SETINFO/LIST/INFO/KILL over the connection registry.</summary>
internal sealed partial class RespSession
{
    private string? _libName;
    private string? _libVersion;

    private void Client()
    {
        if (ArgIs(1, "ID"u8) && _argc == 2)
        {
            _out.WriteInteger(_connection.Id);
        }
        else if (ArgIs(1, "SETNAME"u8) && _argc == 3)
        {
            ReadOnlySpan<byte> name = Arg(2);
            foreach (byte b in name)
            {
                if (b is <= (byte)' ' or > (byte)'~')
                {
                    throw Error("ERR Client names cannot contain spaces, newlines or special characters.");
                }
            }

            _connection.Name = name.IsEmpty ? null : Encoding.ASCII.GetString(name);
            _out.WriteOk();
        }
        else if (ArgIs(1, "GETNAME"u8) && _argc == 2)
        {
            if (_connection.Name is null)
            {
                _out.WriteNull();
            }
            else
            {
                _out.WriteBulk(_connection.Name);
            }
        }
        else if (ArgIs(1, "SETINFO"u8) && _argc == 4)
        {
            if (ArgIs(2, "LIB-NAME"u8))
            {
                _libName = ArgString(3);
            }
            else if (ArgIs(2, "LIB-VER"u8))
            {
                _libVersion = ArgString(3);
            }
            else
            {
                throw Error($"ERR Unrecognized option '{ArgString(2)}'");
            }

            _out.WriteOk();
        }
        else if (ArgIs(1, "LIST"u8))
        {
            var text = new StringBuilder();
            foreach (ClientConnection c in _server.Registry.Snapshot())
            {
                AppendClientLine(text, c);
            }

            _out.WriteBulk(text.ToString());
        }
        else if (ArgIs(1, "INFO"u8) && _argc == 2)
        {
            var text = new StringBuilder();
            AppendClientLine(text, _connection);
            _out.WriteBulk(text.ToString());
        }
        else if (ArgIs(1, "KILL"u8) && _argc >= 3)
        {
            ClientKill();
        }
        else
        {
            throw SubcommandError("CLIENT", ["ID", "SETNAME", "GETNAME", "SETINFO", "LIST", "INFO", "KILL"]);
        }
    }

    /// <summary>
    /// Redis 7's error for a container command: a known subcommand with the wrong arguments names it
    /// (<c>'client|setname'</c>), anything else is an unknown subcommand.
    /// </summary>
    private RespErrorException SubcommandError(string container, string[] known)
    {
        foreach (string name in known)
        {
            if (Ascii.EqualsIgnoreCase(Arg(1), Encoding.ASCII.GetBytes(name)))
            {
                return Error($"ERR wrong number of arguments for '{container.ToLowerInvariant()}|{name.ToLowerInvariant()}' command");
            }
        }

        return Error($"ERR unknown subcommand '{Printable(Arg(1))}'. Try {container} HELP.");
    }

    private void AppendClientLine(StringBuilder text, ClientConnection c)
    {
        CultureInfo ci = CultureInfo.InvariantCulture;
        long age = (long)(DateTimeOffset.UtcNow - c.StartedAt).TotalSeconds;
        long idle = (Environment.TickCount64 - c.LastActivityTicks) / 1000;
        text.Append("id=").Append(c.Id.ToString(ci))
            .Append(" addr=").Append(c.Remote)
            .Append(" laddr=").Append(c.Local)
            .Append(" name=").Append(c.Name)
            .Append(" age=").Append(age.ToString(ci))
            .Append(" idle=").Append(idle.ToString(ci))
            .Append(" flags=N")
            .Append(" db=").Append(ReferenceEquals(c, _connection) ? _db.ToString(ci) : "0")
            .Append(" cmd=").Append(c.CurrentCommand?.ToLowerInvariant() ?? "NULL")
            .Append(" user=").Append(c.User ?? "(none)")
            .Append(" protocol=").Append(c.Protocol);
        if (ReferenceEquals(c, _connection))
        {
            text.Append(" lib-name=").Append(_libName).Append(" lib-ver=").Append(_libVersion).Append(" resp=").Append(_out.Protocol.ToString(ci));
        }

        text.Append('\n');
    }

    private void ClientKill()
    {
        if (_argc == 3)
        {
            string addr = ArgString(2);
            int n = _server.Registry.Kill(c => c.Remote == addr);
            if (n == 0)
            {
                throw Error("ERR No such client");
            }

            _out.WriteOk();
            return;
        }

        long? id = null;
        string? address = null, laddr = null, user = null;
        bool skipMe = true;
        for (int i = 2; i + 1 < _argc; i += 2)
        {
            if (ArgIs(i, "ID"u8))
            {
                id = ArgLong(i + 1);
            }
            else if (ArgIs(i, "ADDR"u8))
            {
                address = ArgString(i + 1);
            }
            else if (ArgIs(i, "LADDR"u8))
            {
                laddr = ArgString(i + 1);
            }
            else if (ArgIs(i, "USER"u8))
            {
                user = ArgString(i + 1);
            }
            else if (ArgIs(i, "SKIPME"u8))
            {
                skipMe = !ArgIs(i + 1, "no"u8);
            }
            else
            {
                throw Error(RedisErrors.Syntax);
            }
        }

        if (_argc % 2 != 0)
        {
            throw Error(RedisErrors.Syntax);
        }

        int killed = _server.Registry.Kill(c =>
            (id is null || c.Id == id) && (address is null || c.Remote == address) && (laddr is null || c.Local == laddr) &&
            (user is null || c.User == user) && !(skipMe && c.Id == _connection.Id));
        _out.WriteInteger(killed);
    }
}
