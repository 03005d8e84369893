using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>A row value built from its fields' expressions: <c>ROW(a, b)</c>, or a whole-row reference <c>t</c> (every column of t).</summary>
public sealed class RowValueExpr(SqlRecordType type, IReadOnlyList<BoundExpr> fields) : BoundExpr(SqlType.RecordOf(type))
{
    public override SqlValue Evaluate(EvalContext context)
    {
        var values = new SqlValue[fields.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = fields[i].Evaluate(context);
        }

        return SqlValue.FromRecord(new SqlRecord(type, values));
    }

    public override IReadOnlyList<BoundExpr> Operands => fields;
}
