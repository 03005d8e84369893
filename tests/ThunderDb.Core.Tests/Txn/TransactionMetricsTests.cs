using System.Globalization;
using System.Text;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

public class TransactionMetricsTests
{
    [Test]
    public async Task Every_transaction_reaches_the_counters_and_the_duration_histogram_bucket_of_its_own_duration()
    {
        using var t = new TestDatabase(syncCommit: false);
        var before = await Scrape();

        IKvTransaction? recycled = null;
        for (var i = 0; i < 100; i++)
        {
            recycled = t.Db.Begin(IsolationLevel.RepeatableRead, recycled);
            _ = Get(recycled, "x");
            recycled.Rollback(); // read-only: counts as committed
        }

        using (var writer = t.Db.Begin())
        {
            writer.Put(B("x"), B("1"));
            await writer.CommitAsync();
        }

        using (var aborted = t.Db.Begin())
        {
            aborted.Put(B("y"), B("1"));
            aborted.Rollback();
        }

        // Open on another thread, held at least 12 ms, ended on this one: lands above the 0.01 bucket (how far above
        // depends on how long a loaded machine takes to come back from the delay).
        var slow = await Task.Run(() => t.Db.Begin());
        await Task.Delay(12);
        slow.Dispose();

        var after = await Scrape();
        // Other tests run in parallel and count too: at least ours.
        await Assert.That(after["thunderdb_transactions_started_total"] - before["thunderdb_transactions_started_total"]).IsGreaterThanOrEqualTo(103);
        await Assert.That(after["thunderdb_transactions_committed_total"] - before["thunderdb_transactions_committed_total"]).IsGreaterThanOrEqualTo(102);
        await Assert.That(after["thunderdb_transactions_aborted_total"] - before["thunderdb_transactions_aborted_total"]).IsGreaterThanOrEqualTo(1);
        await Assert.That(after["thunderdb_transaction_duration_seconds_count"] - before["thunderdb_transaction_duration_seconds_count"]).IsGreaterThanOrEqualTo(103);
        var slowBucket = after["thunderdb_transaction_duration_seconds_bucket{le=\"+Inf\"}"] - after["thunderdb_transaction_duration_seconds_bucket{le=\"0.01\"}"]
            - (before["thunderdb_transaction_duration_seconds_bucket{le=\"+Inf\"}"] - before["thunderdb_transaction_duration_seconds_bucket{le=\"0.01\"}"]);
        await Assert.That(slowBucket).IsGreaterThanOrEqualTo(1);
        await Assert.That(after["thunderdb_transaction_duration_seconds_sum"] - before["thunderdb_transaction_duration_seconds_sum"]).IsGreaterThanOrEqualTo(0.012);
        await Assert.That(after["thunderdb_active_transactions"]).IsGreaterThanOrEqualTo(0);
    }

    [Test]
    public async Task Active_transactions_gauge_counts_open_transactions_after_a_refresh()
    {
        using var t = new TestDatabase(syncCommit: false);
        var open = Enumerable.Range(0, 40).Select(_ => t.Db.Begin()).ToList();
        ThunderMetrics.Refresh();
        await Assert.That(ThunderMetrics.ActiveTransactions.Value).IsGreaterThanOrEqualTo(40);
        foreach (var txn in open)
        {
            txn.Dispose();
        }
    }

    /// <summary>The exposition text as name{labels} → value (the before-collect callback publishes the transaction cells).</summary>
    private static async Task<Dictionary<string, double>> Scrape()
    {
        using var stream = new MemoryStream();
        await ThunderMetrics.Registry.CollectAndExportAsTextAsync(stream);
        var values = new Dictionary<string, double>();
        foreach (var line in Encoding.UTF8.GetString(stream.ToArray()).Split('\n'))
        {
            if (line.StartsWith("thunderdb_transaction", StringComparison.Ordinal) || line.StartsWith("thunderdb_active_transactions", StringComparison.Ordinal))
            {
                var space = line.LastIndexOf(' ');
                values[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return values;
    }
}
