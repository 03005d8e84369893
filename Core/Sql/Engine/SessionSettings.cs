using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// Session settings (PostgreSQL's GUCs) that SET, SHOW and RESET reach, with the values clients check at
/// connect. Settings the engine acts on are read from here (search_path); the rest are remembered and shown.
/// </summary>
public sealed class SessionSettings
{
    public const string ServerVersion = "15.0";

    private static readonly Dictionary<string, string> Defaults = new(StringComparer.Ordinal)
    {
        ["server_version"] = ServerVersion,
        ["server_version_num"] = "150000",
        ["server_encoding"] = "UTF8",
        ["client_encoding"] = "UTF8",
        ["datestyle"] = "ISO, MDY",
        ["timezone"] = "UTC",
        ["intervalstyle"] = "postgres",
        ["integer_datetimes"] = "on",
        ["standard_conforming_strings"] = "on",
        ["search_path"] = "\"$user\", public",
        ["application_name"] = "",
        ["transaction_isolation"] = "read committed",
        ["default_transaction_isolation"] = "read committed",
        ["extra_float_digits"] = "1",
        ["statement_timeout"] = "0",
        ["lock_timeout"] = "0",
        ["max_identifier_length"] = "63",
        ["bytea_output"] = "hex",
        ["lc_messages"] = "C",
        ["client_min_messages"] = "notice",
        ["is_superuser"] = "on",
        ["enable_indexscan"] = "on",
        ["enable_hashjoin"] = "on",
        ["default_statistics_target"] = "100",
    };

    /// <summary>Settings a client may not change.</summary>
    private static readonly HashSet<string> ReadOnly = ["server_version", "server_version_num", "server_encoding", "integer_datetimes", "max_identifier_length", "is_superuser"];

    private readonly Dictionary<string, string> _values = new(Defaults, StringComparer.Ordinal);

    public string? Get(string name) => _values.GetValueOrDefault(name.ToLowerInvariant());

    public IReadOnlyDictionary<string, string> All => _values;

    /// <summary>Bumped by every SET and RESET, so plans bound under other settings (search_path) are bound again.</summary>
    public long Version { get; private set; }

    /// <summary>The schemas unqualified names resolve in ("$user" is skipped: no per-user schemas exist).</summary>
    public IReadOnlyList<string> SearchPath =>
        [.. (Get("search_path") ?? "public").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Trim('"')).Where(s => s != "$user")];

    public void Set(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        string key = name.ToLowerInvariant();
        if (ReadOnly.Contains(key))
        {
            throw new SqlException("55P02", $"parameter \"{key}\" cannot be changed");
        }

        switch (key)
        {
            case "timezone" when !value.Equals("UTC", StringComparison.OrdinalIgnoreCase) && !value.Equals("GMT", StringComparison.OrdinalIgnoreCase) && value is not ("0" or "+00" or "Etc/UTC"):
                throw new SqlException(SqlState.FeatureNotSupported, $"time zone \"{value}\" is not supported yet: sessions run in UTC");
            case "client_encoding" when !value.Replace("-", "", StringComparison.Ordinal).Equals("UTF8", StringComparison.OrdinalIgnoreCase) && !value.Equals("unicode", StringComparison.OrdinalIgnoreCase):
                throw new SqlException(SqlState.FeatureNotSupported, $"client encoding \"{value}\" is not supported: use UTF8");
            case "password_encryption" when !value.Equals("scram-sha-256", StringComparison.OrdinalIgnoreCase) && !value.Equals("md5", StringComparison.OrdinalIgnoreCase):
                throw new SqlException(SqlState.InvalidParameterValue, $"invalid value for parameter \"password_encryption\": \"{value}\"",
                    hint: "Available values: md5, scram-sha-256.");
            case "datestyle" when !value.Contains("ISO", StringComparison.OrdinalIgnoreCase):
                throw new SqlException(SqlState.FeatureNotSupported, $"DateStyle \"{value}\" is not supported yet: only ISO output is");
        }

        _values[key] = value;
        Version++;
    }

    /// <summary>Sets a read-only parameter the server itself determines (is_superuser at login).</summary>
    internal void SetByServer(string name, string value) => _values[name] = value;

    public void Reset(string? name)
    {
        Version++;
        if (name is null)
        {
            foreach ((string k, string v) in Defaults)
            {
                if (!ReadOnly.Contains(k))
                {
                    _values[k] = v;
                }
            }

            return;
        }

        string key = name.ToLowerInvariant();
        if (Defaults.TryGetValue(key, out string? d))
        {
            _values[key] = d;
        }
        else
        {
            _values.Remove(key);
        }
    }
}

public sealed partial class SqlSession
{
    private StatementResult SessionCommand(Ast.SqlStatement statement)
    {
        switch (statement)
        {
            case Ast.SetStatement set:
                if (set.Scope == Ast.SetScope.Local && _txn is null)
                {
                    return new StatementResult("SET", Notices: ["SET LOCAL can only be used in transaction blocks"]);
                }

                if (set.ToDefault)
                {
                    Settings.Reset(set.Name);
                }
                else
                {
                    Settings.Set(set.Name, string.Join(", ", set.Values.Select(SettingText)));
                }

                return new StatementResult("SET");
            case Ast.ResetStatement reset:
                Settings.Reset(reset.Name);
                return new StatementResult("RESET");
            case Ast.ShowStatement show:
                if (show.Name == "all")
                {
                    return new StatementResult("SHOW", [new PlanColumn("name", SqlType.Text), new PlanColumn("setting", SqlType.Text)],
                        [.. Settings.All.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new[] { SqlValue.FromText(kv.Key), SqlValue.FromText(kv.Value) })]);
                }

                string value = Settings.Get(show.Name) ?? throw new SqlException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{show.Name}\"");
                return new StatementResult("SHOW", [new PlanColumn(show.Name, SqlType.Text)], [[SqlValue.FromText(value)]]);
            case Ast.SetTransactionStatement st:
                if (st.Modes.Isolation is { } level)
                {
                    var isolation = level is Ast.IsolationLevel.RepeatableRead or Ast.IsolationLevel.Serializable ? Txn.IsolationLevel.RepeatableRead : Txn.IsolationLevel.ReadCommitted;
                    if (st.SessionDefault)
                    {
                        _defaultIsolation = isolation;
                    }
                    else if (_txn is null)
                    {
                        return new StatementResult("SET", Notices: ["SET TRANSACTION can only be used in transaction blocks"]);
                    }
                    else if (_statementsInTransaction > 0)
                    {
                        throw new SqlException("25001", "SET TRANSACTION ISOLATION LEVEL must be called before any query");
                    }
                    else
                    {
                        _txn.Dispose(); // nothing ran yet: begin again at the requested level
                        _txn = _engine.Database.Begin(isolation);
                    }
                }

                return new StatementResult("SET");
            default:
                throw new InvalidOperationException(statement.GetType().Name);
        }
    }

    private static string SettingText(Ast.SqlExpr e) => e switch
    {
        Ast.LiteralExpr l => l.Value,
        Ast.ColumnRefExpr c => string.Join('.', c.Names),
        Ast.UnaryExpr { Operator: "-", Operand: Ast.LiteralExpr l } => "-" + l.Value,
        _ => Ast.SqlPrinter.Print(e),
    };
}
