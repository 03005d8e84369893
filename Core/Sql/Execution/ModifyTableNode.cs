using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// A line of EXPLAIN for the parts of an INSERT, UPDATE or DELETE that the DML executor runs itself rather than as plan
/// nodes: <c>Update on t</c> over the scan that finds the rows, <c>Result</c> / <c>Values Scan on "*VALUES*"</c> for an
/// INSERT's VALUES. Only EXPLAIN builds these; they are never executed (their counters are recorded by EXPLAIN ANALYZE).
/// </summary>
public sealed class ModifyTableNode(string description, PlanNode? input) : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => [];

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context) =>
        throw new InvalidOperationException("an EXPLAIN line of a DML statement is not executable");

    public override string Describe() => description;

    public override IEnumerable<PlanNode> Children => input is null ? [] : [input];
}
