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

    /// <summary>The values of the settings changed in the open transaction, as they were before it: restored at rollback.</summary>
    private readonly Dictionary<string, string?> _beforeTransaction = new(StringComparer.Ordinal);

    /// <summary>What those settings hold after commit: a SET's value, or for SET LOCAL the value from before.</summary>
    private readonly Dictionary<string, string?> _afterCommit = new(StringComparer.Ordinal);

    /// <summary>Each change in the open transaction with what it replaced, newest last: ROLLBACK TO a savepoint undoes the tail.</summary>
    private readonly List<(string Key, string? Value, bool HadAfterCommit, string? AfterCommit)> _undo = [];

    public string? Get(string name) => _values.GetValueOrDefault(name.ToLowerInvariant());

    public IReadOnlyDictionary<string, string> All => _values;

    /// <summary>Bumped by every SET and RESET, so plans bound under other settings (search_path) are bound again.</summary>
    public long Version { get; private set; }

    /// <summary><c>statement_timeout</c>: a statement running longer is cancelled (57014); zero = none.</summary>
    public TimeSpan StatementTimeout { get; private set; }

    /// <summary><c>lock_timeout</c>: a lock wait lasting longer fails (55P03); zero = wait until granted or deadlocked.</summary>
    public TimeSpan LockTimeout { get; private set; }

    /// <summary>The schemas unqualified names resolve in ("$user" is skipped: no per-user schemas exist).</summary>
    public IReadOnlyList<string> SearchPath =>
        [.. (Get("search_path") ?? "public").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Trim('"')).Where(s => s != "$user")];

    /// <summary>
    /// SET: with <paramref name="inTransaction"/> the change is undone if the transaction rolls back, and with
    /// <paramref name="local"/> (SET LOCAL, set_config(..., true)) it lasts only until the transaction ends, as in PostgreSQL.
    /// </summary>
    public void Set(string name, string value, bool local = false, bool inTransaction = false)
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
            case "statement_timeout" or "lock_timeout" or "idle_in_transaction_session_timeout":
                value = MillisecondSetting.Format(MillisecondSetting.Parse(key, value));
                break;
            case "default_transaction_isolation":
                value = IsolationText(ParseIsolation(key, value));
                break;
            case "default_transaction_read_only":
                value = ParseBool(key, value) ? "on" : "off";
                break;
        }

        Assign(key, value, local, inTransaction);
    }

    /// <summary>Sets a read-only parameter the server itself determines (is_superuser at login).</summary>
    internal void SetByServer(string name, string value) => _values[name] = value;

    /// <summary>RESET name, or RESET ALL when <paramref name="name"/> is null; undone by a rollback as SET is.</summary>
    public void Reset(string? name, bool inTransaction = false)
    {
        if (name is not null)
        {
            string key = name.ToLowerInvariant();
            Assign(key, Defaults.GetValueOrDefault(key), local: false, inTransaction);
            return;
        }

        foreach (string key in _values.Keys.Where(k => !ReadOnly.Contains(k) && k is not "password_encryption").ToList())
        {
            Assign(key, Defaults.GetValueOrDefault(key), local: false, inTransaction);
        }

        Version++;
    }

    /// <summary>The transaction ended: a commit keeps its SETs and ends its SET LOCALs; a rollback undoes both.</summary>
    internal void TransactionEnded(bool committed)
    {
        if (_transactionModesShown)
        {
            ShowTransactionModes(null, null);
        }

        if (_beforeTransaction.Count == 0)
        {
            return;
        }

        foreach ((string key, string? value) in committed ? _afterCommit : _beforeTransaction)
        {
            Store(key, value);
        }

        _beforeTransaction.Clear();
        _afterCommit.Clear();
        _undo.Clear();
        Version++;
    }

    /// <summary>Where a savepoint stands in the transaction's changes (<see cref="RollbackTo"/>).</summary>
    internal int Mark() => _undo.Count;

    /// <summary>ROLLBACK TO SAVEPOINT: the settings changed since <paramref name="mark"/> get back what they held then.</summary>
    internal void RollbackTo(int mark)
    {
        if (_undo.Count <= mark)
        {
            return;
        }

        for (int i = _undo.Count - 1; i >= mark; i--)
        {
            (string key, string? value, bool hadAfterCommit, string? afterCommit) = _undo[i];
            Store(key, value);
            if (hadAfterCommit)
            {
                _afterCommit[key] = afterCommit;
            }
            else
            {
                _afterCommit.Remove(key);
            }
        }

        _undo.RemoveRange(mark, _undo.Count - mark);
        Version++;
    }

    private void Assign(string key, string? value, bool local, bool inTransaction)
    {
        if (inTransaction)
        {
            string? current = _values.GetValueOrDefault(key);
            _undo.Add((key, current, _afterCommit.TryGetValue(key, out string? afterCommit), afterCommit));
            _beforeTransaction.TryAdd(key, current);
            if (local)
            {
                _afterCommit.TryAdd(key, current);
            }
            else
            {
                _afterCommit[key] = value;
            }
        }

        Store(key, value);
        Version++;
    }

    private void Store(string key, string? value)
    {
        if (value is null)
        {
            _values.Remove(key);
        }
        else
        {
            _values[key] = value;
        }

        switch (key)
        {
            case "statement_timeout":
                StatementTimeout = TimeSpan.FromMilliseconds(MillisecondSetting.Parse(key, value ?? "0"));
                break;
            case "lock_timeout":
                LockTimeout = TimeSpan.FromMilliseconds(MillisecondSetting.Parse(key, value ?? "0"));
                break;
            case "default_transaction_isolation":
                DefaultIsolation = value == "repeatable read" ? Txn.IsolationLevel.RepeatableRead : Txn.IsolationLevel.ReadCommitted;
                if (!_transactionModesShown)
                {
                    ShowTransactionModes(null, null);
                }

                break;
            case "default_transaction_read_only":
                DefaultReadOnly = value == "on";
                if (!_transactionModesShown)
                {
                    ShowTransactionModes(null, null);
                }

                break;
        }
    }

    /// <summary><c>default_transaction_isolation</c>: the level a transaction begins at unless it names one.</summary>
    public Txn.IsolationLevel DefaultIsolation { get; private set; } = Txn.IsolationLevel.ReadCommitted;

    /// <summary><c>default_transaction_read_only</c>.</summary>
    public bool DefaultReadOnly { get; private set; }

    /// <summary>Whether transaction_isolation / transaction_read_only show an open block's modes (set back when it ends).</summary>
    private bool _transactionModesShown;

    /// <summary>What SHOW transaction_isolation / transaction_read_only answer: the open transaction's modes, else the defaults.</summary>
    internal void ShowTransactionModes(Txn.IsolationLevel? isolation, bool? readOnly)
    {
        _transactionModesShown = isolation is not null;
        _values["transaction_isolation"] = isolation is { } level ? IsolationText(level == Txn.IsolationLevel.RepeatableRead ? Ast.IsolationLevel.RepeatableRead : Ast.IsolationLevel.ReadCommitted)
            : _values.GetValueOrDefault("default_transaction_isolation") ?? "read committed";
        _values["transaction_read_only"] = (readOnly ?? DefaultReadOnly) ? "on" : "off";
    }

    /// <summary>An isolation level's setting text; SERIALIZABLE and bad names are refused with PostgreSQL's SQLSTATEs.</summary>
    internal static Ast.IsolationLevel ParseIsolation(string name, string text) => text.Trim().ToLowerInvariant() switch
    {
        "read uncommitted" => Ast.IsolationLevel.ReadUncommitted,
        "read committed" => Ast.IsolationLevel.ReadCommitted,
        "repeatable read" => Ast.IsolationLevel.RepeatableRead,
        "serializable" => Ast.IsolationLevel.Serializable,
        _ => throw new SqlException(SqlState.InvalidParameterValue, $"invalid value for parameter \"{name}\": \"{text}\"",
            hint: "Available values: serializable, repeatable read, read committed, read uncommitted."),
    };

    internal static string IsolationText(Ast.IsolationLevel level) => level switch
    {
        Ast.IsolationLevel.ReadUncommitted => "read uncommitted",
        Ast.IsolationLevel.RepeatableRead => "repeatable read",
        Ast.IsolationLevel.Serializable => throw SqlSession.SerializableRefused(),
        _ => "read committed",
    };

    internal static bool ParseBool(string name, string text) => text.Trim().ToLowerInvariant() switch
    {
        "on" or "true" or "yes" or "1" or "t" or "y" => true,
        "off" or "false" or "no" or "0" or "f" or "n" => false,
        _ => throw new SqlException(SqlState.InvalidParameterValue, $"parameter \"{name}\" requires a Boolean value"),
    };
}

