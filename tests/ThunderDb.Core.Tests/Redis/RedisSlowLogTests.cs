using System.Diagnostics;
using System.Text;
using ThunderDb.Core.Redis;

namespace ThunderDb.Core.Tests.Redis;

/// <summary>SLOWLOG's entries: Redis's argument limits, the threshold (0 = all, -1 = none), the length limit, newest first.</summary>
public class RedisSlowLogTests
{
    private static byte[][] Args(params string[] args) => RedisSlowLog.Shorten(args.Length, i => Encoding.UTF8.GetBytes(args[i]));

    [Test]
    public async Task Arguments_are_kept_as_redis_keeps_them()
    {
        byte[][] few = Args("SET", "k", new string('v', 130));
        await Assert.That(few.Length).IsEqualTo(3);
        await Assert.That(Encoding.UTF8.GetString(few[2])).IsEqualTo(new string('v', 128) + "... (2 more bytes)");

        string[] many = [.. Enumerable.Range(0, 40).Select(i => $"a{i}")];
        byte[][] kept = Args(many);
        await Assert.That(kept.Length).IsEqualTo(32);
        await Assert.That(Encoding.UTF8.GetString(kept[30])).IsEqualTo("a30");
        await Assert.That(Encoding.UTF8.GetString(kept[31])).IsEqualTo("... (9 more arguments)");
        await Assert.That(Args([.. Enumerable.Range(0, 32).Select(i => $"a{i}")])[31]).IsEquivalentTo("a31"u8.ToArray());
    }

    [Test]
    public async Task Threshold_and_length_decide_what_is_kept()
    {
        var log = new RedisSlowLog();
        long tenMs = Stopwatch.Frequency / 100;
        await Assert.That(log.IsSlow(tenMs - 1)).IsFalse(); // 10 ms by default
        await Assert.That(log.IsSlow(tenMs)).IsTrue();

        log.Configure(0, 3);
        await Assert.That(log.IsSlow(0)).IsTrue();
        for (int i = 0; i < 5; i++)
        {
            log.Add(tenMs, Args("INCR", $"k{i}"), "127.0.0.1:5000", i == 4 ? "worker" : null);
        }

        RedisSlowLog.Entry[] entries = log.Newest(-1);
        await Assert.That(entries.Select(e => e.Id)).IsEquivalentTo(new long[] { 4, 3, 2 });
        await Assert.That(entries[0].Name).IsEqualTo("worker");
        await Assert.That(entries[1].Name).IsEqualTo("");
        await Assert.That(entries[0].Microseconds).IsEqualTo(10_000);
        await Assert.That(log.Newest(1).Length).IsEqualTo(1);
        await Assert.That(log.Newest(0).Length).IsEqualTo(0);

        log.Configure(-1, 1);
        await Assert.That(log.Count).IsEqualTo(1);
        await Assert.That(log.IsSlow(Stopwatch.Frequency * 1000)).IsFalse();
        log.Reset();
        await Assert.That(log.Count).IsEqualTo(0);
    }
}
