using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Statistics;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Statistics;

/// <summary>
/// compute_scalar_stats over hand-made samples: the figures PostgreSQL 15 stores for the same values (checked against it:
/// a whole-table sample is deterministic), and the estimator's behaviour when the sample is a part of the table.
/// </summary>
public class ColumnStatisticsBuilderTests
{
    private static readonly ColumnDef IntColumn = new(1, "a", SqlType.Int4);
    private static readonly ColumnDef TextColumn = new(1, "s", SqlType.Text);

    private static List<SqlValue[]> Sample(IEnumerable<SqlValue> values) => [.. values.Select(v => new[] { v })];

    private static List<SqlValue[]> Ints(IEnumerable<int?> values) => Sample(values.Select(v => v is int i ? SqlValue.FromInt4(i) : SqlValue.Null));

    [Test]
    public async Task A_unique_column_has_n_distinct_minus_one_a_full_histogram_and_correlation_one()
    {
        ColumnStatistics s = ColumnStatisticsBuilder.Build(IntColumn, Ints(Enumerable.Range(1, 100).Select(i => (int?)i)), 100, 100);
        await Assert.That(s.Distinct).IsEqualTo(-1);
        await Assert.That(s.CommonValues.Count).IsEqualTo(0);
        await Assert.That(s.Histogram.Select(v => v.AsInt32)).IsEquivalentTo(Enumerable.Range(1, 100));
        await Assert.That(s.Correlation).IsEqualTo(1);
        await Assert.That(s.AverageWidth).IsEqualTo(4);
        await Assert.That(s.NullFraction).IsEqualTo(0);
    }

    [Test]
    public async Task A_column_of_repeated_values_keeps_them_all_as_most_common_values_most_frequent_first()
    {
        var values = Enumerable.Range(1, 100).Select(i => (int?)(i <= 50 ? 1 : i <= 80 ? 2 : 3));
        ColumnStatistics s = ColumnStatisticsBuilder.Build(IntColumn, Ints(values), 100, 100);
        await Assert.That(s.Distinct).IsEqualTo(3);
        await Assert.That(s.CommonValues.Select(v => v.AsInt32)).IsEquivalentTo(new[] { 1, 2, 3 });
        await Assert.That(s.CommonFrequencies).IsEquivalentTo(new[] { (double)0.5f, (double)0.3f, (double)0.2f });
        await Assert.That(s.Histogram.Count).IsEqualTo(0);
        await Assert.That(s.Correlation).IsEqualTo(1);
    }

    [Test]
    public async Task Nulls_and_text_widths_are_counted_as_postgres_counts_them()
    {
        // PostgreSQL 15: null_frac 0.1, avg_width 3, n_distinct 7, MCVs {v1,v0,v2,v4,v5,v3,v6}, freqs {0.14,0.13,...}
        var values = Enumerable.Range(1, 100).Select(i => i % 10 == 0 ? SqlValue.Null : SqlValue.FromText("v" + (i % 7)));
        ColumnStatistics s = ColumnStatisticsBuilder.Build(TextColumn, Sample(values), 100, 100);
        await Assert.That(s.NullFraction).IsEqualTo((double)0.1f);
        await Assert.That(s.AverageWidth).IsEqualTo(3);
        await Assert.That(s.Distinct).IsEqualTo(7);
        await Assert.That(s.CommonValues.Select(v => v.AsString)).IsEquivalentTo(new[] { "v1", "v0", "v2", "v4", "v5", "v3", "v6" });
        await Assert.That(s.CommonFrequencies[0]).IsEqualTo((double)0.14f);
        await Assert.That(s.Correlation).IsEqualTo((double)0.14610034f);
    }

    [Test]
    public async Task Descending_storage_order_has_correlation_minus_one()
    {
        ColumnStatistics s = ColumnStatisticsBuilder.Build(IntColumn, Ints(Enumerable.Range(1, 50).Select(i => (int?)(100 - i))), 50, 100);
        await Assert.That(s.Correlation).IsEqualTo(-1);
    }

    [Test]
    public async Task An_all_null_column_has_null_fraction_one_and_no_values()
    {
        ColumnStatistics s = ColumnStatisticsBuilder.Build(TextColumn, Ints(Enumerable.Repeat<int?>(null, 10)), 10, 100);
        await Assert.That(s.NullFraction).IsEqualTo(1);
        await Assert.That(s.AverageWidth).IsEqualTo(0);
        await Assert.That(s.Distinct).IsEqualTo(0);
        await Assert.That(s.Correlation).IsNull();
    }

    [Test]
    public async Task A_histogram_takes_target_plus_one_equally_spaced_bounds()
    {
        ColumnStatistics s = ColumnStatisticsBuilder.Build(IntColumn, Ints(Enumerable.Range(0, 1001).Select(i => (int?)i)), 1001, 10);
        await Assert.That(s.Histogram.Select(v => v.AsInt32)).IsEquivalentTo(Enumerable.Range(0, 11).Select(i => i * 100));
    }

    [Test]
    public async Task A_sample_of_a_larger_table_scales_n_distinct_by_haas_stokes()
    {
        // 3000 sampled rows of a 1,000,000-row table: 1000 values seen once, 1000 seen twice
        var values = Enumerable.Range(0, 1000).SelectMany(i => new int?[] { i, i }).Concat(Enumerable.Range(5000, 1000).Select(i => (int?)i));
        ColumnStatistics s = ColumnStatisticsBuilder.Build(IntColumn, Ints(values), 1_000_000, 100);
        // n*d / (n - f1 + f1*n/N) = 3000*2000 / (2000 + 3) = 2995.5 -> 2996 distinct, under a tenth of the rows: positive
        await Assert.That(s.Distinct).IsEqualTo(2996);

        // every sampled value distinct: the column is taken as unique
        ColumnStatistics unique = ColumnStatisticsBuilder.Build(IntColumn, Ints(Enumerable.Range(0, 3000).Select(i => (int?)i)), 1_000_000, 100);
        await Assert.That(unique.Distinct).IsEqualTo(-1);
    }

    [Test]
    public async Task In_a_partial_sample_only_values_significantly_more_common_than_the_rest_are_kept()
    {
        // one value a fifth of the sample, the others in pairs: only the frequent one stands out
        var values = Enumerable.Repeat<int?>(-1, 600).Concat(Enumerable.Range(0, 1200).SelectMany(i => new int?[] { i, i }));
        ColumnStatistics s = ColumnStatisticsBuilder.Build(IntColumn, Ints(values), 1_000_000, 100);
        await Assert.That(s.CommonValues.Select(v => v.AsInt32)).IsEquivalentTo(new[] { -1 });
        await Assert.That(s.Histogram.Count).IsEqualTo(101);
    }
}
