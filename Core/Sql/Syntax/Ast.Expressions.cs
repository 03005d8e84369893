namespace ThunderDb.Core.Sql.Syntax;

// The expression tree the parser builds: plain immutable records, no types or name resolution (the
// binder does that). Operators stay as their SQL spelling, as PostgreSQL resolves operators by name.

/// <summary>
/// Any scalar expression. <see cref="Position"/> is the 0-based offset of its first token (set once by the
/// parser). Lists make record equality referential: compare trees by their <see cref="SqlPrinter"/> text.
/// </summary>
public abstract record SqlExpr
{
    public int Position { get; internal set; }
}

public enum LiteralKind : byte
{
    Null,
    Boolean,
    /// <summary>Digits only; the binder picks int4, int8 or numeric by magnitude, as PostgreSQL does.</summary>
    Integer,
    /// <summary>A number with a fraction or exponent (PostgreSQL types it numeric).</summary>
    Numeric,
    String,
    BitString,
    HexString,
}

/// <summary>A constant. <see cref="Value"/> is the decoded text (numbers as written, booleans "true"/"false").</summary>
public sealed record LiteralExpr(LiteralKind Kind, string Value) : SqlExpr;

/// <summary><c>DATE '2020-01-01'</c>, <c>INTERVAL '1 day'</c>, <c>int4 '1'</c>: a string read as a type.</summary>
public sealed record TypedLiteralExpr(TypeName Type, string Value, string? IntervalFields = null) : SqlExpr;

/// <summary><c>$n</c> (1-based); MySQL <c>?</c> markers are numbered in order of appearance.</summary>
public sealed record ParameterExpr(int Number) : SqlExpr;

/// <summary>A possibly qualified column reference: <c>c</c>, <c>t.c</c>, <c>s.t.c</c>.</summary>
public sealed record ColumnRefExpr(IReadOnlyList<string> Names) : SqlExpr
{
    public string Name => Names[^1];
}

/// <summary><c>*</c> or <c>t.*</c> in a select list.</summary>
public sealed record StarExpr(IReadOnlyList<string> Qualifier) : SqlExpr;

/// <summary>A binary operator by name (<c>+</c>, <c>=</c>, <c>||</c>, <c>-&gt;&gt;</c>, <c>~</c>...); <c>!=</c> is stored as <c>&lt;&gt;</c>.</summary>
public sealed record BinaryExpr(string Operator, SqlExpr Left, SqlExpr Right) : SqlExpr
{
    /// <summary>The 0-based offset of the operator (PostgreSQL points there when no operator matches the operand types).</summary>
    public int OperatorPosition { get; internal set; }
}

/// <summary>A prefix operator: <c>-</c>, <c>+</c>, <c>~</c>, <c>@</c>...</summary>
public sealed record UnaryExpr(string Operator, SqlExpr Operand) : SqlExpr;

public enum BoolOperator : byte
{
    And,
    Or,
}

/// <summary>AND / OR with their chains flattened (as PostgreSQL does), so long chains do not nest.</summary>
public sealed record BoolExpr(BoolOperator Operator, IReadOnlyList<SqlExpr> Args) : SqlExpr;

public sealed record NotExpr(SqlExpr Operand) : SqlExpr;

public enum IsTest : byte
{
    Null,
    True,
    False,
    Unknown,
}

/// <summary><c>x IS [NOT] NULL|TRUE|FALSE|UNKNOWN</c> (ISNULL / NOTNULL too).</summary>
public sealed record IsExpr(SqlExpr Operand, IsTest Test, bool Negated) : SqlExpr;

/// <summary><c>a IS [NOT] DISTINCT FROM b</c> (and MySQL <c>&lt;=&gt;</c>).</summary>
public sealed record IsDistinctFromExpr(SqlExpr Left, SqlExpr Right, bool Negated) : SqlExpr;

public sealed record BetweenExpr(SqlExpr Operand, SqlExpr Low, SqlExpr High, bool Negated, bool Symmetric) : SqlExpr;

public sealed record InListExpr(SqlExpr Operand, IReadOnlyList<SqlExpr> List, bool Negated) : SqlExpr;

public sealed record InSubqueryExpr(SqlExpr Operand, Query Subquery, bool Negated) : SqlExpr;

public enum LikeKind : byte
{
    Like,
    ILike,
    SimilarTo,
}

public sealed record LikeExpr(LikeKind Kind, SqlExpr Operand, SqlExpr Pattern, SqlExpr? Escape, bool Negated) : SqlExpr;

/// <summary><c>CAST(x AS t)</c> and <c>x::t</c>.</summary>
public sealed record CastExpr(SqlExpr Operand, TypeName Type) : SqlExpr
{
    /// <summary>The 0-based offset of <c>::</c> (0 for <c>CAST(x AS t)</c>, whose position is the keyword's): where PostgreSQL points when no cast exists.</summary>
    public int OperatorPosition { get; internal set; }
}

public sealed record CaseWhen(SqlExpr When, SqlExpr Then);

/// <summary>CASE; <see cref="Operand"/> is set for the simple form (<c>CASE x WHEN 1 THEN ...</c>).</summary>
public sealed record CaseExpr(SqlExpr? Operand, IReadOnlyList<CaseWhen> Whens, SqlExpr? Else) : SqlExpr;

