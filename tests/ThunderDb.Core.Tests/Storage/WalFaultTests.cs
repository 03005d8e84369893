using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Storage;

/// <summary>
/// A WAL write or fdatasync failing under concurrent committers: the store goes read-only with a clear error, a
/// restart recovers every acknowledged commit, and no commit reported as failed comes back.
/// </summary>
public class WalFaultTests
{
    [Test]
    [Timeout(60_000)]
    [Arguments(false, FaultPlan.EIO)]
    [Arguments(false, FaultPlan.ENOSPC)]
    [Arguments(true, FaultPlan.EIO)]
    [Arguments(true, FaultPlan.ENOSPC)]
    public async Task A_failing_wal_loses_no_acknowledged_commit_and_revives_no_failed_one(bool failFlush, int errno, CancellationToken ct)
    {
        using var dir = new TempDataDir();
        var plan = new FaultPlan { Applies = path => path.EndsWith(WalSegmentSet.Extension, StringComparison.Ordinal), Errno = errno };
        var options = dir.Options() with { SyncCommit = true, FileDecorator = plan.Wrap };
        var acknowledged = new ConcurrentBag<string>();
        var failed = new ConcurrentBag<string>();
        var engine = StorageEngine.Open(options, NullLogger.Instance, backgroundWorkers: false);
        var committed = 0;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !ct.IsCancellationRequested; i++)
            {
                var key = $"w{w}-{i:D5}";
                try
                {
                    using var txn = engine.Begin();
                    txn.Put(B(key), B(key));
                    await txn.CommitAsync();
                    acknowledged.Add(key);
                    if (Interlocked.Increment(ref committed) == 200)
                    {
                        if (failFlush)
                        {
                            plan.FailNextFlushes(1);
                        }
                        else
                        {
                            plan.FailNextWrites(1);
                        }
                    }
                }
                catch (StorageReadOnlyException)
                {
                    failed.Add(key);
                    return;
                }
            }
        }, ct)).ToArray();
        await Task.WhenAll(writers);

        await Assert.That(engine.IsReadOnly).IsTrue();
        await Assert.That(engine.ReadOnlyReason).Contains("WAL");
        await Assert.That(failed.Count).IsEqualTo(4);
        await Assert.That(acknowledged.Count).IsGreaterThanOrEqualTo(200);
        engine.SimulateCrash();

        using var recovered = StorageEngine.Open(dir.Options() with { SyncCommit = true }, NullLogger.Instance, backgroundWorkers: false);
        using var check = recovered.Begin();
        var present = Scan(check, "", "").Select(kv => kv[..kv.IndexOf('=', StringComparison.Ordinal)]).ToHashSet();
        foreach (var key in acknowledged)
        {
            await Assert.That(present).Contains(key).Because($"acknowledged commit {key} lost");
        }

        foreach (var key in failed)
        {
            await Assert.That(present).DoesNotContain(key).Because($"commit {key} was reported as failed but came back");
        }

        await Assert.That(present.Count).IsEqualTo(acknowledged.Count);
    }
}
