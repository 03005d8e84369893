using System.Text;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

/// <summary>The write set's ascending run and dictionary against a sorted model, with savepoints.</summary>
public class WriteSetTests
{
    [Test]
    public async Task Ascending_writes_go_to_the_run_and_a_smaller_key_to_the_dictionary()
    {
        var set = new WriteSet();
        for (var i = 0; i < 1000; i++)
        {
            set.Set(Key(i * 2), B("v"), 1, WriteSet.UnknownVersion);
        }

        await Assert.That(set.RunCount).IsEqualTo(1000);
        set.Set(Key(7), B("odd"), 1, WriteSet.UnknownVersion); // inside the run's range, not in it
        set.Set(Key(8), null, 1, WriteSet.UnknownVersion); // a rewrite of a run key stays in the run
        set.Set(Key(5000), B("past"), 1, WriteSet.UnknownVersion);
        await Assert.That(set.RunCount).IsEqualTo(1001);
        await Assert.That(set.Count).IsEqualTo(1002);
        await Assert.That(set.TryGet(Key(8), out var deleted) && deleted.IsDelete).IsTrue();
        await Assert.That(set.TryGet(Key(7), out var odd) && Encoding.UTF8.GetString(odd.Value.Span) == "odd").IsTrue();
        await Assert.That(set.TryGet(Key(9), out _)).IsFalse();
        var sorted = set.SortedKeys();
        await Assert.That(sorted.Length).IsEqualTo(1002);
        await Assert.That(sorted.Zip(sorted.Skip(1)).All(p => p.First.Span.SequenceCompareTo(p.Second.Span) < 0)).IsTrue();
    }

    [Test]
    public async Task Tables_loaded_in_descending_key_order_each_get_a_run_and_come_out_sorted()
    {
        // pgbench's COPY order: branches, tellers, accounts, whose table ids sort the other way round.
        var set = new WriteSet();
        var model = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (table, rows) in new[] { ("t3", 10), ("t2", 100), ("t1", 5000) })
        {
            for (var i = 0; i < rows; i++)
            {
                var key = $"{table}/{i:D6}";
                set.Set(Encoding.UTF8.GetBytes(key), B("v"), 1, WriteSet.UnknownVersion);
                model[key] = "v";
            }
        }

        await Assert.That(set.RunCount).IsEqualTo(5110);
        await Assert.That(set.Runs).IsEqualTo(3);

        // A key between two runs extends the lower one; one inside a run's range and a rewrite stay where they belong.
        set.Set(Encoding.UTF8.GetBytes("t1/999999x"), null, 1, WriteSet.UnknownVersion);
        model["t1/999999x"] = null;
        set.Set(Encoding.UTF8.GetBytes("t2/000005x"), B("in"), 1, WriteSet.UnknownVersion);
        model["t2/000005x"] = "in";
        set.Set(Encoding.UTF8.GetBytes("t3/000004"), null, 1, WriteSet.UnknownVersion);
        model["t3/000004"] = null;
        await Assert.That(set.RunCount).IsEqualTo(5111);
        await Assert.That(set.Count).IsEqualTo(5112);
        await AssertSame(set, model);
        var applied = new List<string>();
        foreach (var (key, _) in set.Entries)
        {
            applied.Add(Encoding.UTF8.GetString(key.Span));
        }

