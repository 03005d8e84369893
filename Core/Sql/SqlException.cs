namespace ThunderDb.Core.Sql;

/// <summary>
/// A statement failed for a reason the client should see: a SQLSTATE, a message in PostgreSQL's style, and
/// optionally detail, hint and the 1-based character position in the statement text. Protocol neutral:
/// the PostgreSQL front end sends these fields as they are, the MySQL one maps the SQLSTATE to an errno.
/// </summary>
public class SqlException : Exception
{
    public SqlException(string sqlState, string message, string? detail = null, string? hint = null, int position = 0, Exception? inner = null)
        : base(message, inner)
    {
        SqlState = sqlState;
        Detail = detail;
        Hint = hint;
        Position = position;
    }

    public SqlException()
        : this(Sql.SqlState.InternalError, "internal error")
    {
    }

    public SqlException(string message)
        : this(Sql.SqlState.InternalError, message)
    {
    }

    public SqlException(string message, Exception innerException)
        : this(Sql.SqlState.InternalError, message, inner: innerException)
    {
    }

    public string SqlState { get; }

    public string? Detail { get; }

    public string? Hint { get; }

    /// <summary>1-based character offset into the statement text; 0 when not tied to a place.</summary>
    public int Position { get; }

    /// <summary>PostgreSQL's CONTEXT (the "where" field): e.g. <c>COPY t, line 3, column x: "abc"</c>.</summary>
    public string? Where { get; init; }

    /// <summary>This error with <paramref name="where"/> added to its context, outermost last as PostgreSQL stacks them.</summary>
    public SqlException WithWhere(string where) =>
        new(SqlState, Message, Detail, Hint, Position, this) { Where = Where is null ? where : Where + "\n" + where };

    /// <summary>This error tied to <paramref name="position"/> in the statement text (context kept).</summary>
    public SqlException AtPosition(int position) =>
        new(SqlState, Message, Detail, Hint, position, this) { Where = Where };

    public static SqlException NotSupported(string what) =>
        new(Sql.SqlState.FeatureNotSupported, $"{what} is not supported");
}
