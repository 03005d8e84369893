using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>The information functions that do not depend on the session: version() and friends.</summary>
internal static class SystemFunctions
{
    /// <summary>Clients (JDBC, psycopg, ORMs) parse the leading "PostgreSQL 15." to pick their dialect: keep it.</summary>
    public const string Version = "PostgreSQL 15.0 (ThunderDB 0.1.0) on x86_64-pc-linux-gnu, compiled by .NET";

    private static SqlValue Sleep(double seconds, CancellationToken cancellation)
    {
        if (seconds > 0 && !double.IsNaN(seconds))
        {
            // a thread of its own waits (statements run off the socket loops); a cancel or kill wakes it at once
            int ms = seconds >= int.MaxValue / 1000.0 ? int.MaxValue - 1 : (int)Math.Ceiling(seconds * 1000);
            if (cancellation.WaitHandle.WaitOne(ms))
            {
                cancellation.ThrowIfCancellationRequested();
            }
        }

        cancellation.ThrowIfCancellationRequested();
        return SqlValue.Void;
    }

    public static void Register(List<ScalarFunction> f)
    {
        f.Add("version", SqlType.Text, (_, _) => Fn.Text(Version));
        f.Add(new ScalarFunction("gen_random_uuid", [], SqlType.Uuid, (_, _) => SqlValue.FromUuid(Guid.NewGuid()), IsVolatile: true));
        // void in PostgreSQL (a text NULL here); the wait ends early when the statement is cancelled (57014)
        f.Add(new ScalarFunction("pg_sleep", [SqlType.Float8], SqlType.Void, (a, c) => Sleep(a[0].AsDouble, c.Runtime?.Cancellation ?? default), IsVolatile: true));
    }
}

/// <summary>
/// The functions whose value is the session's: current_database() (and CURRENT_CATALOG), current_schema()
/// (CURRENT_SCHEMA), current_schemas(bool), current_user (CURRENT_USER, CURRENT_ROLE, USER), session_user,
/// pg_backend_pid(). The session layer makes one instance per session and keeps its properties current
/// (SET search_path changes <see cref="SearchPath"/>); the binder resolves every function call through
/// <see cref="Resolve"/>, which answers these from the instance and everything else from
/// <see cref="FunctionCatalog.ResolveScalar"/>. Bodies read the properties when evaluated, so a prepared
/// statement sees the values of the moment it runs.
/// </summary>
public sealed class SessionFunctions
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "current_database", "current_catalog", "current_schema", "current_schemas", "current_user", "current_role", "user",
        "session_user", "pg_backend_pid",
    };

    public SessionFunctions(string database, string user, IReadOnlyList<string> searchPath, int backendPid)
    {
        Database = database;
        User = user;
        SessionUser = user;
        SearchPath = searchPath;
        BackendPid = backendPid;
    }

    public string Database { get; set; }

    /// <summary>current_user: changes with SET ROLE; <see cref="SessionUser"/> does not.</summary>
    public string User { get; set; }

    public string SessionUser { get; set; }

    /// <summary>The search_path schemas in order (without pg_catalog unless listed), as current_schemas(false) shows them.</summary>
    public IReadOnlyList<string> SearchPath { get; set; }

    public int BackendPid { get; set; }

    /// <summary>Schemas of the search path that exist; defaults to all of them. Set by the session from the catalog.</summary>
    public Func<string, bool> SchemaExists { get; set; } = _ => true;

    public static bool IsSessionFunction(string name) => Names.Contains(name);

    public ScalarFunction Resolve(string name, IReadOnlyList<SqlType> argTypes)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(argTypes);
        if (!IsSessionFunction(name))
        {
            return FunctionCatalog.ResolveScalar(name, argTypes);
        }

        ScalarFunction[] candidates = name switch
        {
            "current_database" or "current_catalog" => [Make(name, SqlType.Name, () => SqlValue.FromString(SqlTypeKind.Name, Database))],
            "current_user" or "current_role" or "user" => [Make(name, SqlType.Name, () => SqlValue.FromString(SqlTypeKind.Name, User))],
            "session_user" => [Make(name, SqlType.Name, () => SqlValue.FromString(SqlTypeKind.Name, SessionUser))],
            "current_schema" => [new ScalarFunction(name, [], SqlType.Name, (_, _) => CurrentSchema(), Strict: false)],
            "current_schemas" => [new ScalarFunction(name, [SqlType.Bool], SqlType.Name.ArrayOf(), (a, _) => CurrentSchemas(a[0].AsBool))],
            _ => [Make(name, SqlType.Int4, () => SqlValue.FromInt4(BackendPid))],
        };
        return FunctionResolver.Choose(name, argTypes, candidates, c => (c.Parameters, c.VariadicElement), (c, types) => c with { Parameters = types });
    }

    private static ScalarFunction Make(string name, SqlType type, Func<SqlValue> value) => new(name, [], type, (_, _) => value());

    /// <summary>The first search-path schema that exists; NULL when none does, as in PostgreSQL.</summary>
    private SqlValue CurrentSchema()
    {
        foreach (string schema in SearchPath)
        {
            if (SchemaExists(schema))
            {
                return SqlValue.FromString(SqlTypeKind.Name, schema);
            }
        }

        return SqlValue.Null;
    }

    private SqlValue CurrentSchemas(bool includeImplicit)
    {
        var items = new List<SqlValue>();
        if (includeImplicit && !SearchPath.Contains("pg_catalog"))
        {
            items.Add(SqlValue.FromString(SqlTypeKind.Name, "pg_catalog"));
        }

        foreach (string schema in SearchPath)
        {
            if (SchemaExists(schema) && (includeImplicit || schema != "pg_catalog"))
            {
                items.Add(SqlValue.FromString(SqlTypeKind.Name, schema));
            }
        }

        return SqlValue.FromArray(new SqlArray(SqlType.Name, [.. items]));
    }
}
