using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Tests.Txn;

public class KeyHashTests
{
    [Test]
    public async Task Every_byte_of_keys_of_every_length_path_changes_the_hash_and_equal_keys_hash_alike()
    {
        var unchanged = 0;
        var buckets = new HashSet<int>();
        for (var length = 0; length <= 48; length++)
        {
            var key = new byte[length];
            for (var i = 0; i < length; i++)
            {
                key[i] = (byte)(i * 31 + length);
            }

            var hash = KeyHash.Hash64(key);
            buckets.Add((int)(hash >> 48));
            if (KeyHash.Hash64(key.AsSpan().ToArray()) != hash)
            {
                unchanged = -1000;
            }

            for (var i = 0; i < length; i++)
            {
                for (var bit = 0; bit < 8; bit++)
                {
                    key[i] ^= (byte)(1 << bit);
                    if (KeyHash.Hash64(key) == hash)
                    {
                        unchanged++;
                    }

                    key[i] ^= (byte)(1 << bit);
                }
            }

            // A key and the same key with one more zero byte differ (the length is hashed too).
            if (KeyHash.Hash64(new byte[length + 1].AsSpan(0, length)) == KeyHash.Hash64(new byte[length + 1]))
            {
                unchanged++;
            }
        }

        await Assert.That(unchanged).IsEqualTo(0);
        await Assert.That(buckets.Count).IsGreaterThan(45); // the top bits (the conflict filter's bucket) spread too
    }
}