/// <summary>
/// A function call, aggregate or window function. COALESCE, NULLIF, GREATEST and LEAST are calls by
/// those names; the special forms POSITION, SUBSTRING and TRIM become <c>position(string, substring)</c>,
/// <c>substring(s, from[, for])</c> and <c>btrim/ltrim/rtrim(s[, chars])</c> as PostgreSQL rewrites them.
/// </summary>
public sealed record FunctionCallExpr(
    IReadOnlyList<string> Name,
    IReadOnlyList<SqlExpr> Args,
    bool Distinct = false,
    bool Star = false,
    IReadOnlyList<OrderItem>? OrderBy = null,
    IReadOnlyList<OrderItem>? WithinGroup = null,
    SqlExpr? Filter = null,
    WindowSpec? Over = null) : SqlExpr
{
    public string FunctionName => Name[^1];

    /// <summary>The last argument was written <c>VARIADIC arr</c>: the array's elements are the variadic arguments.</summary>
    public bool VariadicLast { get; init; }
}

/// <summary><c>EXTRACT(field FROM source)</c>; the field is lower-cased (<c>year</c>, <c>epoch</c>...).</summary>
public sealed record ExtractExpr(string Field, SqlExpr Source) : SqlExpr;

public sealed record ExistsExpr(Query Subquery) : SqlExpr;

/// <summary>A scalar subquery <c>(SELECT ...)</c>.</summary>
public sealed record SubqueryExpr(Query Subquery) : SqlExpr;

public enum Quantifier : byte
{
    Any,
    All,
}

/// <summary><c>x op ANY|SOME|ALL (subquery)</c> or <c>x op ANY (array)</c>: exactly one of the two is set.</summary>
public sealed record QuantifiedExpr(string Operator, SqlExpr Left, Quantifier Quantifier, Query? Subquery, SqlExpr? Array) : SqlExpr;

/// <summary><c>ARRAY[...]</c> (inner bracket lists of a multi-dimensional literal are nested ArrayExprs).</summary>
public sealed record ArrayExpr(IReadOnlyList<SqlExpr> Elements) : SqlExpr;

/// <summary><c>ARRAY(SELECT ...)</c>.</summary>
public sealed record ArraySubqueryExpr(Query Subquery) : SqlExpr;

/// <summary><c>a[i]</c> or a slice <c>a[lo:hi]</c> (either bound may be absent in a slice).</summary>
public sealed record SubscriptExpr(SqlExpr Operand, SqlExpr? Lower, SqlExpr? Upper, bool IsSlice) : SqlExpr;

/// <summary><c>(a, b)</c> or <c>ROW(a, b)</c>.</summary>
public sealed record RowExpr(IReadOnlyList<SqlExpr> Fields, bool ExplicitRow) : SqlExpr;

/// <summary><c>(expr).field</c>.</summary>
public sealed record FieldSelectExpr(SqlExpr Operand, string Field) : SqlExpr;

public enum SqlValueFunction : byte
{
    CurrentDate,
    CurrentTime,
    CurrentTimestamp,
    LocalTime,
    LocalTimestamp,
    CurrentUser,
    CurrentRole,
    SessionUser,
    User,
    CurrentCatalog,
    CurrentSchema,
}

/// <summary>CURRENT_DATE, CURRENT_TIMESTAMP(p), CURRENT_USER...: the keyword-only functions.</summary>
public sealed record SqlValueFunctionExpr(SqlValueFunction Function, int? Precision = null) : SqlExpr;

/// <summary><c>DEFAULT</c> in an INSERT VALUES row or an UPDATE SET.</summary>
public sealed record DefaultExpr : SqlExpr;

public sealed record CollateExpr(SqlExpr Operand, IReadOnlyList<string> Collation) : SqlExpr;

public sealed record AtTimeZoneExpr(SqlExpr Operand, SqlExpr Zone) : SqlExpr;

/// <summary>MySQL <c>@name</c> (user variable) or <c>@@[scope.]name</c> (system variable).</summary>
public sealed record VariableExpr(string Name, bool System, SetScope Scope) : SqlExpr;

/// <summary>
/// A type as written, normalised the way PostgreSQL's grammar does: <c>integer</c> is <c>int4</c>,
/// <c>double precision</c> is <c>float8</c>, <c>varchar(20)</c> is <c>varchar</c> with modifier 20,
/// <c>timestamp with time zone</c> is <c>timestamptz</c>, <c>char</c> without a length is <c>bpchar(1)</c>.
/// Other names (<c>text</c>, <c>serial</c>, <c>jsonb</c>) stay as written, possibly schema-qualified.
/// </summary>
public sealed record TypeName(IReadOnlyList<string> Names, IReadOnlyList<SqlExpr> Modifiers, int ArrayDimensions = 0, bool Unsigned = false)
{
    public string Name => Names[^1];

    public static TypeName Simple(string name, params SqlExpr[] modifiers) => new([name], modifiers);
}

public sealed record OrderItem(SqlExpr Expr, bool Descending = false, bool? NullsFirst = null, string? UsingOperator = null);

public enum FrameUnit : byte
{
    Rows,
    Range,
    Groups,
}

public enum FrameBoundKind : byte
{
    UnboundedPreceding,
    Preceding,
    CurrentRow,
    Following,
    UnboundedFollowing,
}

public sealed record FrameBound(FrameBoundKind Kind, SqlExpr? Offset = null);

public sealed record WindowFrame(FrameUnit Unit, FrameBound Start, FrameBound? End, string? Exclude = null);

/// <summary>A window: <c>OVER (PARTITION BY .. ORDER BY .. frame)</c>, or <c>OVER name</c> (only <see cref="BaseName"/> set).</summary>
public sealed record WindowSpec(string? BaseName, IReadOnlyList<SqlExpr> PartitionBy, IReadOnlyList<OrderItem> OrderBy, WindowFrame? Frame);