/// <summary>
/// PostgreSQL's integer settings in milliseconds (statement_timeout, lock_timeout): a number with an optional unit
/// (us, ms, s, min, h, d; fractions rounded), shown in the largest unit that holds the value exactly ("1500ms", "2min").
/// </summary>
internal static class MillisecondSetting
{
    private static readonly (string Unit, long Ms)[] Units = [("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000), ("ms", 1)];

    public static long Parse(string name, string text)
    {
        ReadOnlySpan<char> t = text.AsSpan().Trim();
        int end = 0;
        while (end < t.Length && (char.IsAsciiDigit(t[end]) || t[end] is '.' or '-' or '+'))
        {
            end++;
        }

        if (!double.TryParse(t[..end], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double number))
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"invalid value for parameter \"{name}\": \"{text}\"");
        }

        string unit = t[end..].Trim().ToString();
        double ms = unit is "" or "ms" ? number
            : unit == "us" ? number / 1000
            : Array.FindIndex(Units, u => u.Unit == unit) is int at and >= 0 ? number * Units[at].Ms
            : throw new SqlException(SqlState.InvalidParameterValue, $"invalid value for parameter \"{name}\": \"{text}\"",
                hint: "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".");
        double rounded = Math.Round(ms, MidpointRounding.ToEven); // rint(), as PostgreSQL rounds
        return rounded is >= 0 and <= int.MaxValue
            ? (long)rounded
            : throw new SqlException(SqlState.InvalidParameterValue,
                $"{rounded.ToString(System.Globalization.CultureInfo.InvariantCulture)} ms is outside the valid range for parameter \"{name}\" (0 .. 2147483647)");
    }

    public static string Format(long ms)
    {
        if (ms == 0)
        {
            return "0";
        }

        foreach ((string unit, long size) in Units)
        {
            if (ms % size == 0)
            {
                return $"{ms / size}{unit}";
            }
        }

        return $"{ms}ms";
    }
}

public sealed partial class SqlSession
{
    private StatementResult SessionCommand(Ast.SqlStatement statement)
    {
        TimeSpan lockTimeout = Settings.LockTimeout;
        switch (statement)
        {
            case Ast.SetStatement set:
                if (set.Scope == Ast.SetScope.Local && _txn is null)
                {
                    return new StatementResult("SET", Notices: ["SET LOCAL can only be used in transaction blocks"]);
                }

                if (!set.ToDefault && set.Name.ToLowerInvariant() is "transaction_isolation" or "transaction_read_only" && set.Values.Count == 1)
                {
                    // the current transaction's modes: SET TRANSACTION by another name, as in PostgreSQL
                    string mode = SettingText(set.Values[0]);
                    return SetTransactionModes(set.Name.Equals("transaction_isolation", StringComparison.OrdinalIgnoreCase)
                        ? new Ast.TransactionModes(SessionSettings.ParseIsolation(set.Name, mode), null, null)
                        : new Ast.TransactionModes(null, SessionSettings.ParseBool(set.Name, mode), null), sessionDefault: false);
                }

                if (set.ToDefault)
                {
                    Settings.Reset(set.Name, inTransaction: _txn is not null);
                }
                else
                {
                    Settings.Set(set.Name, string.Join(", ", set.Values.Select(SettingText)), set.Scope == Ast.SetScope.Local, inTransaction: _txn is not null);
                }

                ApplyLockTimeoutIfChanged(lockTimeout);

                return new StatementResult("SET");
            case Ast.ResetStatement reset:
                Settings.Reset(reset.Name, inTransaction: _txn is not null);
                ApplyLockTimeoutIfChanged(lockTimeout);
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
                return SetTransactionModes(st.Modes, st.SessionDefault);
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
