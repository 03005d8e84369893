
namespace ThunderDb.Net.Resp;

/// <summary>COMMAND, COMMAND COUNT/INFO/DOCS: the command table as Redis 7 describes itself.</summary>
internal sealed partial class RespSession
{
    private void Command()
    {
        if (_argc == 1)
        {
            _out.WriteArrayHeader(RespCommandTable.All.Length);
            foreach (RespCommandInfo info in RespCommandTable.All)
            {
                WriteCommandInfo(info);
            }
        }
        else if (ArgIs(1, "COUNT"u8) && _argc == 2)
        {
            _out.WriteInteger(RespCommandTable.All.Length);
        }
        else if (ArgIs(1, "INFO"u8))
        {
            if (_argc == 2)
            {
                _out.WriteArrayHeader(RespCommandTable.All.Length);
                foreach (RespCommandInfo info in RespCommandTable.All)
                {
                    WriteCommandInfo(info);
                }

                return;
            }

            _out.WriteArrayHeader(_argc - 2);
            for (int i = 2; i < _argc; i++)
            {
                RespCommandInfo? info = RespCommandTable.Find(Arg(i));
                if (info is null)
                {
                    _out.WriteNullArray();
                }
                else
                {
                    WriteCommandInfo(info);
                }
            }
        }
        else if (ArgIs(1, "DOCS"u8))
        {
            var infos = new List<RespCommandInfo>();
            if (_argc == 2)
            {
                infos.AddRange(RespCommandTable.All);
            }
            else
            {
                for (int i = 2; i < _argc; i++)
                {
                    if (RespCommandTable.Find(Arg(i)) is { } info)
                    {
                        infos.Add(info);
                    }
                }
            }

            _out.WriteMapHeader(infos.Count);
            foreach (RespCommandInfo info in infos)
            {
                _out.WriteBulk(info.LowerName);
                _out.WriteMapHeader(3);
                _out.WriteBulk("summary"u8);
                _out.WriteBulk(info.Summary);
                _out.WriteBulk("since"u8);
                _out.WriteBulk("1.0.0"u8);
                _out.WriteBulk("group"u8);
                _out.WriteBulk(GroupName(info.Group));
            }
        }
        else
        {
            throw SubcommandError("COMMAND", ["COUNT"]);
        }
    }

    private static string GroupName(CommandGroup group) => group switch
    {
        CommandGroup.SortedSet => "sorted-set",
        CommandGroup.PubSub => "pubsub",
        CommandGroup.Scripting => "scripting",
        _ => group.ToString().ToLowerInvariant(),
    };

    private void WriteCommandInfo(RespCommandInfo info)
    {
        _out.WriteArrayHeader(10);
        _out.WriteBulk(info.LowerName);
        _out.WriteInteger(info.Arity);
        var flags = new List<string>();
        if (info.Has(CommandFlags.Write))
        {
            flags.Add("write");
        }

        if (info.Has(CommandFlags.ReadOnly))
        {
            flags.Add("readonly");
        }

        if (info.Has(CommandFlags.Fast))
        {
            flags.Add("fast");
        }

        if (info.Has(CommandFlags.Admin))
        {
            flags.Add("admin");
        }

        if (info.Has(CommandFlags.PubSub))
        {
            flags.Add("pubsub");
        }

        if (info.Has(CommandFlags.NoAuth))
        {
            flags.Add("no_auth");
        }

        if (info.Has(CommandFlags.Blocking))
        {
            flags.Add("blocking");
        }

        if (info.Has(CommandFlags.MovableKeys))
        {
            flags.Add("movablekeys");
        }

        _out.WriteSetHeader(flags.Count);
        foreach (string f in flags)
        {
            _out.WriteSimple(f);
        }

        _out.WriteInteger(info.FirstKey);
        _out.WriteInteger(info.LastKey);
        _out.WriteInteger(info.Step);
        _out.WriteSetHeader(1);
        _out.WriteSimple("@" + GroupName(info.Group));
        _out.WriteArrayHeader(0);
        _out.WriteArrayHeader(0);
        _out.WriteArrayHeader(0);
    }
}
