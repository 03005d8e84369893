using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>Every node of an expression tree, pre-order, without entering subqueries (their aggregates are their own).</summary>
internal static class ExpressionWalker
{
    public static IEnumerable<Ast.SqlExpr> Walk(Ast.SqlExpr root)
    {
        var stack = new Stack<Ast.SqlExpr>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            Ast.SqlExpr e = stack.Pop();
            yield return e;
            foreach (Ast.SqlExpr child in Children(e))
            {
                stack.Push(child);
            }
        }
    }

    private static IEnumerable<Ast.SqlExpr> Children(Ast.SqlExpr e) => e switch
    {
        Ast.BinaryExpr b => [b.Left, b.Right],
        Ast.UnaryExpr u => [u.Operand],
        Ast.BoolExpr b => b.Args,
        Ast.NotExpr n => [n.Operand],
        Ast.IsExpr i => [i.Operand],
        Ast.IsDistinctFromExpr d => [d.Left, d.Right],
        Ast.BetweenExpr b => [b.Operand, b.Low, b.High],
        Ast.InListExpr i => [i.Operand, .. i.List],
        Ast.InSubqueryExpr i => [i.Operand],
        Ast.LikeExpr l => l.Escape is null ? [l.Operand, l.Pattern] : [l.Operand, l.Pattern, l.Escape],
        Ast.CastExpr c => [c.Operand],
        Ast.CaseExpr c => [.. (c.Operand is null ? [] : new[] { c.Operand }), .. c.Whens.SelectMany(w => new[] { w.When, w.Then }), .. (c.Else is null ? [] : new[] { c.Else })],
        // an aggregate's arguments are not searched: aggregates do not nest
        Ast.FunctionCallExpr f => Functions.FunctionCatalog.IsAggregate(f.FunctionName) && f.Over is null ? [] : f.Args,
        Ast.QuantifiedExpr q => q.Array is null ? [q.Left] : [q.Left, q.Array],
        Ast.ArrayExpr a => a.Elements,
        Ast.SubscriptExpr s => [s.Operand, .. (s.Lower is null ? [] : new[] { s.Lower }), .. (s.Upper is null ? [] : new[] { s.Upper })],
        Ast.RowExpr r => r.Fields,
        Ast.FieldSelectExpr f => [f.Operand],
        Ast.CollateExpr c => [c.Operand],
        Ast.AtTimeZoneExpr a => [a.Operand, a.Zone],
        Ast.ExtractExpr x => [x.Source],
        _ => [],
    };
}
