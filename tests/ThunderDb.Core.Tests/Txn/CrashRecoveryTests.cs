using System.Collections.Concurrent;
using System.Globalization;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

/// <summary>
/// The in-process version of the SIGKILL test: concurrent writers, a crash at a random moment
/// (no checkpoint, the store's unsaved state thrown away), restart from the last checkpoint plus the
/// WAL, many cycles. Every acknowledged commit must be there, and no transaction may be half there.
/// </summary>
public class CrashRecoveryTests
{
    [Test]
    public async Task Random_crashes_lose_no_acknowledged_commit_and_expose_no_partial_transaction()
    {
        using var t = new TestDatabase(segmentSize: 16 << 10);
        var random = new Random(1234);
        var acknowledged = new ConcurrentDictionary<string, string>();
        for (var cycle = 0; cycle < 8; cycle++)
        {
            using var stop = new CancellationTokenSource();
            var db = t.Db;
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var value = $"{cycle}.{w}.{i}";
                    try
                    {
                        using var txn = db.Begin();
                        // Both halves of a transaction carry the same value: a partial transaction would show as a mismatch.
                        txn.Put(B($"w{w}-a"), B(value));
                        txn.Put(B($"w{w}-b"), B(value));
                        txn.Put(B($"log-{value}"), B("1"));
                        await txn.CommitAsync();
                        acknowledged[$"w{w}"] = value;
                        acknowledged[$"log-{value}"] = "1";
                        if (i % 40 == 39 && w == 0)
                        {
                            db.Checkpoint();
                        }
                    }
                    catch (Exception ex) when (ex is StorageReadOnlyException or ObjectDisposedException)
                    {
                        return; // the "process" died under us
                    }
                }
            })).ToArray();

            await Task.Delay(random.Next(20, 120));
            t.CrashAndRestart();
            await stop.CancelAsync();
            await Task.WhenAll(writers);

            using var check = t.Db.Begin();
            foreach (var (key, value) in acknowledged)
            {
                if (key.StartsWith("log-", StringComparison.Ordinal))
                {
                    await Assert.That(Get(check, key)).IsEqualTo("1");
                }
            }

            for (var w = 0; w < 8; w++)
            {
                var a = Get(check, $"w{w}-a");
                await Assert.That(Get(check, $"w{w}-b")).IsEqualTo(a);
                if (a is not null)
                {
                    // The recovered value is the last acknowledged one or a later one that was durable but not yet acknowledged.
                    await Assert.That(Get(check, $"log-{a}")).IsEqualTo("1");
                    if (acknowledged.TryGetValue($"w{w}", out var last))
                    {
                        await Assert.That(Order(a)).IsGreaterThanOrEqualTo(Order(last));
                    }
                }
            }
        }

        await Assert.That(acknowledged.Count).IsGreaterThan(50);
    }

    private static long Order(string value)
    {
        var parts = value.Split('.');
        return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1_000_000 + long.Parse(parts[2], CultureInfo.InvariantCulture);
    }
}
