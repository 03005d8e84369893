using ThunderDb.Core.Keys;
using ThunderDb.Core.Tests.Storage;

namespace ThunderDb.Core.Tests.Keys;

public class KeyCodecTests
{
    [Test]
    public async Task Signed_integers_keep_their_order()
    {
        long[] values = [long.MinValue, -1_000_000_000_000, -2, -1, 0, 1, 2, 255, 256, long.MaxValue];
        var encoded = values.Select(v =>
        {
            var b = new byte[8];
            KeyCodec.WriteInt64(b, v);
            return b;
        }).ToList();
        for (var i = 1; i < encoded.Count; i++)
        {
            await Assert.That(ByteArrayComparer.Instance.Compare(encoded[i - 1], encoded[i])).IsLessThan(0);
            await Assert.That(KeyCodec.ReadInt64(encoded[i])).IsEqualTo(values[i]);
        }

        var small = new byte[4];
        KeyCodec.WriteInt32(small, -5);
        await Assert.That(KeyCodec.ReadInt32(small)).IsEqualTo(-5);
    }

    [Test]
    public async Task Doubles_keep_their_order()
    {
        double[] values = [double.NegativeInfinity, -1e300, -1.5, -double.Epsilon, 0.0, double.Epsilon, 1.5, 1e300, double.PositiveInfinity];
        byte[]? previous = null;
        foreach (var v in values)
        {
            var b = new byte[8];
            KeyCodec.WriteDouble(b, v);
            await Assert.That(KeyCodec.ReadDouble(b)).IsEqualTo(v);
            if (previous is not null)
            {
                await Assert.That(ByteArrayComparer.Instance.Compare(previous, b)).IsLessThan(0);
            }

            previous = b;
        }
    }

    [Test]
    public async Task Escaped_strings_keep_their_order_in_composite_keys_and_round_trip()
    {
        byte[][] strings = [[], [0], [0, 0], [0, 1], [1], [1, 0], [1, 0, 0xFF], [1, 1], [0xFF], [0xFF, 0]];
        var random = new Random(7);
        var keys = new List<(byte[] S, long N, byte[] Encoded)>();
        foreach (var s in strings)
        {
            var n = random.NextInt64(-3, 3);
            var buffer = new byte[KeyCodec.EscapedLength(s) + 8];
            var length = KeyCodec.WriteString(buffer, s);
            await Assert.That(length).IsEqualTo(KeyCodec.EscapedLength(s));
            KeyCodec.WriteInt64(buffer.AsSpan(length), n);
            keys.Add((s, n, buffer));
        }

        // Sorting the encodings equals sorting by (string, number).
        var byEncoding = keys.OrderBy(k => k.Encoded, ByteArrayComparer.Instance).Select(k => (k.S, k.N)).ToList();
        var byValue = keys.OrderBy(k => k.S, ByteArrayComparer.Instance).ThenBy(k => k.N).Select(k => (k.S, k.N)).ToList();
        for (var i = 0; i < keys.Count; i++)
        {
            await Assert.That(byEncoding[i].S.SequenceEqual(byValue[i].S)).IsTrue();
            await Assert.That(byEncoding[i].N).IsEqualTo(byValue[i].N);
        }

        foreach (var (s, n, encoded) in keys)
        {
            var decoded = new byte[s.Length];
            var used = KeyCodec.ReadString(encoded, decoded, out var decodedLength);
            await Assert.That(decodedLength).IsEqualTo(s.Length);
            await Assert.That(decoded.SequenceEqual(s)).IsTrue();
            await Assert.That(KeyCodec.ReadInt64(encoded.AsSpan(used))).IsEqualTo(n);
        }
    }

    [Test]
    public async Task Negative_zero_encodes_as_zero_and_escaping_keeps_prefix_order()
    {
        byte[] negZero = new byte[8], zero = new byte[8];
        KeyCodec.WriteDouble(negZero, -0.0);
        KeyCodec.WriteDouble(zero, 0.0);
        await Assert.That(negZero.AsSpan().SequenceEqual(zero)).IsTrue();

        // "a" < "a\0" < "a\0\0" < "ab" must hold for escaped parts followed by more bytes.
        byte[][] values = ["a"u8.ToArray(), [(byte)'a', 0], [(byte)'a', 0, 0], "ab"u8.ToArray()];
        var encoded = values.Select(v =>
        {
            var b = new byte[KeyCodec.EscapedLength(v) + 1];
            int n = KeyCodec.WriteString(b, v);
            b[n] = 0xFF; // whatever follows the part
            return b;
        }).ToList();
        for (var i = 1; i < encoded.Count; i++)
        {
            await Assert.That(ByteArrayComparer.Instance.Compare(encoded[i - 1], encoded[i])).IsLessThan(0);
        }
    }
}
