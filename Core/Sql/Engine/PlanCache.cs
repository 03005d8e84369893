using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// A statement prepared in one session (the extended protocol's Parse): parsed once, its parameter types fixed
/// when it was prepared (as PostgreSQL fixes them), and for a SELECT its bound plan, reused by every execution
/// while the catalog snapshot and the session's settings are the ones it was bound against (likewise an UPDATE's or
/// DELETE's and INSERT's bound form, <see cref="CachedDml"/>). Any DDL (in this
/// session or another) makes a new catalog snapshot and any SET a new settings version, so the next execution
/// binds again. Belongs to its session; not thread-safe.
/// </summary>
public sealed class PreparedStatement
{
    internal PreparedStatement(Ast.SqlStatement statement, IReadOnlyList<SqlType> declared, StatementDescription description)
    {
        Statement = statement;
        Declared = declared;
        Description = description;
    }

    public Ast.SqlStatement Statement { get; }

    /// <summary>The parameter types the client declared (Unknown = inferred), part of the cache key.</summary>
    internal IReadOnlyList<SqlType> Declared { get; }

    /// <summary>Parameter types and result columns, as described when prepared.</summary>
    public StatementDescription Description { get; }

    public IReadOnlyList<SqlType> ParameterTypes => Description.ParameterTypes;

    /// <summary>
    /// True when the current plan is a primary-key point read with no function calls or subqueries: bounded work
    /// that a protocol may run inline on its socket loop instead of handing it to the thread pool.
    /// </summary>
    public bool IsPointRead { get; private set; }

    /// <summary>
    /// True when the statement, as bound against the current catalog, is an INSERT of one row or an UPDATE/DELETE of at
    /// most one row by primary key with only cheap expressions (<see cref="PlanShape.IsBriefDml"/>): bounded like a point read.
    /// </summary>
    internal bool IsBriefDml { get; private set; }

    /// <summary>How many times the statement was bound (the first at Prepare): for tests of the cache.</summary>
    internal int BindCount { get; private set; }

    /// <summary>The cached plan as a point read without the iterator tree, when it is one.</summary>
    internal PointRead? PointRead { get; private set; }

    private PlanNode? _plan;
    private StatementResult? _noRows;
    private StatementResult? _oneRow;
    private CatalogSnapshot? _planCatalog;
    private long _planSettings;

    internal PlanNode? CachedPlan(CatalogSnapshot catalog, long settingsVersion) => IsCurrent(catalog, settingsVersion) ? _plan : null;

    private BoundDml? _dml;
    private CatalogSnapshot? _dmlCatalog;
    private long _dmlSettings;

    /// <summary>How many times the INSERT/UPDATE/DELETE was bound for execution: for tests of the cache.</summary>
    internal int DmlBindCount { get; private set; }

    /// <summary>The bound INSERT, UPDATE or DELETE while the catalog and settings are the ones it was bound against (null otherwise).</summary>
    internal BoundDml? CachedDml(CatalogSnapshot catalog, long settingsVersion) =>
        ReferenceEquals(catalog, _dmlCatalog) && settingsVersion == _dmlSettings ? _dml : null;

    internal void CacheDml(BoundDml dml, CatalogSnapshot catalog, long settingsVersion)
    {
        DmlBindCount++;
        _dml = dml;
        _dmlCatalog = catalog;
        _dmlSettings = settingsVersion;
    }

    /// <summary>True while the catalog and settings are the ones the statement was last bound (or described) against.</summary>
    internal bool IsCurrent(CatalogSnapshot catalog, long settingsVersion) => ReferenceEquals(catalog, _planCatalog) && settingsVersion == _planSettings;

    /// <summary>Keeps <paramref name="plan"/> (null for statements whose plans are not cached) as bound against the given catalog and settings.</summary>
    internal void Cache(PlanNode? plan, CatalogSnapshot catalog, long settingsVersion, bool briefDml = false)
    {
        IsBriefDml = briefDml;
        BindCount++;
        _plan = plan;
        _planCatalog = catalog;
        _planSettings = settingsVersion;
        IsPointRead = plan is not null && Statement is Ast.SelectStatement select && PlanShape.IsPointRead(plan, select.Query);
        PointRead = IsPointRead ? PointRead.TryCreate(plan!, ((Ast.SelectStatement)Statement).Query, catalog) : null;
        _noRows = _oneRow = null;
    }

