namespace ThunderDb.Core.Sql.Syntax;

/// <summary>A possibly qualified object name: <c>t</c>, <c>s.t</c>, <c>db.s.t</c>.</summary>
public sealed record ObjectName(IReadOnlyList<string> Parts)
{
    public string Name => Parts[^1];

    public string? Schema => Parts.Count > 1 ? Parts[^2] : null;

    public static ObjectName Of(params string[] parts) => new(parts);
}

/// <summary>Something a query can be made of: a SELECT block, VALUES, a set operation, or a full <see cref="Query"/>.</summary>
public abstract record QueryExpr;

public sealed record SelectItem(SqlExpr Expr, string? Alias);

public enum DistinctKind : byte
{
    None,
    Distinct,
    /// <summary>DISTINCT ON (<see cref="SelectQuery.DistinctOn"/>).</summary>
    DistinctOn,
}

/// <summary>One SELECT block (no ORDER BY / LIMIT: those belong to the enclosing <see cref="Query"/>).</summary>
public sealed record SelectQuery(
    DistinctKind Distinct,
    IReadOnlyList<SqlExpr> DistinctOn,
    IReadOnlyList<SelectItem> Targets,
    IReadOnlyList<TableRef> From,
    SqlExpr? Where,
    IReadOnlyList<SqlExpr> GroupBy,
    SqlExpr? Having,
    IReadOnlyList<NamedWindow> Windows) : QueryExpr;

public sealed record NamedWindow(string Name, WindowSpec Spec);

/// <summary>VALUES (...), (...): each row holds expressions or <see cref="DefaultExpr"/>.</summary>
public sealed record ValuesQuery(IReadOnlyList<IReadOnlyList<SqlExpr>> Rows) : QueryExpr;

public enum SetOperator : byte
{
    Union,
    Intersect,
    Except,
}

public sealed record SetOperationQuery(SetOperator Operator, bool All, QueryExpr Left, QueryExpr Right) : QueryExpr;

public sealed record CommonTableExpr(string Name, IReadOnlyList<string>? Columns, Query Query, bool? Materialized = null);

public sealed record WithClause(bool Recursive, IReadOnlyList<CommonTableExpr> Ctes);

public enum LockStrength : byte
{
    Update,
    NoKeyUpdate,
    Share,
    KeyShare,
}

public enum LockWait : byte
{
    Wait,
    NoWait,
    SkipLocked,
}

public sealed record LockingClause(LockStrength Strength, IReadOnlyList<ObjectName> Of, LockWait Wait);

/// <summary>
/// A complete query: WITH, a body, and the ORDER BY / LIMIT / OFFSET / FETCH / FOR UPDATE that apply to
/// the whole body. A parenthesized query inside a set operation is itself a Query.
/// </summary>
public sealed record Query(
    WithClause? With,
    QueryExpr Body,
    IReadOnlyList<OrderItem> OrderBy,
    SqlExpr? Limit,
    SqlExpr? Offset,
    IReadOnlyList<LockingClause> Locking,
    bool WithTies = false) : QueryExpr
{
    public static Query Of(QueryExpr body) => new(null, body, [], null, null, []);
}

/// <summary>An item of FROM.</summary>
public abstract record TableRef;

/// <summary>A table alias with optional column aliases: <c>AS t(a, b)</c>.</summary>
public sealed record TableAlias(string Name, IReadOnlyList<string>? Columns = null);

/// <summary>A named table or view; <see cref="Only"/> for <c>ONLY t</c>.</summary>
public sealed record NamedTableRef(ObjectName Name, TableAlias? Alias, bool Only = false) : TableRef
{
    /// <summary>The 0-based offset of the name in the statement (an undefined relation's error points there).</summary>
    public int Position { get; internal set; }
}

/// <summary>A derived table <c>(SELECT ...) AS t</c>, <c>LATERAL (...)</c> or <c>(VALUES ...) AS t(a, b)</c>.</summary>
public sealed record SubqueryTableRef(Query Query, TableAlias? Alias, bool Lateral) : TableRef;

/// <summary>A set-returning function in FROM: <c>generate_series(1, 10) AS g(x)</c>.</summary>
public sealed record FunctionTableRef(FunctionCallExpr Function, TableAlias? Alias, bool Lateral, bool WithOrdinality) : TableRef;

public enum JoinKind : byte
{
    Inner,
    Left,
    Right,
    Full,
    Cross,
}

/// <summary>A join; exactly one of <see cref="On"/>, <see cref="Using"/> or <see cref="Natural"/> for non-cross joins.</summary>
public sealed record JoinTableRef(JoinKind Kind, TableRef Left, TableRef Right, SqlExpr? On, IReadOnlyList<string>? Using, bool Natural, TableAlias? Alias = null) : TableRef;
