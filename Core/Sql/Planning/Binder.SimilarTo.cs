using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

internal sealed partial class Binder
{
    /// <summary><c>s [NOT] SIMILAR TO p [ESCAPE e]</c> is <c>s ~ similar_to_escape(p[, e])</c> (or <c>!~</c>), as PostgreSQL rewrites it.</summary>
    private BoundExpr BindSimilarTo(Ast.LikeExpr l, Scope scope)
    {
        int position = Pos(l);
        BoundExpr s = TypeRules.Coerce(TextOperand(BindExpr(l.Operand, scope)), SqlType.Text, position);
        List<BoundExpr> escapeArgs = [TypeRules.Coerce(TextOperand(BindExpr(l.Pattern, scope)), SqlType.Text, position)];
        if (l.Escape is not null)
        {
            escapeArgs.Add(TypeRules.Coerce(TextOperand(BindExpr(l.Escape, scope)), SqlType.Text, position));
        }

        BoundExpr regex = CallScalar("similar_to_escape", escapeArgs, position);
        if (regex is FunctionExpr && escapeArgs.All(a => a is ConstantExpr))
        {
            regex = new ConstantExpr(regex.Evaluate(new EvalContext([])), SqlType.Text); // a constant pattern is translated once
        }

        string function = l.Negated ? "textregexne" : "textregexeq";
        ScalarBody body = FunctionCatalog.ResolveScalar(function, [SqlType.Text, SqlType.Text]).Body;
        return new FunctionExpr(function, body.Invoke, [s, regex], SqlType.Bool, strict: true, volatileResult: false);
    }
}
