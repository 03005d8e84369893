using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>
/// Who is running the statement and where: the names CURRENT_USER, current_database() and unqualified table names
/// resolve against. <see cref="Settings"/> (for pg_settings) and <see cref="BackendPid"/> (pg_backend_pid()) are the session's when it has them.
/// </summary>
public sealed record SessionContext(string User, string Database, uint DatabaseOid, IReadOnlyList<string> SearchPath,
    IReadOnlyDictionary<string, string>? Settings = null, int BackendPid = 0)
{
    /// <summary>The name of the role with OID 10 (the configured superuser), for the role catalogs.</summary>
    public string? SuperuserName { get; init; }

    /// <summary>Whether the session's role is a superuser (pg_authid is readable only then).</summary>
    public bool IsSuperuser { get; init; } = true;

    /// <summary>pg_notify, pg_cancel_backend, pg_terminate_backend and pg_stat_activity reach the server through this; null in embedded use.</summary>
    public Functions.ISessionServices? Services { get; init; }

    /// <summary>
    /// The name of the session's schema of temporary objects (pg_temp_N, made by its first CREATE TEMP): searched before
    /// the search path for relations, as PostgreSQL searches it; null for a context of no session.
    /// </summary>
    public string? TemporarySchema { get; init; }

    /// <summary>The schemas an unqualified relation name is looked up in, in order.</summary>
    public IEnumerable<string> RelationPath => TemporarySchema is null ? SearchPath : SearchPath.Prepend(TemporarySchema);

    /// <summary>Whether <paramref name="schema"/> names another session's temporary schema (whose objects this one may not touch).</summary>
    public bool IsOtherTemporarySchema(string schema) =>
        schema.StartsWith("pg_temp_", StringComparison.Ordinal) && schema != TemporarySchema;
}

/// <summary>
/// Turns parsed statements into executable plans against one catalog snapshot: resolves names, types every
/// expression with PostgreSQL's rules, infers parameter types from their context, and builds the plan tree
/// (scans, joins, filters, aggregation, sorting, limits). One binder per statement.
/// </summary>
internal sealed partial class Binder
{
    private readonly CatalogSnapshot _catalog;
    private readonly SessionContext _session;
    private readonly List<SqlType> _parameterTypes;
    private readonly Dictionary<string, (PlanNode Plan, IReadOnlyList<string> Names)> _ctes = new(StringComparer.Ordinal);
    private int _depth;

    public Binder(CatalogSnapshot catalog, SessionContext session, IReadOnlyList<SqlType>? parameterTypes = null)
    {
        _catalog = catalog;
        _session = session;
        _parameterTypes = [.. parameterTypes ?? []];
    }

    /// <summary>The parameter types after binding: declared ones, inferred ones, and text for those no context typed.</summary>
    public IReadOnlyList<SqlType> ParameterTypes => [.. _parameterTypes.Select(t => t.Kind == SqlTypeKind.Unknown ? SqlType.Text : t)];

    public CatalogSnapshot Catalog => _catalog;

    /// <summary>Access paths and joins; <c>enable_indexscan</c> and <c>enable_hashjoin</c> (PostgreSQL's settings) turn index use and hash joins off.</summary>
    internal JoinPlanner Planner => _planner ??= new JoinPlanner(_catalog, Enabled("enable_indexscan"), Enabled("enable_hashjoin"));

    private JoinPlanner? _planner;

    private bool Enabled(string setting) =>
        _session.Settings?.GetValueOrDefault(setting) is not { } value || value.ToLowerInvariant() is not ("off" or "false" or "0" or "no");

    public SessionContext Session => _session;

    /// <summary>The schema an unqualified name is created in, and the schemas it is looked up in.</summary>
    public SchemaDef CreationSchema(Ast.ObjectName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string schema = name.Schema is { } given ? SchemaName(given) : _session.SearchPath.FirstOrDefault(s => _catalog.FindSchema(_session.DatabaseOid, s) is not null) ?? "public";
        return _catalog.FindSchema(_session.DatabaseOid, schema)
            ?? throw new SqlException(SqlState.InvalidSchemaName, $"schema \"{schema}\" does not exist");
    }

