using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// CREATE TABLE name [(columns)] AS query [WITH [NO] DATA]: a table with the query's column names and types (an
/// untyped literal's column is text, as in PostgreSQL), then the query's rows inserted in the same transaction. The
/// tag is PostgreSQL's: <c>SELECT n</c>, or <c>CREATE TABLE AS</c> without data.
/// </summary>
public sealed partial class SqlSession
{
    private async ValueTask<StatementResult> CreateTableAsAsync(Ast.CreateTableStatement create, IKvTransaction txn, Binder binder,
        ExecutionRuntime runtime, EvalContext eval, CatalogSnapshot catalog, CancellationToken cancellationToken)
    {
        if (create.IfNotExists && binder.FindRelation(create.Name) is not null)
        {
            return new StatementResult("CREATE TABLE AS", Notices: [$"relation \"{create.Name.Name}\" already exists, skipping"]);
        }

        PlanNode query = binder.BindSelect(create.AsQuery!);
        IReadOnlyList<string> names = create.AsColumns ?? [];
        if (names.Count > query.Columns.Count)
        {
            throw new SqlException(SqlState.SyntaxError, "too many column names were specified");
        }

        List<Ast.ColumnDef> columns = [.. query.Columns.Select((c, i) => new Ast.ColumnDef(i < names.Count ? names[i] : c.Name,
            Ast.SqlParser.ParseType((c.Type.Kind == SqlTypeKind.Unknown ? SqlType.Text : c.Type).ToString()), []))];
        _ddl ??= _engine.Catalog.Change(txn, catalog);
        new DdlExecutor(binder, _ddl, runtime).Execute(create with { Columns = columns, AsQuery = null, AsColumns = null });
        if (create.WithNoData)
        {
            return new StatementResult("CREATE TABLE AS");
        }

        // the rows go in through the table just made: bind the INSERT against the catalog that has it
        CatalogSnapshot withTable = _ddl.Snapshot;
        runtime.Reset(txn, withTable, cancellationToken);
        var dml = new DmlExecutor(new Binder(withTable, Context(withTable), null), runtime, eval);
        var insert = new Ast.InsertStatement(null, create.Name, null, [.. columns.Select(c => c.Name)], create.AsQuery, DefaultValues: false, OnConflict: null,
            Returning: null);
        StatementResult inserted = await dml.InsertAsync(dml.BindInsert(insert)).ConfigureAwait(false);
        return new StatementResult(CommandTags.Select(CommandTags.RowCount(inserted.CommandTag)));
    }
}
