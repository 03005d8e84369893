using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace ThunderDb.Core.Redis;

/// <summary>BITOP: AND/OR/XOR over any number of strings (missing keys are empty, shorter ones zero-padded), NOT over one.</summary>
public static partial class RedisBitmaps
{
    private enum BitOperation : byte { And, Or, Xor, Not }

    /// <summary>
    /// BITOP op destkey key...: stores the result (a string without expiry, replacing any type) or deletes
    /// <paramref name="destination"/> when every source is empty; <paramref name="length"/> is the result's length.
    /// </summary>
    public static RedisError Operate(RedisKeyspace ks, ReadOnlySpan<byte> operation, ReadOnlySpan<byte> destination, RedisArgs sources, out long length)
    {
        length = 0;
        BitOperation op;
        if (Ascii.EqualsIgnoreCase(operation, "and"u8))
        {
            op = BitOperation.And;
        }
        else if (Ascii.EqualsIgnoreCase(operation, "or"u8))
        {
            op = BitOperation.Or;
        }
        else if (Ascii.EqualsIgnoreCase(operation, "xor"u8))
        {
            op = BitOperation.Xor;
        }
        else if (Ascii.EqualsIgnoreCase(operation, "not"u8))
        {
            op = BitOperation.Not;
        }
        else
        {
            return RedisError.Syntax;
        }

        if (op == BitOperation.Not && sources.Count != 1)
        {
            return RedisError.BitOpNotArity;
        }

        // First pass: types and the longest source (a value is only valid until the next read, so fold in a second pass).
        long longest = 0;
        for (int i = 0; i < sources.Count; i++)
        {
            RedisError error = ks.Find(sources[i], RedisType.String, out KeyMeta meta);
            if (error != RedisError.None)
            {
                return error;
            }

            if (meta.Type == RedisType.String)
            {
                longest = Math.Max(longest, ks.StringValue.Length);
            }
        }

        if (longest == 0)
        {
            if (ks.Lookup(destination, out KeyMeta old) != RedisType.None)
            {
                ks.DeleteKey(destination, old);
            }

            return RedisError.None;
        }

        RedisError tooLong = ks.CheckStringLength(longest);
        if (tooLong != RedisError.None)
        {
            return tooLong;
        }

        int total = (int)longest;
        ArrayBufferWriter<byte> compose = ks.Compose;
        Span<byte> result = compose.GetSpan(total)[..total];
        for (int i = 0; i < sources.Count; i++)
        {
            ReadOnlySpan<byte> value = ks.Lookup(sources[i], out _) == RedisType.String ? ks.StringValue : default;
            Fold(op, i == 0, value, result);
        }

        compose.Advance(total);
        RedisStrings.Overwrite(ks, destination, compose.WrittenSpan, 0);
        length = total;
        return RedisError.None;
    }

    /// <summary>Folds one source into <paramref name="result"/>; past its end a source reads as zero bytes.</summary>
    private static void Fold(BitOperation op, bool first, ReadOnlySpan<byte> value, Span<byte> result)
    {
        Span<byte> covered = result[..value.Length];
        Span<byte> rest = result[value.Length..];
        if (first)
        {
            value.CopyTo(covered);
            rest.Clear();
            if (op == BitOperation.Not)
            {
                Combine(BitOperation.Not, result, result);
            }

            return;
        }

        Combine(op, covered, value);
        if (op == BitOperation.And)
        {
            rest.Clear();
        }
    }

    /// <summary><paramref name="target"/> = target op <paramref name="source"/> (NOT ignores the source), eight bytes at a time.</summary>
    private static void Combine(BitOperation op, Span<byte> target, ReadOnlySpan<byte> source)
    {
        Span<ulong> t = MemoryMarshal.Cast<byte, ulong>(target);
        ReadOnlySpan<ulong> s = MemoryMarshal.Cast<byte, ulong>(source);
        for (int i = 0; i < t.Length; i++)
        {
            t[i] = op switch
            {
                BitOperation.And => t[i] & s[i],
                BitOperation.Or => t[i] | s[i],
                BitOperation.Xor => t[i] ^ s[i],
                _ => ~t[i],
            };
        }

        for (int i = t.Length * 8; i < target.Length; i++)
        {
            target[i] = op switch
            {
                BitOperation.And => (byte)(target[i] & source[i]),
                BitOperation.Or => (byte)(target[i] | source[i]),
                BitOperation.Xor => (byte)(target[i] ^ source[i]),
                _ => (byte)~target[i],
            };
        }
    }
}
