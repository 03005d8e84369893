using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>
/// Selectivity of constant predicates from a column's statistics, as eqsel / neqsel / scalarineqsel / nulltestsel
/// compute them, and PostgreSQL's defaults without statistics.
/// </summary>
public class SelectivityTests
{
    // 1000 rows of int a: 10% NULL, MCVs 7 (40%) and 8 (10%), the other 40% spread over 0..99 (histogram of 11 bounds)
    private static readonly TableDef Analyzed = new(16400, WellKnownOids.PublicSchema, "t", [new ColumnDef(1, "a", SqlType.Int4)], [],
        Statistics: new TableStatistics(1000, 0, 1, 0, 1,
            [new ColumnStatistics(1, SqlType.Int4, 0.1, 4, 100, [SqlValue.FromInt4(7), SqlValue.FromInt4(8)], [0.4, 0.1],
                [.. Enumerable.Range(0, 11).Select(i => SqlValue.FromInt4(i * 10))], 0.5)]));

    private static readonly TableDef Plain = Analyzed with { Statistics = null };

    private static readonly ColumnExpr A = new(0, SqlType.Int4);

    private static ConstantExpr Int(int v) => new(SqlValue.FromInt4(v), SqlType.Int4);

    private static double Of(TableDef t, params BoundExpr[] conjuncts) => Selectivity.Of(t, [], 0, conjuncts);

    private static ComparisonExpr Cmp(ComparisonOperator op, BoundExpr l, BoundExpr r) => new(op, l, r);

    [Test]
    public async Task Equality_reads_the_most_common_values_then_spreads_the_rest()
    {
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.Equal, A, Int(7)))).IsEqualTo(0.4);
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.Equal, Int(8), A))).IsEqualTo(0.1);
        // (1 - 0.5 - 0.1) / (100 - 2)
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.Equal, A, Int(50)))).IsEqualTo(0.4 / 98).Within(1e-12);
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.Equal, A, new ConstantExpr(SqlValue.Null, SqlType.Int4)))).IsEqualTo(0);
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.NotEqual, A, Int(7)))).IsEqualTo(0.5).Within(1e-12);
        // against a value only known when run: (1 - null fraction) / n_distinct
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.Equal, A, new ParameterExpr(0, SqlType.Int4)))).IsEqualTo(0.009).Within(1e-12);
    }

    [Test]
    public async Task Inequalities_add_matching_common_values_to_the_interpolated_histogram_fraction()
    {
        // a < 25: MCVs 7 and 8 (0.5) + 0.25 of the other 0.4
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.Less, A, Int(25)))).IsEqualTo(0.6).Within(1e-9);
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.Greater, A, Int(25)))).IsEqualTo(0.3).Within(1e-9);
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.Greater, A, Int(1000)))).IsEqualTo(0);
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.GreaterOrEqual, A, Int(-5)))).IsEqualTo(0.9).Within(1e-9);
        // BETWEEN 50 AND 70 is a range: hi + lo - 1 = (0.5 + 0.4*0.7) + (0.4*0.5) - 1
        await Assert.That(Of(Analyzed, Cmp(ComparisonOperator.GreaterOrEqual, A, Int(50)), Cmp(ComparisonOperator.LessOrEqual, A, Int(70))))
            .IsEqualTo(0.08).Within(1e-9);
    }

    [Test]
    public async Task In_lists_sum_their_items_and_null_tests_read_the_null_fraction()
    {
        await Assert.That(Of(Analyzed, new InListExpr(A, [Int(7), Int(8)], false))).IsEqualTo(0.5).Within(1e-12);
        await Assert.That(Of(Analyzed, new IsExpr(A, null, false))).IsEqualTo(0.1);
        await Assert.That(Of(Analyzed, new IsExpr(A, null, true))).IsEqualTo(0.9);
        await Assert.That(Of(Analyzed, new IsExpr(A, null, false), Cmp(ComparisonOperator.Equal, A, Int(7)))).IsEqualTo(0.04).Within(1e-12);
    }

    [Test]
    public async Task Without_statistics_postgres_defaults_apply()
    {
        await Assert.That(Of(Plain, Cmp(ComparisonOperator.Equal, A, Int(7)))).IsEqualTo(Selectivity.DefaultEquality);
        await Assert.That(Of(Plain, Cmp(ComparisonOperator.Less, A, Int(7)))).IsEqualTo(Selectivity.DefaultInequality);
        await Assert.That(Of(Plain, Cmp(ComparisonOperator.Less, A, Int(7)), Cmp(ComparisonOperator.Greater, A, Int(1)))).IsEqualTo(Selectivity.DefaultRange);
        await Assert.That(Of(Plain, new IsExpr(A, null, false))).IsEqualTo(Selectivity.DefaultNullTest);
        await Assert.That(Selectivity.TableRows(Plain)).IsEqualTo(1000);
    }

    [Test]
    public async Task Join_equality_is_one_over_the_larger_distinct_count()
    {
        TableDef other = Analyzed with { Oid = 16401, Statistics = Analyzed.Statistics! with { Columns = [Analyzed.Statistics.Columns![0] with { Distinct = -0.5, NullFraction = 0 }] } };
        // 100 distinct against 0.5 * 1000: 0.9 * 1 / 500
        await Assert.That(Selectivity.JoinEquality((Analyzed, 0), (other, 0), _ => [])).IsEqualTo(0.9 / 500).Within(1e-12);
        await Assert.That(Selectivity.JoinEquality(null, null, _ => [])).IsEqualTo(1.0 / 200);
    }
}