    /// <summary>The result of a streamed SELECT of <paramref name="rows"/> rows (no rows inside); the common 0 and 1 are kept.</summary>
    internal StatementResult StreamedResult(int rows)
    {
        IReadOnlyList<PlanColumn>? columns = _plan?.Columns ?? Description.Columns;
        return rows switch
        {
            0 => _noRows ??= new StatementResult(CommandTags.Select(0), columns),
            1 => _oneRow ??= new StatementResult(CommandTags.Select(1), columns),
            _ => new StatementResult(CommandTags.Select(rows), columns),
        };
    }

    /// <summary>
    /// A plan bound again after a catalog or settings change must return what the client was told at Prepare
    /// (the column count and types of its RowDescription), as PostgreSQL insists.
    /// </summary>
    internal void CheckSameResult(PlanNode plan)
    {
        IReadOnlyList<PlanColumn>? described = Description.Columns;
        bool same = described is not null && described.Count == plan.Columns.Count;
        for (int i = 0; same && i < described!.Count; i++)
        {
            same = described[i].Type == plan.Columns[i].Type;
        }

        if (!same)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "cached plan must not change result type");
        }
    }
}

/// <summary>
/// The session's prepared statements by text and declared parameter types, so a driver that sends Parse for every
/// execution (unnamed statements) parses and binds once. Bounded: when full it starts over.
/// </summary>
internal sealed class PlanCache
{
    internal const int Capacity = 256;

    private readonly Dictionary<Key, PreparedStatement> _byText = [];

    public bool TryGet(string sql, IReadOnlyList<SqlType> declared, out PreparedStatement? prepared) =>
        _byText.TryGetValue(new Key(sql, declared), out prepared);

    public void Add(string sql, PreparedStatement prepared)
    {
        if (_byText.Count >= Capacity)
        {
            _byText.Clear();
        }

        _byText[new Key(sql, prepared.Declared)] = prepared;
    }

    public void Clear() => _byText.Clear();

