using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// What one statement produced: the command tag the protocols report (<c>SELECT 3</c>, <c>INSERT 0 1</c>,
/// <c>CREATE TABLE</c>), the result columns and rows when it returns rows, and notices (e.g. "table does not
/// exist, skipping"); a notice's lines after its first are its DETAIL.
/// </summary>
public sealed record StatementResult(string CommandTag, IReadOnlyList<PlanColumn>? Columns = null, IReadOnlyList<SqlValue[]>? Rows = null,
    IReadOnlyList<string>? Notices = null)
{
    public bool ReturnsRows => Columns is not null;
}

/// <summary>
/// Where a streamed SELECT's rows go as they are produced (a protocol encodes each straight into its output).
/// The span is only valid during the call: copy what must outlive it.
/// </summary>
public interface IRowSink
{
    /// <summary>A SELECT with these result columns is about to stream its rows (called once, before the first row).</summary>
    void Begin(IReadOnlyList<PlanColumn> columns);

    void Row(ReadOnlySpan<SqlValue> row);
}

/// <summary>
/// Where a batch of statements (the simple query protocol) reports as it runs: each SELECT's rows streamed through the
/// <see cref="IRowSink"/> members, and each statement's result the moment it ends, so nothing of a finished statement
/// waits for the rest of the batch and no SELECT's rows are held.
/// </summary>
public interface IStatementStream : IRowSink
{
    /// <summary>A statement ended; a SELECT that streamed carries its command tag and columns, not its rows.</summary>
    void Completed(StatementResult result);
}

/// <summary>Command tags with a row count, without formatting a string per statement for the common small counts.</summary>
internal static class CommandTags
{
    private const int Cached = 64;
    private static readonly string[] SelectTags = Make("SELECT ");
    private static readonly string[] UpdateTags = Make("UPDATE ");
    private static readonly string[] DeleteTags = Make("DELETE ");
    private static readonly string[] InsertTags = Make("INSERT 0 ");

    public static string Select(int rows) => Tag(SelectTags, "SELECT ", rows);

    public static string Update(int rows) => Tag(UpdateTags, "UPDATE ", rows);

    public static string Delete(int rows) => Tag(DeleteTags, "DELETE ", rows);

    public static string Insert(int rows) => Tag(InsertTags, "INSERT 0 ", rows);

    /// <summary>The row count a tag ends with (<c>INSERT 0 5</c> is 5).</summary>
    public static int RowCount(string tag) => int.Parse(tag.AsSpan(tag.LastIndexOf(' ') + 1), System.Globalization.CultureInfo.InvariantCulture);

    private static string Tag(string[] cached, string prefix, int rows) =>
        (uint)rows < Cached ? cached[rows] : prefix + rows.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string[] Make(string prefix) =>
        [.. Enumerable.Range(0, Cached).Select(n => prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
