namespace ThunderDb.Core.Sql.Syntax;

/// <summary>Any parsed statement.</summary>
public abstract record SqlStatement;

public sealed record SelectStatement(Query Query) : SqlStatement;

/// <summary>A statement and the slice of the query text it came from (0-based offset, length, no ';').</summary>
public sealed record ParsedStatement(SqlStatement Statement, int Start, int Length);

/// <summary>One SET target: <c>c = v</c>, or <c>(a, b) = (x, y)</c> / <c>(a, b) = (SELECT ...)</c> (several columns).</summary>
public sealed record Assignment(IReadOnlyList<string> Columns, SqlExpr Value, bool MultiColumn = false);

public enum ConflictAction : byte
{
    DoNothing,
    DoUpdate,
}

/// <summary>ON CONFLICT [(cols) [WHERE]] | [ON CONSTRAINT name] DO NOTHING | DO UPDATE SET ... [WHERE].</summary>
public sealed record OnConflictClause(
    IReadOnlyList<SqlExpr>? Target,
    SqlExpr? TargetWhere,
    string? Constraint,
    ConflictAction Action,
    IReadOnlyList<Assignment> Set,
    SqlExpr? Where);

/// <summary>
/// INSERT (and MySQL REPLACE). The rows come from <see cref="Source"/> (a VALUES or SELECT query) unless
/// <see cref="DefaultValues"/>. <see cref="OnDuplicateKeyUpdate"/> is MySQL's upsert.
/// </summary>
public sealed record InsertStatement(
    WithClause? With,
    ObjectName Table,
    string? Alias,
    IReadOnlyList<string>? Columns,
    Query? Source,
    bool DefaultValues,
    OnConflictClause? OnConflict,
    IReadOnlyList<SelectItem>? Returning,
    bool Replace = false,
    bool Ignore = false,
    IReadOnlyList<Assignment>? OnDuplicateKeyUpdate = null) : SqlStatement;

public sealed record UpdateStatement(
    WithClause? With,
    ObjectName Table,
    TableAlias? Alias,
    IReadOnlyList<Assignment> Set,
    IReadOnlyList<TableRef> From,
    SqlExpr? Where,
    IReadOnlyList<SelectItem>? Returning,
    bool Only = false) : SqlStatement;

public sealed record DeleteStatement(
    WithClause? With,
    ObjectName Table,
    TableAlias? Alias,
    IReadOnlyList<TableRef> Using,
    SqlExpr? Where,
    IReadOnlyList<SelectItem>? Returning,
    bool Only = false) : SqlStatement;

public enum TransactionKind : byte
{
    Begin,
    Commit,
    Rollback,
    Savepoint,
    Release,
    RollbackToSavepoint,
}

