using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Core.Tests.Storage.BTree;

public class KeyComparerTests
{
    /// <summary>Keys built from a few shared prefixes so that most pairs agree on a long run of leading bytes.</summary>
    private static byte[] RandomKey(Random random, byte[][] prefixes)
    {
        var length = random.Next(41);
        var key = new byte[length];
        var prefix = prefixes[random.Next(prefixes.Length)];
        var shared = Math.Min(length, random.Next(prefix.Length + 1));
        prefix.AsSpan(0, shared).CopyTo(key);
        for (var i = shared; i < length; i++)
        {
            // Mostly a small alphabet (more equal bytes), sometimes anything (high bit set, 0x00).
            key[i] = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)(0x30 + random.Next(3));
        }

        return key;
    }

    [Test]
    public async Task Random_keys_with_shared_prefixes_order_like_SequenceCompareTo()
    {
        var random = new Random(11);
        var prefixes = new byte[6][];
        for (var p = 0; p < prefixes.Length; p++)
        {
            prefixes[p] = new byte[40];
            random.NextBytes(prefixes[p]);
        }

        prefixes[0].AsSpan().Fill(0);
        prefixes[1].AsSpan().Fill(0xFF);
        var mismatches = 0;
        var equal = 0;
        for (var round = 0; round < 200_000; round++)
        {
            var a = RandomKey(random, prefixes);
            var b = random.Next(8) == 0 ? (byte[])a.Clone() : RandomKey(random, prefixes);
            if (random.Next(8) == 0 && b.Length > 0)
            {
                // Same bytes but one changed: a difference at any position, also in the final partial word.
                b = (byte[])a.Clone();
                if (b.Length > 0)
                {
                    b[random.Next(b.Length)] ^= (byte)(1 << random.Next(8));
                }
            }

            var expected = Math.Sign(a.AsSpan().SequenceCompareTo(b));
            var actual = Math.Sign(KeyComparer.Compare(a, b));
            if (expected != actual || Math.Sign(KeyComparer.Compare(b, a)) != -expected)
            {
                mismatches++;
            }

            if (expected == 0)
            {
                equal++;
            }
        }

        await Assert.That(mismatches).IsEqualTo(0);
        await Assert.That(equal).IsGreaterThan(1000);
    }

    [Test]
    public async Task Every_length_pair_and_difference_position_up_to_40_bytes()
    {
        var mismatches = 0;
        var baseKey = new byte[40];
        for (var i = 0; i < baseKey.Length; i++)
        {
            baseKey[i] = (byte)(0x61 + (i % 7));
        }

        for (var aLength = 0; aLength <= 40; aLength++)
        {
            for (var bLength = 0; bLength <= 40; bLength++)
            {
                var a = baseKey.AsSpan(0, aLength).ToArray();
                for (var position = -1; position < bLength; position++)
                {
                    foreach (var delta in new[] { -1, 1, 0x80 })
                    {
                        var b = baseKey.AsSpan(0, bLength).ToArray();
                        if (position >= 0)
                        {
                            b[position] = (byte)(b[position] + delta);
                        }

                        var expected = Math.Sign(a.AsSpan().SequenceCompareTo(b));
                        if (Math.Sign(KeyComparer.Compare(a, b)) != expected || Math.Sign(KeyComparer.Compare(b, a)) != -expected)
                        {
                            mismatches++;
                        }
                    }
                }
            }
        }

        await Assert.That(mismatches).IsEqualTo(0);
    }
}
