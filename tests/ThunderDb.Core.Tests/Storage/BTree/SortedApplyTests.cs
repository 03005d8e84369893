using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.BTree;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Storage.BTree;

/// <summary>
/// Sorted writes go to the remembered leaf without a descent per key and fill leaves in order, also in a key range in
/// the middle of the tree; mixed with random writes and deletes the tree still matches a model; a large sorted commit
/// survives a crash (replay takes the same path), leaves nothing when a data-file write fails half-way through its
/// apply, and is invisible to an older snapshot.
/// </summary>
public class SortedApplyTests
{
    private static byte[] Key(string prefix, int i) => Encoding.ASCII.GetBytes($"{prefix}{i:D7}");

    private static byte[] Value(int i) => Encoding.ASCII.GetBytes($"value-{i}-" + new string((char)('a' + (i % 26)), 40));

    private static List<(byte[] Key, byte[] Value)> ReadAll(BTreeStore store)
    {
        var rows = new List<(byte[], byte[])>();
        using var cursor = store.OpenCursor();
        for (var ok = cursor.SeekFirst(); ok; ok = cursor.Next())
        {
            rows.Add((cursor.Key.ToArray(), cursor.Value.ToArray()));
        }

        return rows;
    }

    private static async Task AssertMatches(BTreeStore store, SortedDictionary<byte[], byte[]> model)
    {
        var rows = ReadAll(store);
        await Assert.That(rows.Count).IsEqualTo(model.Count);
        var i = 0;
        foreach (var (key, value) in model)
        {
            if (!rows[i].Key.AsSpan().SequenceEqual(key) || !rows[i].Value.AsSpan().SequenceEqual(value))
            {
                Assert.Fail($"row {i}: {Encoding.ASCII.GetString(rows[i].Key)} differs from the model's {Encoding.ASCII.GetString(key)}");
            }

            i++;
        }

        var buffer = new ArrayBufferWriter<byte>();
        foreach (var key in model.Keys.Where((_, n) => n % 101 == 0))
        {
            buffer.ResetWrittenCount();
            await Assert.That(store.TryGet(key, buffer)).IsTrue();
            await Assert.That(buffer.WrittenSpan.SequenceEqual(model[key])).IsTrue();
        }
    }

    [Test]
    public async Task A_sorted_load_in_the_middle_of_the_tree_descends_once_per_leaf_and_fills_its_leaves()
    {
        using var dir = new TempDataDir();
        using var store = BTreeStore.Open(dir.Options());
        var model = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        foreach (var prefix in new[] { "a", "z" })
        {
            for (var i = 0; i < 2000; i++)
            {
                store.Put(Key(prefix, i), Value(i));
                model[Key(prefix, i)] = Value(i);
            }
        }

        const int Loaded = 30_000;
        var pagesBefore = store.Pager.PageCount;
        var hintedBefore = store.HintedWrites;
        for (var i = 0; i < Loaded; i++)
        {
            store.Put(Key("m", i), Value(i));
            model[Key("m", i)] = Value(i);
        }

        // ~65-byte cells, ~60 per 4 KiB leaf: nearly every write finds its leaf without a descent.
        await Assert.That(store.HintedWrites - hintedBefore).IsGreaterThan(Loaded * 9L / 10);

        // Leaves filled to the end, not halved: 30,000 cells of 7 + 8 + 50 bytes (+ a 2-byte slot) in 4 KiB pages
        // take ~500 full leaves; halving at every split would take ~1,000.
        var cellBytes = (long)Loaded * (NodePage.LeafCellSize(8, Value(0).Length) + NodePage.SlotSize);
        var fullLeaves = cellBytes / (4096 - 64);
        await Assert.That((long)(store.Pager.PageCount - pagesBefore)).IsLessThan(fullLeaves * 12 / 10);
        await AssertMatches(store, model);
    }

    [Test]
    [Arguments(1)]
    [Arguments(2)]
    [Arguments(3)]
    public async Task Sorted_runs_mixed_with_random_writes_deletes_and_checkpoints_match_a_model(int seed)
    {
        using var dir = new TempDataDir();
        var options = dir.Options(poolBytes: 64 * 4096); // small: the remembered leaf's frame gets evicted and reused
        var store = BTreeStore.Open(options);
        var random = new Random(seed);
        var model = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        long hinted = 0;
        try
        {
            for (var round = 0; round < 30; round++)
            {
                var prefix = ((char)('b' + random.Next(20))).ToString();
                var start = random.Next(5000);
                var step = 1 + random.Next(3);
                for (var i = 0; i < 400; i++)
                {
                    var key = Key(prefix, start + (i * step));
                    var value = random.Next(10) == 0 ? new byte[random.Next(1000, 9000)] : Value(i + round);
                    store.Put(key, value);
                    model[key] = value;
                    if (random.Next(8) == 0)
                    {
                        // A random key elsewhere, or a delete of an existing one (may merge leaves).
                        var other = Key(((char)('b' + random.Next(20))).ToString(), random.Next(6000));
                        if (random.Next(2) == 0)
                        {
                            store.Put(other, Value(-i));
                            model[other] = Value(-i);
                        }
                        else
                        {
                            store.Delete(other);
                            model.Remove(other);
                        }
                    }
                }

                if (random.Next(3) == 0)
                {
                    // Delete a sorted stretch (merges), then check.
                    var victims = model.Keys.Skip(random.Next(Math.Max(1, model.Count - 300))).Take(250).ToList();
                    foreach (var key in victims)
                    {
                        await Assert.That(store.Delete(key)).IsTrue();
                        model.Remove(key);
                    }
                }

                if (round % 7 == 6)
                {
                    store.Checkpoint(0, 0); // a new epoch: the remembered leaf must be copied before its next write
                }

                if (round % 10 == 9)
                {
                    store.Checkpoint(0, 0); // the store alone has no WAL: reopening reads the last checkpoint
                    hinted += store.HintedWrites;
                    store.Dispose();
                    store = BTreeStore.Open(options);
                }

                await AssertMatches(store, model);
            }

            await Assert.That(hinted + store.HintedWrites).IsGreaterThan(30 * 400 / 2);
        }
        finally
        {
            store.Dispose();
        }
    }

