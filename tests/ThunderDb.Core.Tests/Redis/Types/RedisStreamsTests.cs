using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

public class RedisStreamsTests
{
    private static StreamTrimArgs Explicit(ulong ms, ulong seq) => new() { Id = new StreamId(ms, seq), SeqGiven = true };

    private static StreamId Add(RedisTestKeyspace t, string key, ulong ms, ulong seq, StreamTrimArgs? args = null)
    {
        StreamTrimArgs a = args ?? Explicit(ms, seq);
        RedisError error = RedisStreams.Add(t.Keyspace, B(key), a, Args("f", $"{ms}-{seq}"), StreamNodeLimits.Default, out StreamId? id);
        return error == RedisError.None ? id!.Value : throw new InvalidOperationException(error.ToString());
    }

    private static List<string> Ids(RedisTestKeyspace t, string key, bool reverse = false)
    {
        var entries = new List<StreamEntry>();
        RedisStreams.Range(t.Keyspace, B(key), StreamId.Min, StreamId.Max, 0, reverse, entries);
        return entries.Select(e => e.Id.ToString()).ToList();
    }

    [Test]
    public async Task Ids_parse_as_redis_does()
    {
        await Assert.That(StreamId.TryParse(B("5"), ulong.MaxValue, false, out StreamId id) && id == new StreamId(5, ulong.MaxValue)).IsTrue();
        await Assert.That(StreamId.TryParse(B("+"), 0, false, out id) && id == StreamId.Max).IsTrue();
        await Assert.That(StreamId.TryParse(B("-"), 0, true, out _)).IsFalse();
        await Assert.That(StreamId.TryParse(B("+7-1"), 0, true, out id) && id == new StreamId(7, 1)).IsTrue(); // strtoull takes a sign
        await Assert.That(StreamId.TryParse(B("-1"), 0, true, out _)).IsFalse();
        await Assert.That(StreamId.TryParse(B("1-2-3"), 0, true, out _)).IsFalse();
        await Assert.That(StreamId.TryParse(B("18446744073709551616"), 0, true, out _)).IsFalse();
        await Assert.That(StreamId.TryParse(B("9-*"), 0, true, allowAutoSeq: true, out id, out bool seqGiven) && id.Ms == 9 && !seqGiven).IsTrue();
        await Assert.That(StreamId.TryParse(B("9-*"), 0, true, out _)).IsFalse();
        await Assert.That(StreamId.TryParseInterval(B("(3-4"), 0, out id, out bool exclusive) && exclusive && id == new StreamId(3, 4)).IsTrue();
        await Assert.That(StreamId.TryParseInterval(B("(-"), 0, out _, out _)).IsFalse();
    }

