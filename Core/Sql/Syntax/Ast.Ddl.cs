namespace ThunderDb.Core.Sql.Syntax;

public enum ReferentialAction : byte
{
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

/// <summary>REFERENCES table [(cols)] [MATCH ...] [ON DELETE ...] [ON UPDATE ...].</summary>
public sealed record ForeignKeyTarget(ObjectName Table, IReadOnlyList<string>? Columns, ReferentialAction OnDelete, ReferentialAction OnUpdate, string? Match = null);

public enum ColumnConstraintKind : byte
{
    NotNull,
    Null,
    Default,
    PrimaryKey,
    Unique,
    Check,
    References,
    /// <summary>GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY.</summary>
    Identity,
    /// <summary>GENERATED ALWAYS AS (expr) STORED.</summary>
    Generated,
    /// <summary>MySQL AUTO_INCREMENT.</summary>
    AutoIncrement,
    Collate,
}

/// <summary>
/// One column constraint. <see cref="Expr"/> holds the DEFAULT, CHECK or generation expression;
/// <see cref="IdentityAlways"/> tells ALWAYS from BY DEFAULT; <see cref="Collation"/> is set for COLLATE.
/// </summary>
public sealed record ColumnConstraint(
    string? Name,
    ColumnConstraintKind Kind,
    SqlExpr? Expr = null,
    ForeignKeyTarget? References = null,
    bool IdentityAlways = false,
    SequenceOptions? IdentityOptions = null,
    string? Collation = null);

public sealed record ColumnDef(string Name, TypeName Type, IReadOnlyList<ColumnConstraint> Constraints);

public enum TableConstraintKind : byte
{
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
    /// <summary>MySQL KEY / INDEX inside CREATE TABLE: a secondary index.</summary>
    Index,
}

/// <summary>What CREATE TABLE ... (LIKE source INCLUDING ...) copies besides column names, types and NOT NULL.</summary>
[Flags]
public enum LikeOptions
{
    None = 0,
    Defaults = 1,
    Constraints = 2,
    Indexes = 4,
    Identity = 8,
    Generated = 16,
    /// <summary>COMMENTS, STATISTICS, STORAGE, COMPRESSION: accepted; nothing here to copy.</summary>
    Other = 32,
    All = Defaults | Constraints | Indexes | Identity | Generated | Other,
}

/// <summary>A LIKE element of CREATE TABLE, placed after the first <paramref name="ColumnsBefore"/> column definitions.</summary>
public sealed record TableLike(ObjectName Source, LikeOptions Options, int ColumnsBefore)
{
    /// <summary>Where the source's name starts (0-based), for an error about it.</summary>
    public int Position { get; init; }
}

public sealed record TableConstraint(string? Name, TableConstraintKind Kind, IReadOnlyList<string> Columns, SqlExpr? Check = null, ForeignKeyTarget? References = null);

/// <summary>
/// CREATE [TEMP] TABLE [IF NOT EXISTS] name (columns, constraints) [WITH (opts)] or CREATE TABLE name AS query.
/// MySQL table options (ENGINE=..., DEFAULT CHARSET=...) are collected in <see cref="Options"/>. CREATE TABLE name
/// [(column names)] AS query [WITH [NO] DATA] carries the names in <see cref="AsColumns"/>.
/// </summary>
public sealed record CreateTableStatement(
    ObjectName Name,
    bool IfNotExists,
    IReadOnlyList<ColumnDef> Columns,
    IReadOnlyList<TableConstraint> Constraints,
    IReadOnlyList<GenericOption> Options,
    bool Temporary = false,
    Query? AsQuery = null,
    IReadOnlyList<string>? AsColumns = null,
    bool WithNoData = false,
    IReadOnlyList<TableLike>? Likes = null) : SqlStatement
{
    /// <summary>Where the table's name starts (0-based), for an error about it.</summary>
    public int NamePosition { get; init; }

    /// <summary>A temporary table's ON COMMIT clause.</summary>
    public OnCommitAction OnCommit { get; init; }
}

/// <summary>What a temporary table does when its session commits (ON COMMIT PRESERVE ROWS | DELETE ROWS | DROP).</summary>
public enum OnCommitAction : byte
{
    PreserveRows,
    DeleteRows,
    Drop,
}

public enum ObjectKind : byte
{
    Table,
    Index,
    View,
    Schema,
    Database,
    Sequence,
    Type,
}

/// <summary>DROP kind [IF EXISTS] names [CASCADE | RESTRICT]; MySQL's DROP INDEX name ON table sets <see cref="OnTable"/>.</summary>
/// <param name="Force">DROP DATABASE ... WITH (FORCE): terminate the sessions connected to it first.</param>
public sealed record DropStatement(ObjectKind Kind, IReadOnlyList<ObjectName> Names, bool IfExists, bool Cascade, ObjectName? OnTable = null,
    bool Force = false) : SqlStatement;

/// <summary>One indexed column or expression; <see cref="OperatorClass"/> as in <c>(doc jsonb_path_ops)</c>.</summary>
public sealed record IndexElement(SqlExpr Expr, bool Descending = false, bool? NullsFirst = null, string? OperatorClass = null);

public sealed record CreateIndexStatement(
    string? Name,
    ObjectName Table,
    bool Unique,
    bool IfNotExists,
    string? Method,
    IReadOnlyList<IndexElement> Elements,
    IReadOnlyList<string> Include,
    SqlExpr? Where,
    bool Concurrently = false) : SqlStatement;

public abstract record AlterTableAction;

public sealed record AddColumnAction(ColumnDef Column, bool IfNotExists) : AlterTableAction;

public sealed record DropColumnAction(string Column, bool IfExists, bool Cascade) : AlterTableAction;

public sealed record RenameColumnAction(string Column, string NewName) : AlterTableAction;

public sealed record RenameTableAction(string NewName) : AlterTableAction;

public sealed record RenameConstraintAction(string Constraint, string NewName) : AlterTableAction;

public sealed record AddConstraintAction(TableConstraint Constraint) : AlterTableAction;

public sealed record DropConstraintAction(string Constraint, bool IfExists, bool Cascade) : AlterTableAction;

/// <summary>ALTER COLUMN c [SET DATA] TYPE t [USING expr].</summary>
public sealed record AlterColumnTypeAction(string Column, TypeName Type, SqlExpr? Using) : AlterTableAction;

/// <summary>ALTER COLUMN c SET DEFAULT expr | DROP DEFAULT (<see cref="Default"/> null).</summary>
public sealed record AlterColumnDefaultAction(string Column, SqlExpr? Default) : AlterTableAction;

/// <summary>ALTER COLUMN c SET NOT NULL | DROP NOT NULL.</summary>
public sealed record AlterColumnNotNullAction(string Column, bool NotNull) : AlterTableAction;

public sealed record AlterTableStatement(ObjectName Table, bool IfExists, IReadOnlyList<AlterTableAction> Actions) : SqlStatement;

/// <summary>TRUNCATE [TABLE] names [RESTART IDENTITY] [CASCADE].</summary>
public sealed record TruncateStatement(IReadOnlyList<ObjectName> Tables, bool RestartIdentity, bool Cascade) : SqlStatement;

public sealed record CreateViewStatement(ObjectName Name, IReadOnlyList<string>? Columns, Query Query, bool OrReplace, bool Temporary) : SqlStatement;

public sealed record CreateSchemaStatement(string Name, bool IfNotExists, string? Authorization) : SqlStatement;

public sealed record CreateDatabaseStatement(string Name, bool IfNotExists, IReadOnlyList<GenericOption> Options) : SqlStatement;

/// <summary>Sequence options; null = not given. <see cref="NoMinValue"/>/<see cref="NoMaxValue"/> for NO MINVALUE/MAXVALUE.</summary>
public sealed record SequenceOptions(
    TypeName? As = null,
    SqlExpr? Increment = null,
    SqlExpr? MinValue = null,
    SqlExpr? MaxValue = null,
    SqlExpr? Start = null,
    SqlExpr? Cache = null,
    bool? Cycle = null,
    bool NoMinValue = false,
    bool NoMaxValue = false,
    ObjectName? OwnedBy = null);

public sealed record CreateSequenceStatement(ObjectName Name, bool IfNotExists, SequenceOptions Options, bool Temporary = false) : SqlStatement;

/// <summary>
/// COMMENT ON kind name IS 'text' | NULL; <see cref="Kind"/> is "table", "view", "index", "sequence", "schema",
/// "database", "role" or "column" (the column's name the last part of <see cref="Name"/>). A NULL text removes the comment.
/// </summary>
public sealed record CommentStatement(string Kind, ObjectName Name, string? Text) : SqlStatement;

/// <summary>CREATE TYPE name AS ENUM ('label', ...).</summary>
public sealed record CreateEnumTypeStatement(ObjectName Name, IReadOnlyList<string> Labels) : SqlStatement;

public abstract record AlterTypeAction;

/// <summary>ADD VALUE [IF NOT EXISTS] 'label' [BEFORE | AFTER 'neighbor'].</summary>
public sealed record AddEnumValueAction(string Label, bool IfNotExists, string? Neighbor, bool Before) : AlterTypeAction;

public sealed record RenameEnumValueAction(string Label, string NewLabel) : AlterTypeAction;

public sealed record RenameTypeAction(string NewName) : AlterTypeAction;

/// <summary>ALTER TYPE name action.</summary>
public sealed record AlterTypeStatement(ObjectName Name, AlterTypeAction Action) : SqlStatement;