public enum IsolationLevel : byte
{
    ReadUncommitted,
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

/// <summary>Transaction modes; null means "not given".</summary>
public sealed record TransactionModes(IsolationLevel? Isolation, bool? ReadOnly, bool? Deferrable)
{
    public static readonly TransactionModes Default = new(null, null, null);
}

/// <summary>BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK / ABORT / SAVEPOINT / RELEASE / ROLLBACK TO.</summary>
public sealed record TransactionStatement(TransactionKind Kind, TransactionModes Modes, string? Savepoint = null, bool Chain = false) : SqlStatement;

/// <summary>SET TRANSACTION ... or SET SESSION CHARACTERISTICS AS TRANSACTION ...</summary>
public sealed record SetTransactionStatement(TransactionModes Modes, bool SessionDefault) : SqlStatement;

public enum SetScope : byte
{
    Session,
    Local,
    Global,
    /// <summary>A MySQL user variable (<c>@x</c>).</summary>
    User,
}

/// <summary>
/// SET name {TO|=} value[, ...] | DEFAULT. Names are lower-cased and may be dotted; values are literals
/// (a bare word such as <c>on</c> or <c>public</c> is a string literal). SET TIME ZONE sets "timezone";
/// SET NAMES sets "client_encoding" (PostgreSQL) or "names" (MySQL).
/// </summary>
public sealed record SetStatement(SetScope Scope, string Name, IReadOnlyList<SqlExpr> Values, bool ToDefault) : SqlStatement;

/// <summary>MySQL <c>SET a = 1, @b = 2, @@session.c = 3</c>: several assignments in one statement.</summary>
public sealed record SetVariablesStatement(IReadOnlyList<SetStatement> Assignments) : SqlStatement;

/// <summary>RESET name | RESET ALL (<see cref="Name"/> null).</summary>
public sealed record ResetStatement(string? Name) : SqlStatement;

/// <summary>PostgreSQL SHOW name | SHOW ALL ("all").</summary>
public sealed record ShowStatement(string Name) : SqlStatement;

/// <summary>
/// MySQL SHOW: <see cref="What"/> is the lower-cased words after SHOW ("tables", "databases",
/// "variables", "columns", "create table", "index", "warnings"...).
/// </summary>
public sealed record MySqlShowStatement(string What, bool Full, SetScope? Scope, ObjectName? Target, string? Database, SqlExpr? Like, SqlExpr? Where) : SqlStatement;

/// <summary>MySQL <c>USE db</c>.</summary>
public sealed record UseStatement(string Database) : SqlStatement;

public sealed record ExplainStatement(SqlStatement Statement, bool Analyze, bool Verbose, IReadOnlyList<GenericOption> Options) : SqlStatement;

/// <summary>
/// A <c>name [value]</c> option (EXPLAIN, COPY, VACUUM, WITH (...) storage parameters); the value is its text.
/// COPY's column-list options (<c>FORCE_QUOTE (a, b)</c>) carry the names in <see cref="Names"/>; <c>FORCE_QUOTE *</c> has value <c>*</c>.
/// </summary>
public sealed record GenericOption(string Name, string? Value, IReadOnlyList<string>? Names = null);

public sealed record PrepareStatement(string Name, IReadOnlyList<TypeName> ParameterTypes, SqlStatement Statement) : SqlStatement;

public sealed record ExecuteStatement(string Name, IReadOnlyList<SqlExpr> Args) : SqlStatement;

/// <summary>DEALLOCATE [PREPARE] name | ALL (<see cref="Name"/> null).</summary>
public sealed record DeallocateStatement(string? Name) : SqlStatement;

/// <summary>
/// COPY table [(cols)] FROM STDIN | TO STDOUT, or COPY (query) TO STDOUT, with options (new-style
/// <c>WITH (FORMAT csv, HEADER)</c> and old-style <c>CSV HEADER</c> both land in <see cref="Options"/>).
/// <see cref="File"/> is set for a server-side file name instead of STDIN/STDOUT.
/// </summary>
public sealed record CopyStatement(ObjectName? Table, IReadOnlyList<string>? Columns, Query? Query, bool IsFrom, string? File, IReadOnlyList<GenericOption> Options) : SqlStatement;

/// <summary>VACUUM; <see cref="Columns"/> has one list per table (empty: every column), for VACUUM ANALYZE t (a, b).</summary>
public sealed record VacuumStatement(IReadOnlyList<ObjectName> Tables, IReadOnlyList<GenericOption> Options, IReadOnlyList<IReadOnlyList<string>>? Columns = null) : SqlStatement;

/// <summary>ANALYZE; <see cref="Columns"/> has one list per table (empty: every column).</summary>
public sealed record AnalyzeStatement(IReadOnlyList<ObjectName> Tables, bool Verbose, IReadOnlyList<IReadOnlyList<string>>? Columns = null) : SqlStatement;

/// <summary>DISCARD ALL | PLANS | SEQUENCES | TEMP ("all", "plans", "sequences", "temp").</summary>
public sealed record DiscardStatement(string What) : SqlStatement;

/// <summary>CLOSE name | CLOSE ALL (<see cref="Portal"/> null): Npgsql's connection reset sends CLOSE ALL.</summary>
public sealed record CloseStatement(string? Portal) : SqlStatement;

/// <summary>LISTEN channel, UNLISTEN channel | * (<see cref="Channel"/> null), NOTIFY channel [, payload].</summary>
public sealed record ListenStatement(ListenKind Kind, string? Channel, string? Payload = null) : SqlStatement;

public enum ListenKind : byte
{
    Listen,
    Unlisten,
    Notify,
}