    private readonly struct Key(string sql, IReadOnlyList<SqlType> declared) : IEquatable<Key>
    {
        private readonly string _sql = sql;
        private readonly IReadOnlyList<SqlType> _declared = declared;

        public bool Equals(Key other)
        {
            if (!string.Equals(_sql, other._sql, StringComparison.Ordinal) || _declared.Count != other._declared.Count)
            {
                return false;
            }

            for (int i = 0; i < _declared.Count; i++)
            {
                if (_declared[i] != other._declared[i])
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => obj is Key k && Equals(k);

        public override int GetHashCode() => HashCode.Combine(string.GetHashCode(_sql, StringComparison.Ordinal), _declared.Count);
    }
}

/// <summary>Which plans are a bounded amount of work (see <see cref="PreparedStatement.IsPointRead"/>).</summary>
internal static class PlanShape
{
    public static bool IsPointRead(PlanNode plan, Ast.Query query)
    {
        if (query.With is not null || query.Locking.Count > 0 || query.Body is not Ast.SelectQuery body || body.From.Count != 1
            || body.From[0] is not Ast.NamedTableRef || body.GroupBy.Count > 0 || body.Having is not null)
        {
            return false;
        }

        foreach (Ast.SelectItem item in body.Targets)
        {
            if (!IsPlain(item.Expr))
            {
                return false;
            }
        }

        if ((body.Where is { } where && !IsPlain(where)) || (query.Limit is { } limit && !IsPlain(limit)) || (query.Offset is { } offset && !IsPlain(offset)))
        {
            return false;
        }

        for (PlanNode node = plan; ;)
        {
            switch (node)
            {
                case TableScanNode scan:
                    return scan.KeyLookup is not null;
                case ProjectNode or FilterNode or LimitNode:
                    node = node.Children.Single();
                    break;
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// True for INSERT ... VALUES of one row, and UPDATE/DELETE whose WHERE the planner turns into a primary-key lookup:
    /// at most one row written, its locks and constraint checks point operations. Not when an expression (including a
    /// column default or CHECK the statement evaluates) calls a function other than now(), has a subquery, or when
    /// with RETURNING (its rows are not streamed), or when
    /// another table's foreign key references the updated or deleted table (its check or action may scan or fan out).
    /// <paramref name="binder"/> is used only to bind the WHERE clause.
    /// </summary>
    public static bool IsBriefDml(Ast.SqlStatement statement, Binder binder, CatalogSnapshot catalog)
    {
        try
        {
            switch (statement)
            {
                case Ast.InsertStatement insert:
                    if (insert.With is not null || insert.OnConflict is not null || insert.OnDuplicateKeyUpdate is not null || insert.Replace
                        || insert.Source is not { With: null, OrderBy.Count: 0, Limit: null, Offset: null, Body: Ast.ValuesQuery { Rows.Count: 1 } values }
                        || !values.Rows[0].All(IsCheap) || insert.Returning is not null)
                    {
                        return false;
                    }

                    return binder.RequireTable(insert.Table) is { } table && ConstraintsAreCheap(table, defaults: true);
                case Ast.UpdateStatement update:
                    return update.With is null && update.From.Count == 0 && update.Set.All(a => IsCheap(a.Value)) && update.Returning is null
                        && IsKeyLookup(update.Table, update.Alias, update.Where, binder, catalog, out TableDef? updated) && ConstraintsAreCheap(updated!, defaults: false);
                case Ast.DeleteStatement delete:
                    return delete.With is null && delete.Using.Count == 0 && delete.Returning is null
                        && IsKeyLookup(delete.Table, delete.Alias, delete.Where, binder, catalog, out _);
                default:
                    return false;
            }
        }
        catch (SqlException)
        {
            return false; // the execution reports it
        }
    }

    private static bool IsKeyLookup(Ast.ObjectName name, Ast.TableAlias? alias, Ast.SqlExpr? where, Binder binder, CatalogSnapshot catalog, out TableDef? table)
    {
        table = null;
        if (where is null || !IsCheap(where))
        {
            return false;
        }

        (PlanNode plan, List<ScopeColumn> columns) = binder.BindNamedTable(new Ast.NamedTableRef(name, alias));
        if (plan is not TableScanNode scan || scan.Table.PrimaryIndexOid == 0 || catalog.ReferencesTo(scan.Table.Oid).Count > 0)
        {
            return false;
        }

        table = scan.Table;
        BoundExpr condition = binder.BindCondition(where, new Scope(columns, null), "WHERE");
        return binder.Planner.ScanFor(scan, condition).KeyLookup is not null;
    }

    /// <summary>CHECK constraints (and with <paramref name="defaults"/> column defaults) of <paramref name="table"/> are cheap expressions.</summary>
    private static bool ConstraintsAreCheap(TableDef table, bool defaults)
    {
        foreach (ConstraintDef c in table.Constraints)
        {
            if (c.CheckSql is { } check && !IsCheap(Ast.SqlParser.ParseExpression(check)))
            {
                return false;
            }
        }

        return !defaults || table.Columns.All(c => c.DefaultSql is null || IsCheap(Ast.SqlParser.ParseExpression(c.DefaultSql)));
    }

    /// <summary>As <see cref="IsPlain"/>, but now() is allowed (CURRENT_TIMESTAMP and its kin are not calls).</summary>
    private static bool IsCheap(Ast.SqlExpr expr) => IsPlain(expr, allowNow: true);

    /// <summary>No function call or subquery: nothing whose cost the plan shape does not show.</summary>
    private static bool IsPlain(Ast.SqlExpr expr, bool allowNow = false)
    {
        foreach (Ast.SqlExpr e in ExpressionWalker.Walk(expr))
        {
            if (allowNow && e is Ast.FunctionCallExpr { Args.Count: 0, Over: null } call && call.Name.Count == 1
                && string.Equals(call.FunctionName, "now", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (e is Ast.FunctionCallExpr or Ast.SubqueryExpr or Ast.ExistsExpr or Ast.InSubqueryExpr or Ast.ArraySubqueryExpr
                or Ast.QuantifiedExpr { Subquery: not null })
            {
                return false;
            }
        }

        return true;
    }
}
