using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.SystemViews;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// The catalog information functions psql and drivers call (pg_get_userbyid, format_type, pg_get_indexdef,
/// pg_table_is_visible...). They read the statement's catalog snapshot when evaluated; the ones that need the
/// session (search path, user) are resolved by the binder through <see cref="Resolve"/>.
/// </summary>
internal static class CatalogFunctions
{
    private static readonly SqlType O = SqlType.Oid, I = SqlType.Int4, B = SqlType.Bool, T = SqlType.Text;

    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "pg_get_userbyid", "pg_table_is_visible", "pg_type_is_visible", "pg_function_is_visible", "format_type", "pg_get_expr", "pg_get_indexdef", "pg_get_constraintdef",
        "pg_encoding_to_char", "obj_description", "col_description", "shobj_description", "has_table_privilege", "has_schema_privilege",
        "has_database_privilege", "pg_get_statisticsobjdef_columns", "pg_relation_is_publishable", "pg_backend_pid", "current_schemas",
        "current_schema", "pg_get_viewdef", "pg_partition_ancestors", "pg_get_triggerdef", "pg_notify", "pg_cancel_backend", "pg_terminate_backend",
        "current_setting", "set_config", "pg_get_function_result", "pg_get_function_arguments", "pg_get_function_identity_arguments",
        "pg_get_ruledef", "pg_has_role", "pg_tablespace_location", "pg_collation_is_visible", "pg_conversion_is_visible",
        "pg_ts_config_is_visible", "pg_ts_dict_is_visible", "pg_ts_parser_is_visible", "pg_ts_template_is_visible",
        "pg_advisory_lock", "pg_advisory_lock_shared", "pg_try_advisory_lock", "pg_try_advisory_lock_shared", "pg_advisory_xact_lock",
        "pg_advisory_xact_lock_shared", "pg_try_advisory_xact_lock", "pg_try_advisory_xact_lock_shared", "pg_advisory_unlock",
        "pg_advisory_unlock_shared", "pg_advisory_unlock_all", "random", "setseed",
    };

    public static bool IsCatalogFunction(string name) => Names.Contains(name) || SizeFunctions.IsSizeFunction(name);

    public static ScalarFunction Resolve(string name, IReadOnlyList<SqlType> argTypes, SessionContext session)
    {
        ScalarFunction[] candidates = name switch
        {
            "pg_get_userbyid" => [new(name, [O], SqlType.Name, (a, c) => SqlValue.FromString(SqlTypeKind.Name,
                PgRoles.NameOf(Catalog(c), session.SuperuserName ?? session.User, (uint)a[0].AsInt64) ?? $"unknown (OID={a[0].AsInt64})"))],
            "pg_table_is_visible" => [new(name, [O], B, (a, c) => SqlValue.FromBool(IsVisible(Catalog(c), session, (uint)a[0].AsInt64)))],
            "pg_type_is_visible" => [new(name, [O], B, (_, _) => SqlValue.FromBool(true))],
            // every function is a built-in in pg_catalog, which the search path always holds
            "pg_function_is_visible" => [new(name, [O], B, (_, _) => SqlValue.FromBool(true))],
            // the collations are pg_catalog's; no conversion or text-search object exists, so any OID names none (NULL, as PostgreSQL answers)
            "pg_collation_is_visible" => [new(name, [O], B, (a, _) => (uint)a[0].AsInt64 is CatalogText.DefaultCollation or 950u or 951u ? SqlValue.FromBool(true) : SqlValue.Null)],
            "pg_conversion_is_visible" or "pg_ts_config_is_visible" or "pg_ts_dict_is_visible" or "pg_ts_parser_is_visible" or "pg_ts_template_is_visible" =>
                [new(name, [O], B, (_, _) => SqlValue.Null)],
            // pg_default and pg_global live in the data directory: PostgreSQL reports an empty location for both
            "pg_tablespace_location" => [new(name, [O], T, (_, _) => SqlValue.FromText(""))],
            "format_type" => [new(name, [O, I], T, (a, c) => a[0].IsNull ? SqlValue.Null
                : SqlValue.FromText(CatalogText.FormatType(Catalog(c), (uint)a[0].AsInt64, a[1].IsNull ? -1 : a[1].AsInt32)!), Strict: false)],
            "pg_get_expr" =>
            [
                new(name, [T, O], T, (a, c) => Expression(Catalog(c), session, a[0].AsString, (uint)a[1].AsInt64, pretty: false)),
                new(name, [T, O, B], T, (a, c) => Expression(Catalog(c), session, a[0].AsString, (uint)a[1].AsInt64, a[2].AsBool)),
            ],
            "pg_get_indexdef" =>
            [
                new(name, [O], T, (a, c) => Text(CatalogText.IndexDefinition(Catalog(c), (uint)a[0].AsInt64))),
                new(name, [O, I, B], T, (a, c) => Text(CatalogText.IndexDefinition(Catalog(c), (uint)a[0].AsInt64, a[1].AsInt32, a[2].AsBool))),
            ],
            "pg_get_constraintdef" =>
            [
                new(name, [O], T, (a, c) => Text(CatalogText.ConstraintDefinition(Catalog(c), (uint)a[0].AsInt64, Visibility(Catalog(c), session), pretty: false))),
                new(name, [O, B], T, (a, c) => Text(CatalogText.ConstraintDefinition(Catalog(c), (uint)a[0].AsInt64, Visibility(Catalog(c), session), a[1].AsBool))),
            ],
            "pg_get_viewdef" =>
            [
                new(name, [O], T, (a, c) => Text(Catalog(c).Find<ViewDef>((uint)a[0].AsInt64)?.QuerySql)),
                new(name, [O, B], T, (a, c) => Text(Catalog(c).Find<ViewDef>((uint)a[0].AsInt64)?.QuerySql)),
            ],
            // no partitioning: a relation's only "ancestor" is itself, one row, so the set-returning function is a scalar here
            "pg_partition_ancestors" => [new(name, [O], O, (a, _) => a[0])],
            "pg_get_triggerdef" => [new(name, [O], T, (_, _) => SqlValue.Null), new(name, [O, B], T, (_, _) => SqlValue.Null)], // pg_trigger is empty
            "pg_encoding_to_char" => [new(name, [I], SqlType.Name, (a, _) => SqlValue.FromString(SqlTypeKind.Name, a[0].AsInt32 == 6 ? "UTF8" : a[0].AsInt32 == 0 ? "SQL_ASCII" : ""))],
            // COMMENT ON's texts: by object and catalog (obj_description(oid) takes any catalog's, as the deprecated form does)
            "obj_description" =>
            [
                new(name, [O], T, (a, c) => Text(Catalog(c).CommentsOn((uint)a[0].AsInt64).FirstOrDefault(d => d.SubId == 0)?.Text)),
                new(name, [O, SqlType.Name], T, (a, c) => Description(Catalog(c), a[0], a[1], 0)),
            ],
            "shobj_description" => [new(name, [O, SqlType.Name], T, (a, c) => Description(Catalog(c), a[0], a[1], 0))],
            "col_description" => [new(name, [O, I], T, (a, c) => Text(Catalog(c).FindComment((uint)a[0].AsInt64, PgClassOid, a[1].AsInt32)?.Text))],
            // one superuser: every privilege is held
            "has_table_privilege" or "has_schema_privilege" or "has_database_privilege" =>
                [new(name, [T, T], B, (_, _) => SqlValue.FromBool(true)), new(name, [O, T], B, (_, _) => SqlValue.FromBool(true)),
                 new(name, [T, T, T], B, (_, _) => SqlValue.FromBool(true)), new(name, [T, O, T], B, (_, _) => SqlValue.FromBool(true))],
            // role membership, as psql's \l+ asks it: privileges are not modelled (as above), so every role holds every
            // other; the privilege text is still checked as PostgreSQL checks it
            "pg_has_role" =>
                [new(name, [T, T], B, (a, _) => HasRole(a[1])), new(name, [O, T], B, (a, _) => HasRole(a[1])),
                 new(name, [T, T, T], B, (a, _) => HasRole(a[2])), new(name, [T, O, T], B, (a, _) => HasRole(a[2])),
                 new(name, [O, T, T], B, (a, _) => HasRole(a[2])), new(name, [O, O, T], B, (a, _) => HasRole(a[2]))],
            "pg_get_statisticsobjdef_columns" => [new(name, [O], T, (_, _) => SqlValue.Null, Strict: false)],
            "pg_relation_is_publishable" => [new(name, [O], B, (_, _) => SqlValue.FromBool(false))],
            "pg_notify" => [new(name, [T, T], SqlType.Void, (a, _) =>
            {
                Services(session).Notify(a[0].IsNull ? "" : a[0].AsString, a[1].IsNull ? "" : a[1].AsString);
                return SqlValue.Void;
            }, Strict: false, IsVolatile: true)],
            // the session's generator, so setseed() repeats the sequence; without a server session, the shared one
            "random" => [new(name, [], SqlType.Float8, (_, _) => SqlValue.FromFloat8((session.Services?.Random ?? Random.Shared).NextDouble()), IsVolatile: true)],
            "setseed" => [new(name, [SqlType.Float8], SqlType.Void, (a, _) =>
            {
                Services(session).SetSeed(a[0].AsDouble);
                return SqlValue.Void;
            }, IsVolatile: true)],
            "current_setting" =>
            [
                new(name, [T], T, (a, _) => SqlValue.FromText(Services(session).CurrentSetting(a[0].AsString)
                    ?? throw new SqlException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{a[0].AsString}\"")), IsVolatile: true),
                new(name, [T, B], T, (a, _) => a[0].IsNull ? SqlValue.Null
                    : Services(session).CurrentSetting(a[0].AsString) is { } value ? SqlValue.FromText(value)
                    : a[1].AsBool ? SqlValue.Null
                    : throw new SqlException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{a[0].AsString}\""), Strict: false, IsVolatile: true),
            ],
            "set_config" => [new(name, [T, T, B], T, (a, _) => a[0].IsNull
                ? throw new SqlException(SqlState.NullValueNotAllowed, "SET requires parameter name")
                : SqlValue.FromText(Services(session).SetConfig(a[0].AsString, a[1].IsNull ? "" : a[1].AsString, !a[2].IsNull && a[2].AsBool)),
                Strict: false, IsVolatile: true)],
            "pg_get_function_result" => [new(name, [O], T, (a, c) => PgTypes.ProcSignature((uint)a[0].AsInt64) is { } sig
                ? Text(CatalogText.FormatType(Catalog(c), sig.Result, -1)) : SqlValue.Null)],
            "pg_get_function_arguments" or "pg_get_function_identity_arguments" => [new(name, [O], T, (a, c) => PgTypes.ProcSignature((uint)a[0].AsInt64) is { } sig
                ? Text(CatalogText.FormatType(Catalog(c), sig.Argument, -1)) : SqlValue.Null)],
            // pg_rewrite holds no rules (a view's query is its catalog record, not a _RETURN rule): no OID names one
            "pg_get_ruledef" => [new(name, [O], T, (_, _) => SqlValue.Null), new(name, [O, B], T, (_, _) => SqlValue.Null)],
            "pg_cancel_backend" => [new(name, [I], B, (a, _) => SqlValue.FromBool(Services(session).CancelBackend(a[0].AsInt32)), IsVolatile: true)],
            "pg_terminate_backend" =>
            [
                new(name, [I], B, (a, _) => SqlValue.FromBool(Services(session).TerminateBackend(a[0].AsInt32)), IsVolatile: true),
                new(name, [I, SqlType.Int8], B, (a, _) => SqlValue.FromBool(Services(session).TerminateBackend(a[0].AsInt32)), IsVolatile: true),
            ],
            "pg_advisory_unlock_all" => [new(name, [], SqlType.Void, (_, _) =>
            {
                Services(session).AdvisoryUnlockAll();
                return SqlValue.Void;
            }, Strict: false, IsVolatile: true)],
            _ when name.StartsWith("pg_advisory_", StringComparison.Ordinal) || name.StartsWith("pg_try_advisory_", StringComparison.Ordinal) => Advisory(name, session),
            _ when SizeFunctions.IsSizeFunction(name) => SizeFunctions.Candidates(name, session),
            _ => [Session(name, argTypes, session)],
        };
        return FunctionResolver.Choose(name, argTypes, candidates, c => (c.Parameters, c.VariadicElement), (c, types) => c with { Parameters = types });
    }

    /// <summary>
    /// The advisory lock functions: (bigint) and (int, int) keys; the lock forms return void (or bool for pg_try_), the
    /// unlock forms bool. Waiting ones observe the statement's cancellation and the session's lock_timeout.
    /// </summary>
    private static ScalarFunction[] Advisory(string name, SessionContext session)
    {
        bool unlock = name.StartsWith("pg_advisory_unlock", StringComparison.Ordinal);
        bool tryOnly = name.StartsWith("pg_try_", StringComparison.Ordinal);
        bool shared = name.EndsWith("_shared", StringComparison.Ordinal);
        bool transaction = name.Contains("_xact_", StringComparison.Ordinal);
        SqlType result = unlock || tryOnly ? B : SqlType.Void;
        SqlValue Run(AdvisoryKey key, EvalContext c)
        {
            ISessionServices services = Services(session);
            if (unlock)
            {
                return SqlValue.FromBool(services.AdvisoryUnlock(key, shared));
            }

            bool granted = services.AdvisoryLock(key, shared, transaction, wait: !tryOnly, c.Runtime?.Cancellation ?? CancellationToken.None);
            return tryOnly ? SqlValue.FromBool(granted) : SqlValue.Void;
        }

        return
        [
            new(name, [SqlType.Int8], result, (a, c) => Run(AdvisoryKey.Of(a[0].AsInt64), c), IsVolatile: true),
            new(name, [I, I], result, (a, c) => Run(AdvisoryKey.Of(a[0].AsInt32, a[1].AsInt32), c), IsVolatile: true),
        ];
    }

    /// <summary>pg_has_role's answer once its privilege list (MEMBER, USAGE, SET, each optionally WITH ADMIN OPTION) is valid.</summary>
    private static SqlValue HasRole(SqlValue privileges)
    {
        foreach (string item in privileges.AsString.Split(','))
        {
            string privilege = item.Trim();
            int with = privilege.IndexOf(" WITH ", StringComparison.OrdinalIgnoreCase);
            if (with >= 0 && privilege[with..].Trim().Equals("WITH ADMIN OPTION", StringComparison.OrdinalIgnoreCase))
            {
                privilege = privilege[..with].TrimEnd();
            }

            if (!(privilege.Equals("MEMBER", StringComparison.OrdinalIgnoreCase) || privilege.Equals("USAGE", StringComparison.OrdinalIgnoreCase)
                || privilege.Equals("SET", StringComparison.OrdinalIgnoreCase)))
            {
                throw new SqlException(SqlState.InvalidParameterValue, $"unrecognized privilege type: \"{item.Trim()}\"");
            }
        }

        return SqlValue.FromBool(true);
    }

    /// <summary>current_schemas(bool), current_schema(), pg_backend_pid() through <see cref="SessionFunctions"/>, with schema existence from the snapshot.</summary>
    private static ScalarFunction Session(string name, IReadOnlyList<SqlType> argTypes, SessionContext session)
    {
        var functions = new SessionFunctions(session.Database, session.User, [.. session.SearchPath.Select(s => s.Trim('"'))], session.BackendPid);
        ScalarFunction inner = functions.Resolve(name, argTypes);
        return inner with
        {
            Body = (a, c) =>
            {
                if (c.Runtime?.Catalog is { } catalog)
                {
                    functions.SchemaExists = s => catalog.FindSchema(session.DatabaseOid, s) is not null;
                }

                return inner.Body(a, c);
            },
        };
    }

    private static ISessionServices Services(SessionContext session) =>
        session.Services ?? throw new SqlException(SqlState.FeatureNotSupported, "this function needs a session of a running server");

    private static SqlValue Text(string? s) => s is null ? SqlValue.Null : SqlValue.FromText(s);

    private const uint PgClassOid = 1259;

    private static SqlValue Description(CatalogSnapshot catalog, SqlValue oid, SqlValue catalogName, int subId) =>
        SystemCatalogViews.RelationOids.TryGetValue(catalogName.AsString, out uint classOid)
            ? Text(catalog.FindComment((uint)oid.AsInt64, classOid, subId)?.Text)
            : SqlValue.Null;

    private static CatalogSnapshot Catalog(EvalContext c) =>
        c.Runtime?.Catalog ?? throw new SqlException(SqlState.FeatureNotSupported, "catalog functions need a running statement");

    /// <summary>pg_get_expr(adbin or conbin, relid): the stored expression deparsed as PostgreSQL prints it, against the relation's columns.</summary>
    private static SqlValue Expression(CatalogSnapshot catalog, SessionContext session, string expr, uint relation, bool pretty) =>
        SqlValue.FromText(ExpressionDeparser.Deparse(catalog, catalog.Find<TableDef>(relation), expr, pretty, Visibility(catalog, session)));

    public static Func<uint, bool> Visibility(CatalogSnapshot catalog, SessionContext session) => oid => IsVisible(catalog, session, oid);

    /// <summary>Visible: in a schema of the search path (pg_catalog implicitly first), and the first relation of that name found there.</summary>
    private static bool IsVisible(CatalogSnapshot catalog, SessionContext session, uint oid)
    {
        if (catalog.Find(oid) is not { } rel || catalog.Find<SchemaDef>(rel.ParentOid) is not { } schema)
        {
            return false;
        }

        IEnumerable<string> path = session.SearchPath.Prepend("pg_catalog");
        foreach (string s in session.TemporarySchema is { } temporary ? path.Prepend(temporary) : path)
        {
            if (catalog.FindSchema(session.DatabaseOid, s.Trim('"')) is { } candidate && catalog.FindRelation(candidate.Oid, rel.Name) is { } found)
            {
                return found.Oid == oid && candidate.Oid == schema.Oid;
            }
        }

        return false;
    }
}
