using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

internal sealed partial class Binder
{
    /// <summary>
    /// <c>pg_partition_ancestors(rel) [WITH ORDINALITY]</c> in FROM (psql's \d trigger footer): without partitioning a
    /// relation's only ancestor is itself, so it is one row: <c>(relid)</c>, or <c>(relid, 1)</c> with ordinality.
    /// </summary>
    private (PlanNode, List<ScopeColumn>) BindPartitionAncestors(Ast.FunctionTableRef fn, Scope? outer)
    {
        if (fn.Function.Args.Count != 1)
        {
            throw new SqlException(SqlState.UndefinedFunction, $"function pg_partition_ancestors with {fn.Function.Args.Count} arguments does not exist");
        }

        BoundExpr relid = TypeRules.Coerce(BindExpr(fn.Function.Args[0], Scope.Empty(outer)), SqlType.Oid);
        string alias = fn.Alias?.Name ?? "pg_partition_ancestors";
        IReadOnlyList<string> names = fn.Alias?.Columns ?? [];
        var columns = new List<PlanColumn> { new(names.Count > 0 ? names[0] : "relid", SqlType.Oid) };
        var row = new List<BoundExpr> { relid };
        if (fn.WithOrdinality)
        {
            columns.Add(new PlanColumn(names.Count > 1 ? names[1] : "ordinality", SqlType.Int8));
            row.Add(new ConstantExpr(SqlValue.FromInt8(1), SqlType.Int8));
        }

        return (new ValuesNode(columns, [row]), [.. columns.Select(c => new ScopeColumn(alias, c.Name, c.Type))]);
    }
}