    /// <summary>A table, view, index or sequence by (possibly qualified) name; null when there is none.</summary>
    public CatalogObject? FindRelation(Ast.ObjectName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Parts.Count > 2 && name.Parts[0] != _session.Database)
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"cross-database references are not implemented: {string.Join('.', name.Parts)}");
        }

        if (name.Schema is { } schemaName)
        {
            SchemaDef? schema = _catalog.FindSchema(_session.DatabaseOid, SchemaName(schemaName));
            return schema is null ? null : _catalog.FindRelation(schema.Oid, name.Name);
        }

        foreach (string s in _session.RelationPath)
        {
            if (_catalog.FindSchema(_session.DatabaseOid, s) is { } schema && _catalog.FindRelation(schema.Oid, name.Name) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>A schema name as written, with <c>pg_temp</c> standing for the session's own temporary schema.</summary>
    public string SchemaName(string schema)
    {
        if (schema == "pg_temp")
        {
            return _session.TemporarySchema ?? schema;
        }

        return _session.IsOtherTemporarySchema(schema)
            ? throw new SqlException(SqlState.FeatureNotSupported, "cannot access temporary tables of other sessions")
            : schema;
    }

    public TableDef RequireTable(Ast.ObjectName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return FindRelation(name) switch
        {
            TableDef t => t,
            null => throw new SqlException(SqlState.UndefinedTable, $"relation \"{string.Join('.', name.Parts)}\" does not exist"),
            var other => throw new SqlException(SqlState.WrongObjectType, $"\"{name.Name}\" is not a table ({other.Kind.ToString().ToLowerInvariant()})"),
        };
    }

    /// <summary>Binds an expression with no columns in scope (DEFAULT expressions, LIMIT values, VALUES rows).</summary>
    public BoundExpr BindStandalone(Ast.SqlExpr expr) => BindExpr(expr, Scope.Empty(null));

    public PlanNode BindSelect(Ast.Query query) => BindQuery(query, null);

    private PlanNode BindQuery(Ast.Query query, Scope? outer)
    {
        if (++_depth > 64)
        {
            throw new SqlException(SqlState.StackDepthLimitExceeded, "query nesting too deep");
        }

        try
        {
            Action? restoreCtes = query.With is { } with ? BindWith(with, outer) : null;

            if (query.Locking.Count > 0)
            {
                // FOR UPDATE / FOR SHARE: rows are read at the statement's snapshot; writers conflict at commit (40001).
            }

            PlanNode result = query.Body switch
            {
                Ast.SelectQuery select => BindSelectBlock(select, query, outer),
                _ => BindOrderedBody(query, outer),
            };

            restoreCtes?.Invoke();
            return result;
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>A VALUES list, set operation or parenthesised query with ORDER BY / LIMIT applied to its output columns.</summary>
    private PlanNode BindOrderedBody(Ast.Query query, Scope? outer)
    {
        PlanNode body = BindBody(query.Body, outer);
        if (query.OrderBy.Count > 0)
        {
            var keys = new List<SortKey>();
            foreach (Ast.OrderItem item in query.OrderBy)
            {
                int column = OutputOrdinal(item.Expr, body.Columns)
                    ?? throw new SqlException(SqlState.FeatureNotSupported, "ORDER BY on a UNION/INTERSECT/EXCEPT result must name an output column", position: Pos(item.Expr));
                keys.Add(new SortKey(column, item.Descending, item.NullsFirst ?? item.Descending));
            }

            body = new SortNode(body, keys);
        }

        return WithLimit(body, query);
    }

    private PlanNode BindBody(Ast.QueryExpr body, Scope? outer) => body switch
    {
        Ast.Query q => BindQuery(q, outer),
        Ast.SelectQuery s => BindSelectBlock(s, Ast.Query.Of(s), outer),
        Ast.ValuesQuery v => BindValues(v, outer, null),
        Ast.SetOperationQuery s => BindSetOperation(s, outer),
        _ => throw SqlException.NotSupported(body.GetType().Name),
    };

    public ValuesNode BindValues(Ast.ValuesQuery values, Scope? outer, IReadOnlyList<SqlType>? targetTypes)
    {
        ArgumentNullException.ThrowIfNull(values);
        int width = values.Rows[0].Count;
        var rows = new List<List<BoundExpr>>();
        foreach (IReadOnlyList<Ast.SqlExpr> row in values.Rows)
        {
            if (row.Count != width)
            {
                throw new SqlException(SqlState.SyntaxError, "VALUES lists must all be the same length", position: Pos(row[0]));
            }

            rows.Add([.. row.Select((e, i) => e is Ast.DefaultExpr && targetTypes is not null
                ? new DefaultMarker(targetTypes[i])
                : BindExpr(e, outer ?? Scope.Empty(null)))]);
        }

        var columns = new PlanColumn[width];
        for (int i = 0; i < width; i++)
        {
            SqlType type = targetTypes is not null && i < targetTypes.Count
                ? targetTypes[i]
                : TypeRules.Common(rows.Select(r => r[i].Type), "VALUES");
            for (int r = 0; r < rows.Count; r++)
            {
                if (rows[r][i] is not DefaultMarker)
                {
                    // an INSERT's untyped literal is read as its column's type now, so a bad one is reported where it is written
                    rows[r][i] = targetTypes is null ? TypeRules.Coerce(rows[r][i], type)
                        : rows[r][i] is ConstantExpr { Type.Kind: SqlTypeKind.Unknown, Value.IsNull: false } literal ? TypeRules.Coerce(literal, type, Pos(values.Rows[r][i]))
                        : Infer(rows[r][i], type);
                }
            }

            columns[i] = new PlanColumn($"column{i + 1}", type);
        }

        return new ValuesNode(columns, rows);
    }

    private SetOperationNode BindSetOperation(Ast.SetOperationQuery s, Scope? outer)
    {
        PlanNode left = BindBody(s.Left, outer);
        PlanNode right = BindBody(s.Right, outer);
        string op = s.Operator.ToString().ToUpperInvariant();
        if (left.Columns.Count != right.Columns.Count)
        {
            throw new SqlException(SqlState.SyntaxError, $"each {op} query must have the same number of columns");
        }

        var columns = new PlanColumn[left.Columns.Count];
        var leftCasts = new BoundExpr[columns.Length];
        var rightCasts = new BoundExpr[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            SqlType t = TypeRules.Common([left.Columns[i].Type, right.Columns[i].Type], op);
            columns[i] = new PlanColumn(left.Columns[i].Name, t);
            leftCasts[i] = TypeRules.Coerce(new ColumnExpr(i, left.Columns[i].Type), t);
            rightCasts[i] = TypeRules.Coerce(new ColumnExpr(i, right.Columns[i].Type), t);
        }

        var kind = s.Operator switch
        {
            Ast.SetOperator.Union => SetOperationKind.Union,
            Ast.SetOperator.Intersect => SetOperationKind.Intersect,
            _ => SetOperationKind.Except,
        };
        return new SetOperationNode(kind, s.All, new ProjectNode(left, leftCasts, columns), new ProjectNode(right, rightCasts, columns), columns);
    }

    /// <summary>An ORDER BY / GROUP BY item that names an output column: a position (1-based) or an output name.</summary>
    private static int? OutputOrdinal(Ast.SqlExpr e, IReadOnlyList<PlanColumn> output)
    {
        if (e is Ast.LiteralExpr { Kind: Ast.LiteralKind.Integer } lit)
        {
            int n = int.Parse(lit.Value, System.Globalization.CultureInfo.InvariantCulture);
            if (n < 1 || n > output.Count)
            {
                throw new SqlException(SqlState.InvalidColumnReference, $"ORDER BY position {n} is not in select list", position: Pos(e));
            }

            return n - 1;
        }

        if (e is Ast.ColumnRefExpr { Names.Count: 1 } c)
        {
            int found = -1;
            for (int i = 0; i < output.Count; i++)
            {
                if (output[i].Name == c.Name)
                {
                    if (found >= 0)
                    {
                        throw new SqlException(SqlState.AmbiguousColumn, $"ORDER BY \"{c.Name}\" is ambiguous", position: Pos(e));
                    }

                    found = i;
                }
            }

            return found >= 0 ? found : null;
        }

        return null;
    }

    private PlanNode WithLimit(PlanNode plan, Ast.Query query)
    {
        if (query.Limit is null && query.Offset is null)
        {
            return plan;
        }

        BoundExpr? limit = query.Limit is null ? null : TypeRules.Coerce(BindStandalone(query.Limit), SqlType.Int8);
        BoundExpr? offset = query.Offset is null ? null : TypeRules.Coerce(BindStandalone(query.Offset), SqlType.Int8);
        return new LimitNode(plan, limit, offset);
    }
}

/// <summary>DEFAULT in an INSERT's VALUES row: the executor substitutes the column default.</summary>
internal sealed class DefaultMarker(SqlType type) : BoundExpr(type)
{
    public override SqlValue Evaluate(EvalContext context) => throw new SqlException(SqlState.FeatureNotSupported, "DEFAULT is not allowed in this context");
}
