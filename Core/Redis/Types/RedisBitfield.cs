using System.Buffers;
using System.Text;

namespace ThunderDb.Core.Redis;

/// <summary>
/// BITFIELD and BITFIELD_RO as Redis 7.0 runs them: every subcommand is parsed (and any error returned) before the
/// key is touched; then GET/SET/INCRBY run in order over the string, zero-extended up to the farthest bit written,
/// with the overflow policy (WRAP, SAT, FAIL) in force at each subcommand. Integers are big-endian bit runs, bit 0
/// being the most significant bit of byte 0; i1..i64 and u1..u63.
/// </summary>
public static class RedisBitfield
{
    private enum Opcode : byte { Get, Set, IncrBy }

    private enum Overflow : byte { Wrap, Sat, Fail }

    private struct Op
    {
        public ulong Offset;
        public long Value;
        public Opcode Code;
        public Overflow Overflow;
        public int Bits;
        public bool Signed;
    }

    /// <summary>
    /// Runs the subcommands in <paramref name="subcommands"/> (everything after the key) and appends one result per
    /// GET/SET/INCRBY to <paramref name="results"/>: a value, or null where OVERFLOW FAIL refused the change.
    /// </summary>
    public static RedisError Run(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisArgs subcommands, bool readOnlyCommand, List<long?> results)
    {
        var ops = new List<Op>();
        RedisError error = Parse(subcommands, ops, out bool readOnly, out ulong highestWrite);
        if (error != RedisError.None)
        {
            return error;
        }

        if (readOnly)
        {
            error = ks.Find(key, RedisType.String, out KeyMeta found);
            if (error != RedisError.None)
            {
                return error;
            }

            ReadOnlySpan<byte> value = found.Type == RedisType.String ? ks.StringValue : default;
            foreach (Op op in ops)
            {
                results.Add(Get(value, op));
            }

            return RedisError.None;
        }

        if (readOnlyCommand)
        {
            return RedisError.BitfieldReadOnly;
        }

        error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        ReadOnlySpan<byte> current = meta.Type == RedisType.String ? ks.StringValue : default;
        long needed = (long)(highestWrite >> 3) + 1;
        error = ks.CheckStringLength(Math.Max(current.Length, needed));
        if (error != RedisError.None)
        {
            return error;
        }

        int total = (int)Math.Max(current.Length, needed);
        bool grew = meta.Type == RedisType.None || total != current.Length;
        ArrayBufferWriter<byte> compose = ks.Compose;
        Span<byte> buffer = compose.GetSpan(total)[..total];
        buffer.Clear();
        current.CopyTo(buffer);
        int changes = 0;
        foreach (Op op in ops)
        {
            if (op.Code == Opcode.Get)
            {
                results.Add(Get(buffer, op));
                continue;
            }

            results.Add(Apply(buffer, op, ref changes, grew));
        }

        if (grew || changes > 0)
        {
            compose.Advance(total);
            ks.WriteString(key, compose.WrittenSpan, meta.ExpireAtMs, meta.ExpireAtMs);
        }

        return RedisError.None;
    }