    [Test]
    public async Task Entries_range_in_unsigned_id_order_and_ids_only_grow()
    {
        using var t = new RedisTestKeyspace();
        Add(t, "s", 1, 5);
        Add(t, "s", 1UL << 63, 0); // above long.MaxValue: big-endian unsigned keys keep it last
        await Assert.That(RedisStreams.Add(t.Keyspace, B("s"), Explicit(2, 0), Args("a", "b"), StreamNodeLimits.Default, out _))
            .IsEqualTo(RedisError.StreamIdTooSmall);
        StreamId next = Add(t, "s", 0, 0, new StreamTrimArgs { Id = new StreamId(1UL << 63, 0), SeqGiven = false });
        await Assert.That(next).IsEqualTo(new StreamId(1UL << 63, 1));
        StreamId auto = Add(t, "s", 0, 0, new StreamTrimArgs());
        await Assert.That(auto).IsEqualTo(new StreamId(1UL << 63, 2)); // the clock is behind the last ID: the sequence grows
        await Assert.That(Ids(t, "s")).IsEquivalentTo(["1-5", "9223372036854775808-0", "9223372036854775808-1", "9223372036854775808-2"],
            TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await Assert.That(Ids(t, "s", reverse: true)[0]).IsEqualTo("9223372036854775808-2");
        await Assert.That(t.Keyspace.Lookup(B("s"), out KeyMeta meta)).IsEqualTo(RedisType.Stream);
        await Assert.That(meta.Count).IsEqualTo(4);
    }

    [Test]
    public async Task Approximate_maxlen_trims_whole_nodes_like_redis()
    {
        // Redis's own test: 1000 XADD MAXLEN ~ 555 with 100-entry nodes leave exactly 600 entries.
        using var t = new RedisTestKeyspace();
        var trim = new StreamTrimArgs { Enabled = true, Approx = true, MaxLen = 555, Limit = 10_000 };
        for (ulong i = 1; i <= 1000; i++)
        {
            Add(t, "s", i, 0, trim with { Id = new StreamId(i, 0), SeqGiven = true });
        }

        RedisStreams.Length(t.Keyspace, B("s"), out long length);
        await Assert.That(length).IsEqualTo(600);
        await Assert.That(RedisStreams.NodeCount(t.Keyspace, B("s"))).IsEqualTo(6);

        // Exact trimming cuts into a node; a LIMIT below one node's size trims nothing with ~.
        RedisStreams.Trim(t.Keyspace, B("s"), new StreamTrimArgs { Enabled = true, Approx = true, MaxLen = 10, Limit = 50 }, out long deleted);
        await Assert.That(deleted).IsEqualTo(0);
        RedisStreams.Trim(t.Keyspace, B("s"), new StreamTrimArgs { Enabled = true, MaxLen = 250 }, out deleted);
        await Assert.That(deleted).IsEqualTo(350);
        RedisStreams.Trim(t.Keyspace, B("s"), new StreamTrimArgs { Enabled = true, ByMinId = true, MinId = new StreamId(800, 0) }, out deleted);
        await Assert.That(deleted).IsEqualTo(49);
        await Assert.That(Ids(t, "s")[0]).IsEqualTo("800-0");
    }

    [Test]
    public async Task Nodes_fill_by_bytes_as_redis_listpacks_do()
    {
        // 1000 XADD MAXLEN ~ 300 with 61-64 byte values: redis-server 7.0 leaves 338 entries (4096-byte nodes).
        using var t = new RedisTestKeyspace();
        string v = new('v', 60);
        var trim = new StreamTrimArgs { Enabled = true, Approx = true, MaxLen = 300, Limit = 10_000 };
        for (ulong j = 1; j <= 1000; j++)
        {
            RedisStreams.Add(t.Keyspace, B("b"), trim with { Id = new StreamId(j, 1), SeqGiven = true }, Args("field", v + j),
                StreamNodeLimits.Default, out _);
        }

        RedisStreams.Length(t.Keyspace, B("b"), out long length);
        await Assert.That(length).IsEqualTo(338);
    }

    [Test]
    public async Task An_emptied_stream_stays_and_del_removes_every_record()
    {
        using var t = new RedisTestKeyspace();
        Add(t, "s", 1, 1);
        RedisStreams.CreateGroup(t.Keyspace, B("s"), B("g"), B("0"), false, -1);
        RedisStreams.ReadGroup(t.Keyspace, B("s"), B("g"), B("c"), null, 0, false, [], out _);
        RedisStreams.Delete(t.Keyspace, B("s"), [new StreamId(1, 1)], out long deleted);
        await Assert.That(deleted).IsEqualTo(1);
        await Assert.That(t.Keyspace.Lookup(B("s"), out _)).IsEqualTo(RedisType.Stream);
        RedisStreams.GetState(t.Keyspace, B("s"), out long length, out StreamState state, out _);
        await Assert.That(length).IsEqualTo(0);
        await Assert.That(state.MaxDeletedId).IsEqualTo(new StreamId(1, 1));
        await Assert.That(state.LastId).IsEqualTo(new StreamId(1, 1));

        await Assert.That(RedisKeys.Delete(t.Keyspace, Args("s"))).IsEqualTo(1);
        await Assert.That(RedisCollections.CountRecords(t.Keyspace, B("s"))).IsEqualTo(0);
    }

    [Test]
    public async Task Groups_deliver_once_track_pending_and_move_ownership_on_claim()
    {
        using var t = new RedisTestKeyspace();
        for (ulong i = 1; i <= 4; i++)
        {
            Add(t, "s", i, 0);
        }

        await Assert.That(RedisStreams.CreateGroup(t.Keyspace, B("s"), B("g"), B("0"), false, -1)).IsEqualTo(RedisError.None);
        await Assert.That(RedisStreams.CreateGroup(t.Keyspace, B("s"), B("g"), B("$"), false, -1)).IsEqualTo(RedisError.StreamBusyGroup);
        var got = new List<StreamEntry>();
        RedisStreams.ReadGroup(t.Keyspace, B("s"), B("g"), B("alice"), null, 3, false, got, out bool served);
        await Assert.That(served && got.Count == 3).IsTrue();
        got.Clear();
        RedisStreams.ReadGroup(t.Keyspace, B("s"), B("g"), B("bob"), null, 0, false, got, out _);
        await Assert.That(got.Select(e => e.Id.ToString())).IsEquivalentTo(["4-0"]);

        var claimed = new List<StreamEntry>();
        RedisStreams.Claim(t.Keyspace, B("s"), B("g"), B("bob"), [new StreamId(1, 0), new StreamId(9, 9)],
            new StreamClaimArgs { RetryCount = -1 }, claimed);
        await Assert.That(claimed.Count).IsEqualTo(1);
        var consumers = new List<(byte[] Consumer, long Pending)>();
        RedisStreams.PendingSummary(t.Keyspace, B("s"), B("g"), out long total, out StreamId first, out StreamId last, consumers);
        await Assert.That(total).IsEqualTo(4);
        await Assert.That(first.ToString() + " " + last).IsEqualTo("1-0 4-0");
        await Assert.That(consumers.Select(c => $"{S(c.Consumer)}={c.Pending}")).IsEquivalentTo(["alice=2", "bob=2"],
            TUnit.Assertions.Enums.CollectionOrdering.Matching);
        List<StreamPendingEntry> pel = RedisStreams.PendingEntries(t.Keyspace, B("s"), B("g"), default, false, 0);
        await Assert.That(pel[0].DeliveryCount).IsEqualTo(2); // delivered, then claimed

        RedisStreams.Ack(t.Keyspace, B("s"), B("g"), Args("1-0", "2-0", "2-0"), out long acked);
        await Assert.That(acked).IsEqualTo(2);
        RedisStreams.Delete(t.Keyspace, B("s"), [new StreamId(3, 0)], out _);
        var auto = new List<StreamEntry>();
        var gone = new List<StreamId>();
        RedisStreams.AutoClaim(t.Keyspace, B("s"), B("g"), B("carol"), 0, StreamId.Min, 10, false, auto, gone, out StreamId next);
        await Assert.That(auto.Select(e => e.Id.ToString())).IsEquivalentTo(["4-0"]);
        await Assert.That(gone.Select(e => e.ToString())).IsEquivalentTo(["3-0"]);
        await Assert.That(next).IsEqualTo(StreamId.Min);

        RedisStreams.GetState(t.Keyspace, B("s"), out long length, out StreamState state, out _);
        StreamGroup g = RedisStreams.Groups(t.Keyspace, B("s")).Single().Group;
        await Assert.That(g.Pending).IsEqualTo(1);
        await Assert.That(g.EntriesRead).IsEqualTo(4);
        await Assert.That(RedisStreams.Lag(length, state, g)).IsEqualTo(0);
        RedisStreams.DeleteConsumer(t.Keyspace, B("s"), B("carol"), B("carol"), out _);
        RedisStreams.DeleteConsumer(t.Keyspace, B("s"), B("g"), B("carol"), out long dropped);
        await Assert.That(dropped).IsEqualTo(1);
        RedisStreams.DestroyGroup(t.Keyspace, B("s"), B("g"), out bool destroyed);
        await Assert.That(destroyed).IsTrue();
        RedisStreams.GetState(t.Keyspace, B("s"), out _, out state, out _);
        await Assert.That(state.Groups).IsEqualTo(0);
    }
}
