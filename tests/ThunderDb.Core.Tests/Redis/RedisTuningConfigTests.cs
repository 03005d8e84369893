using ThunderDb.Core.Redis;

namespace ThunderDb.Core.Tests.Redis;

public class RedisTuningConfigTests
{
    [Test]
    [Arguments("hash-max-ziplist-value", "1k", true, "1000")]
    [Arguments("hash-max-listpack-value", "2KB", true, "2048")]
    [Arguments("hash-max-listpack-value", "abc", false, "argument must be a memory value")]
    [Arguments("hash-max-listpack-value", "-1", false, "argument must be a memory value")]
    [Arguments("set-max-intset-entries", "-1", false, "argument must be between 0 and 9223372036854775807 inclusive")]
    [Arguments("set-max-intset-entries", "x", false, "argument couldn't be parsed into an integer")]
    [Arguments("list-max-listpack-size", "99999999999", false, "argument must be between -2147483648 and 2147483647 inclusive")]
    [Arguments("lazyfree-lazy-expire", "YES", true, "yes")]
    [Arguments("lazyfree-lazy-expire", "maybe", false, "argument must be 'yes' or 'no'")]
    [Arguments("maxmemory-policy", "ALLKEYS-LRU", true, "allkeys-lru")]
    [Arguments("appendfsync", "x", false, "argument(s) must be one of the following: everysec, always, no")]
    [Arguments("save", "+100 10 5 03", true, "100 10 5 3")]
    [Arguments("save", " 5 3", false, "Invalid save parameters")]
    [Arguments("save", "0 10", false, "Invalid save parameters")]
    [Arguments("save", "", true, "")]
    [Arguments("notify-keyspace-events", "Q", false, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")]
    [Arguments("notify-keyspace-events", "KEA", false, "keyspace notifications are not supported yet by ThunderDB")]
    [Arguments("notify-keyspace-events", "", true, "")]
    public async Task Values_are_validated_with_redis_texts(string name, string value, bool ok, string expected)
    {
        string canonical = RedisTuningConfig.Canonical(name)!;
        bool accepted = RedisTuningConfig.TryNormalize(canonical, value, out string normalized, out string error);
        await Assert.That(accepted).IsEqualTo(ok);
        await Assert.That(ok ? normalized : error).IsEqualTo(expected);
    }

    [Test]
    public async Task Memory_values_overflowing_64_bits_are_rejected()
    {
        await Assert.That(RedisTuningConfig.TryParseMemory("18446744073709551615", out ulong max)).IsTrue();
        await Assert.That(max).IsEqualTo(ulong.MaxValue);
        await Assert.That(RedisTuningConfig.TryParseMemory("18446744073709551615kb", out _)).IsFalse();
        await Assert.That(RedisTuningConfig.TryParseMemory("kb", out _)).IsFalse();
    }

    [Test]
    public async Task Aliases_share_one_value_and_applied_values_are_remembered()
    {
        var config = new RedisTuningConfig(syncCommit: true);
        await Assert.That(RedisTuningConfig.Canonical("ZSET-MAX-ZIPLIST-ENTRIES")).IsEqualTo("zset-max-listpack-entries");
        await Assert.That(RedisTuningConfig.Canonical("port")).IsNull();
        config.Apply([("zset-max-listpack-entries", "64")]);
        var values = config.Snapshot().ToDictionary(p => p.Name, p => p.Value);
        await Assert.That(values["zset-max-ziplist-entries"]).IsEqualTo("64");
        await Assert.That(values["zset-max-listpack-entries"]).IsEqualTo("64");
        await Assert.That(values["appendfsync"]).IsEqualTo("always");
        await Assert.That(values["appendonly"]).IsEqualTo("yes");
    }
}