    private static RedisError Parse(RedisArgs args, List<Op> ops, out bool readOnly, out ulong highestWrite)
    {
        readOnly = true;
        highestWrite = 0;
        Overflow overflow = Overflow.Wrap;
        for (int j = 0; j < args.Count; j++)
        {
            int remaining = args.Count - j - 1;
            ReadOnlySpan<byte> sub = args[j];
            Opcode code;
            if (Ascii.EqualsIgnoreCase(sub, "get"u8) && remaining >= 2)
            {
                code = Opcode.Get;
            }
            else if (Ascii.EqualsIgnoreCase(sub, "set"u8) && remaining >= 3)
            {
                code = Opcode.Set;
            }
            else if (Ascii.EqualsIgnoreCase(sub, "incrby"u8) && remaining >= 3)
            {
                code = Opcode.IncrBy;
            }
            else if (Ascii.EqualsIgnoreCase(sub, "overflow"u8) && remaining >= 1)
            {
                ReadOnlySpan<byte> kind = args[++j];
                if (Ascii.EqualsIgnoreCase(kind, "wrap"u8))
                {
                    overflow = Overflow.Wrap;
                }
                else if (Ascii.EqualsIgnoreCase(kind, "sat"u8))
                {
                    overflow = Overflow.Sat;
                }
                else if (Ascii.EqualsIgnoreCase(kind, "fail"u8))
                {
                    overflow = Overflow.Fail;
                }
                else
                {
                    return RedisError.BitfieldOverflowType;
                }

                continue;
            }
            else
            {
                return RedisError.Syntax;
            }

            if (!TryParseType(args[j + 1], out bool signed, out int bits))
            {
                return RedisError.BitfieldType;
            }

            if (!TryParseOffset(args[j + 2], bits, out ulong offset))
            {
                return RedisError.BitOffset;
            }

            long value = 0;
            if (code != Opcode.Get)
            {
                readOnly = false;
                highestWrite = Math.Max(highestWrite, offset + (ulong)bits - 1);
                if (!RedisNumbers.ParseLong(args[j + 3], out value))
                {
                    return RedisError.NotInteger;
                }
            }

            ops.Add(new Op { Offset = offset, Value = value, Code = code, Overflow = overflow, Bits = bits, Signed = signed });
            j += code == Opcode.Get ? 2 : 3;
        }

        return RedisError.None;
    }

    /// <summary><c>i1</c>..<c>i64</c>, <c>u1</c>..<c>u63</c> (u64 would not fit RESP's signed integers).</summary>
    private static bool TryParseType(ReadOnlySpan<byte> text, out bool signed, out int bits)
    {
        bits = 0;
        signed = text.Length > 0 && text[0] == (byte)'i';
        if (text.Length == 0 || (text[0] != (byte)'i' && text[0] != (byte)'u'))
        {
            return false;
        }

        if (!RedisNumbers.ParseLong(text[1..], out long n) || n < 1 || (signed && n > 64) || (!signed && n > 63))
        {
            return false;
        }

        bits = (int)n;
        return true;
    }

    /// <summary>A bit offset, or <c>#n</c> meaning n times the type's width; below the 512 MB string limit.</summary>
    private static bool TryParseOffset(ReadOnlySpan<byte> text, int bits, out ulong offset)
    {
        offset = 0;
        bool hash = text.Length > 0 && text[0] == (byte)'#';
        if (!RedisNumbers.ParseLong(hash ? text[1..] : text, out long n))
        {
            return false;
        }

        if (hash)
        {
            n = unchecked(n * bits);
        }

        if (n < 0 || (n >> 3) >= RedisKeyspace.MaxStringLength)
        {
            return false;
        }

        offset = (ulong)n;
        return true;
    }

    private static long Get(ReadOnlySpan<byte> value, in Op op) =>
        op.Signed ? GetSigned(value, op.Offset, op.Bits) : (long)GetUnsigned(value, op.Offset, op.Bits);

    /// <summary>SET or INCRBY on the buffer; the reply (old value for SET, new for INCRBY) or null when FAIL refused it.</summary>
    private static long? Apply(Span<byte> buffer, in Op op, ref int changes, bool grew)
    {
        if (op.Signed)
        {
            long old = GetSigned(buffer, op.Offset, op.Bits);
            long next;
            int overflow;
            long reply;
            if (op.Code == Opcode.IncrBy)
            {
                overflow = CheckSigned(old, op.Value, op.Bits, op.Overflow, out long limit);
                next = overflow != 0 ? limit : unchecked(old + op.Value);
                reply = next;
            }
            else
            {
                overflow = CheckSigned(op.Value, 0, op.Bits, op.Overflow, out long limit);
                next = overflow != 0 ? limit : op.Value;
                reply = old;
            }

            if (overflow != 0 && op.Overflow == Overflow.Fail)
            {
                return null;
            }

            SetUnsigned(buffer, op.Offset, op.Bits, unchecked((ulong)next));
            changes += grew || old != next ? 1 : 0;
            return reply;
        }
        else
        {
            ulong old = GetUnsigned(buffer, op.Offset, op.Bits);
            ulong next;
            int overflow;
            ulong reply;
            if (op.Code == Opcode.IncrBy)
            {
                overflow = CheckUnsigned(old, op.Value, op.Bits, op.Overflow, out ulong limit);
                next = overflow != 0 ? limit : unchecked(old + (ulong)op.Value);
                reply = next;
            }
            else
            {
                ulong value = unchecked((ulong)op.Value);
                overflow = CheckUnsigned(value, 0, op.Bits, op.Overflow, out ulong limit);
                next = overflow != 0 ? limit : value;
                reply = old;
            }

            if (overflow != 0 && op.Overflow == Overflow.Fail)
            {
                return null;
            }

            SetUnsigned(buffer, op.Offset, op.Bits, next);
            changes += grew || old != next ? 1 : 0;
            return unchecked((long)reply);
        }
    }