    private static StorageOptions EngineOptions(TempDataDir dir, FaultPlan? plan) =>
        dir.Options(poolBytes: 48 * 4096) with { SyncCommit = true, FileDecorator = plan is null ? null : plan.Wrap };

    private static StorageEngine Open(StorageOptions options) => StorageEngine.Open(options, NullLogger.Instance, backgroundWorkers: false);

    private const int Rows = 20_000;

    private static async Task LoadSorted(StorageEngine engine, string tag)
    {
        using var txn = engine.Begin();
        for (var i = 0; i < Rows; i++)
        {
            txn.Put(Key("row", i), B($"{tag}:{i}"));
        }

        await txn.CommitAsync();
    }

    private static async Task AssertLoaded(StorageEngine engine, string? tag)
    {
        using var check = engine.Begin();
        var rows = Scan(check, "row", "rox");
        await Assert.That(rows.Count).IsEqualTo(tag is null ? 0 : Rows);
        for (var i = 0; i < rows.Count; i += 37)
        {
            await Assert.That(rows[i]).IsEqualTo($"row{i:D7}={tag}:{i}");
        }
    }

    [Test]
    public async Task A_large_sorted_commit_survives_a_crash_and_replay_rebuilds_the_same_tree()
    {
        using var dir = new TempDataDir();
        var engine = Open(EngineOptions(dir, null));
        using (var txn = engine.Begin())
        {
            txn.Put(B("first"), B("1"));
            txn.Put(B("zzz"), B("last"));
            await txn.CommitAsync();
        }

        engine.Checkpoint();
        await LoadSorted(engine, "v1");
        await AssertLoaded(engine, "v1");
        await Assert.That(engine.Tree.HintedWrites).IsGreaterThan(Rows / 2);
        engine.SimulateCrash();

        using var recovered = Open(EngineOptions(dir, null));
        await AssertLoaded(recovered, "v1");
        using var check = recovered.Begin();
        await Assert.That(Get(check, "first")).IsEqualTo("1");
        await Assert.That(Get(check, "zzz")).IsEqualTo("last");
    }

    [Test]
    public async Task A_data_file_write_failing_in_the_middle_of_a_sorted_apply_leaves_no_trace_after_recovery()
    {
        using var dir = new TempDataDir();
        var plan = new FaultPlan { Applies = path => path.EndsWith(Pager.DataFileName, StringComparison.Ordinal) };
        var engine = Open(EngineOptions(dir, plan));
        using (var txn = engine.Begin())
        {
            txn.Put(B("before"), B("1"));
            await txn.CommitAsync();
        }

        engine.Checkpoint();

        // The pool holds 48 pages and the load needs ~400: its apply evicts dirty pages, and the first write-back fails.
        plan.FailNextWrites(1);
        await Assert.That(async () => await LoadSorted(engine, "lost")).Throws<StorageReadOnlyException>();
        await Assert.That(plan.WritesFailed).IsEqualTo(1);
        await Assert.That(engine.IsReadOnly).IsTrue();
        engine.SimulateCrash();

        plan.Disarm();
        var recovered = Open(EngineOptions(dir, null));
        await AssertLoaded(recovered, null);
        using (var check = recovered.Begin())
        {
            await Assert.That(Get(check, "before")).IsEqualTo("1");
        }

        // The store is whole: the same load now commits and survives another crash.
        await LoadSorted(recovered, "v2");
        recovered.SimulateCrash();
        using var again = Open(EngineOptions(dir, null));
        await AssertLoaded(again, "v2");
    }

    [Test]
    public async Task A_snapshot_older_than_a_large_sorted_commit_sees_none_of_it()
    {
        using var dir = new TempDataDir();
        using var engine = Open(EngineOptions(dir, null));
        await LoadSorted(engine, "v1");
        using var old = engine.Begin();
        await Assert.That(Get(old, "row0000005")).IsEqualTo("v1:5");

        using (var txn = engine.Begin())
        {
            for (var i = 0; i < Rows; i++)
            {
                txn.Put(Key("row", i), B($"v2:{i}"));
                txn.Put(Key("rox", i), B("new")); // interleaved: most of these keys go to the dictionary
            }

            await txn.CommitAsync();
        }

        var seen = Scan(old, "row", "roy");
        await Assert.That(seen.Count).IsEqualTo(Rows);
        await Assert.That(seen.All(r => r.Contains("=v1:", StringComparison.Ordinal))).IsTrue();
        using var now = engine.Begin();
        await Assert.That(Scan(now, "rox", "roy").Count).IsEqualTo(Rows);
        await Assert.That(Get(now, "row0000005")).IsEqualTo("v2:5");
    }
}