        await Assert.That(applied.Take(5111).SequenceEqual(model.Keys.Where(k => k != "t2/000005x"))).IsTrue();
    }

    [Test]
    public async Task Descending_keys_stop_making_runs_at_the_cap_and_go_to_the_dictionary()
    {
        var set = new WriteSet();
        var model = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 1000; i > 0; i--)
        {
            var key = $"k{i:D6}";
            set.Set(Encoding.UTF8.GetBytes(key), B("v"), 1, WriteSet.UnknownVersion);
            model[key] = "v";
        }

        await Assert.That(set.Runs).IsEqualTo(WriteSet.MaxRuns);
        await Assert.That(set.RunCount).IsEqualTo(WriteSet.MaxRuns);
        await AssertSame(set, model);
    }

    [Test]
    [Arguments(1)]
    [Arguments(2)]
    [Arguments(3)]
    [Arguments(4)]
    public async Task Random_writes_savepoints_and_rollbacks_match_a_sorted_model(int seed)
    {
        var random = new Random(seed);
        var set = new WriteSet();
        var model = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        var marks = new List<(int Id, SortedDictionary<string, string?> State)>();
        var next = 0;
        for (var step = 0; step < 4000; step++)
        {
            var op = random.Next(100);
            if (op < 2)
            {
                marks.Add((set.Savepoint(), new SortedDictionary<string, string?>(model, StringComparer.Ordinal)));
            }
            else if (op < 3 && marks.Count > 0)
            {
                var at = random.Next(marks.Count);
                set.RollbackTo(marks[at].Id);
                model = new SortedDictionary<string, string?>(marks[at].State, StringComparer.Ordinal);
                marks.RemoveRange(at + 1, marks.Count - at - 1);
            }
            else if (op < 4 && marks.Count > 0)
            {
                var at = random.Next(marks.Count);
                set.Release(marks[at].Id);
                marks.RemoveRange(at, marks.Count - at);
            }
            else
            {
                // Mostly ascending (a run) in one of three tables, sometimes an old or a random key (the dictionary,
                // a rewrite, or a new run before the others).
                var id = random.Next(10) < 7 ? next += random.Next(1, 3) : random.Next(next + 10);
                var key = $"t{random.Next(3)}k{id:D6}";
                var value = random.Next(5) == 0 ? null : $"v{step}" + new string('.', random.Next(8)); // shorter and longer rewrites (in place or a new slice)
                set.Set(Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value), 1, WriteSet.UnknownVersion);
                model[key] = value;
            }

            if (step % 97 == 0 || step == 3999)
            {
                await AssertSame(set, model);
            }
        }

        await Assert.That(set.RunCount).IsGreaterThan(0);
        set.Clear();
        await Assert.That(set.Count).IsEqualTo(0);
        await Assert.That(set.SortedKeys().Length).IsEqualTo(0);
    }

    [Test]
    public async Task DeleteRange_hides_stored_and_own_keys_in_the_range_only()
    {
        using var t = new TestDatabase();
        await t.Commit(("a", "1"), ("b1", "2"), ("b2", "3"), ("c", "4"));
        using (var txn = t.Db.Begin())
        {
            txn.Put(B("b3"), B("mine"));
            txn.Put(B("b0"), B("mine too"));
            txn.DeleteRange(B("b"), B("c"));
            await Assert.That(Scan(txn, "", "")).IsEquivalentTo(new[] { "a=1", "c=4" });
            txn.Put(B("b9"), B("after")); // a write after the range delete stands
            await Assert.That(Scan(txn, "", "")).IsEquivalentTo(new[] { "a=1", "b9=after", "c=4" });
            await txn.CommitAsync();
        }

        t.CrashAndRestart();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "a=1", "b9=after", "c=4" });
    }

    [Test]
    public async Task An_older_snapshot_still_sees_the_rows_a_range_delete_removed()
    {
        using var t = new TestDatabase();
        await t.Commit(("r1", "1"), ("r2", "2"));
        using var reader = t.Db.Begin();
        await Assert.That(Get(reader, "r1")).IsEqualTo("1");
        using (var txn = t.Db.Begin())
        {
            txn.DeleteRange(B("r"), B("s"));
            await txn.CommitAsync();
        }

        await Assert.That(Scan(reader, "", "")).IsEquivalentTo(new[] { "r1=1", "r2=2" });
        using var after = t.Db.Begin();
        await Assert.That(Scan(after, "", "")).IsEquivalentTo(Array.Empty<string>());
    }

    [Test]
    public async Task Owned_writes_keep_the_callers_arrays_and_commit_like_copies()
    {
        using var t = new TestDatabase();
        await t.Commit(("m", "old"), ("z", "last"));
        using (var txn = t.Db.Begin())
        {
            var key = B("n");
            txn.WriteOwned(key, B("owned"));
            txn.WriteOwned(B("m"), null); // before the run: a run of its own
            txn.WriteOwned(B("o"), B("next"));
            txn.WriteOwned(B("n5"), B("inside")); // inside the second run's range [n, o]: hashed
            txn.Delete(B("n5"));
            await Assert.That(((KvTransaction)txn).Writes.RunCount).IsEqualTo(3);
            await Assert.That(((KvTransaction)txn).Writes.Runs).IsEqualTo(2);
            await Assert.That(Scan(txn, "", "")).IsEquivalentTo(new[] { "n=owned", "o=next", "z=last" });
            await txn.CommitAsync();
        }

        t.CrashAndRestart();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "n=owned", "o=next", "z=last" });
    }

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"k{i:D6}");

    private static async Task AssertSame(WriteSet set, SortedDictionary<string, string?> model)
    {
        await Assert.That(set.Count).IsEqualTo(model.Count);
        var sorted = set.SortedKeys().Select(k => Encoding.UTF8.GetString(k.Span)).ToList();
        await Assert.That(sorted).IsEquivalentTo(model.Keys.ToList(), TUnit.Assertions.Enums.CollectionOrdering.Matching);
        var enumerated = new List<string>();
        foreach (var (key, entry) in set.Entries)
        {
            var name = Encoding.UTF8.GetString(key.Span);
            enumerated.Add(name);
            await Assert.That(entry.IsDelete ? null : Encoding.UTF8.GetString(entry.Value.Span)).IsEqualTo(model[name]);
        }

        await Assert.That(enumerated.Order(StringComparer.Ordinal).ToList()).IsEquivalentTo(sorted, TUnit.Assertions.Enums.CollectionOrdering.Matching);
        foreach (var (key, value) in model)
        {
            await Assert.That(set.TryGet(Encoding.UTF8.GetBytes(key), out var entry)).IsTrue();
            await Assert.That(entry.IsDelete ? null : Encoding.UTF8.GetString(entry.Value.Span)).IsEqualTo(value);
        }

        long encoded = model.Sum(p => WriteSet.SizeOf(p.Key.Length, p.Value is null ? null : Encoding.UTF8.GetBytes(p.Value)));
        await Assert.That(set.EncodedBytes).IsEqualTo(encoded);
    }
}