    /// <summary>Redis <c>checkUnsignedBitfieldOverflow</c>: 1 over, -1 under, 0 fits; <paramref name="limit"/> per policy.</summary>
    private static int CheckUnsigned(ulong value, long increment, int bits, Overflow policy, out ulong limit)
    {
        unchecked
        {
            ulong max = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
            long maxIncrement = (long)(max - value);
            long minIncrement = -(long)value;
            limit = 0;
            int result;
            if (value > max || (increment > 0 && increment > maxIncrement))
            {
                result = 1;
                limit = max;
            }
            else if (increment < 0 && increment < minIncrement)
            {
                result = -1;
                limit = 0;
            }
            else
            {
                return 0;
            }

            if (policy == Overflow.Wrap)
            {
                ulong mask = bits == 64 ? 0 : ulong.MaxValue << bits;
                limit = (value + (ulong)increment) & ~mask;
                return 1;
            }

            return result;
        }
    }

    /// <summary>Redis <c>checkSignedBitfieldOverflow</c>, two's complement wrapping included.</summary>
    private static int CheckSigned(long value, long increment, int bits, Overflow policy, out long limit)
    {
        unchecked
        {
            long max = bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1;
            long min = -max - 1;
            long maxIncrement = (long)((ulong)max - (ulong)value);
            long minIncrement = min - value;
            limit = 0;
            int result;
            if (value > max || (bits != 64 && increment > maxIncrement) || (value >= 0 && increment > 0 && increment > maxIncrement))
            {
                result = 1;
                limit = max;
            }
            else if (value < min || (bits != 64 && increment < minIncrement) || (value < 0 && increment < 0 && increment < minIncrement))
            {
                result = -1;
                limit = min;
            }
            else
            {
                return 0;
            }

            if (policy == Overflow.Wrap)
            {
                ulong sum = (ulong)value + (ulong)increment;
                if (bits < 64)
                {
                    ulong mask = ulong.MaxValue << bits;
                    ulong msb = 1UL << (bits - 1);
                    sum = (sum & msb) != 0 ? sum | mask : sum & ~mask;
                }

                limit = (long)sum;
                return 1;
            }

            return result;
        }
    }

    /// <summary>The unsigned integer of <paramref name="bits"/> bits at a bit offset; bytes past the value read as zero.</summary>
    private static ulong GetUnsigned(ReadOnlySpan<byte> p, ulong offset, int bits)
    {
        ulong value = 0;
        for (int j = 0; j < bits; j++, offset++)
        {
            ulong index = offset >> 3;
            ulong bit = index < (ulong)p.Length ? (ulong)(p[(int)index] >> (7 - (int)(offset & 7))) & 1 : 0;
            value = (value << 1) | bit;
        }

        return value;
    }

    private static long GetSigned(ReadOnlySpan<byte> p, ulong offset, int bits)
    {
        long value = unchecked((long)GetUnsigned(p, offset, bits));
        if (bits < 64 && (value & (1L << (bits - 1))) != 0)
        {
            value |= -1L << bits; // sign extension
        }

        return value;
    }

    private static void SetUnsigned(Span<byte> p, ulong offset, int bits, ulong value)
    {
        for (int j = 0; j < bits; j++, offset++)
        {
            int bit = 7 - (int)(offset & 7);
            int index = (int)(offset >> 3);
            int bitValue = (int)((value >> (bits - 1 - j)) & 1);
            p[index] = (byte)((p[index] & ~(1 << bit)) | (bitValue << bit));
        }
    }
}
