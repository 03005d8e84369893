using System.Buffers.Binary;
using System.Numerics;

namespace ThunderDb.Core.Redis;

/// <summary>
/// Redis's HyperLogLog string format, byte for byte (hyperloglog.c): a 16-byte header (<c>HYLL</c>, encoding,
/// 3 unused bytes, the cached cardinality little-endian with its top bit meaning "stale"), then 16384 six-bit
/// registers either dense (12288 bytes, least significant bits first) or sparse (ZERO <c>00xxxxxx</c>, XZERO
/// <c>01xxxxxx yyyyyyyy</c>, VAL <c>1vvvvvxx</c> run-length opcodes). Elements are hashed with MurmurHash64A, and
/// the count uses Ertl's improved estimator, so the same additions give the same bytes and the same counts as Redis.
/// </summary>
internal static partial class HyperLogLogFormat
{
    public const int HeaderSize = 16;
    public const int Registers = 1 << P;
    public const int DenseRegisterBytes = (Registers * RegisterBits + 7) / 8;
    public const int DenseSize = HeaderSize + DenseRegisterBytes;
    public const byte Dense = 0;
    public const byte Sparse = 1;

    /// <summary>Room an update needs beyond the current length (see <see cref="WorkCapacity"/>).</summary>
    private const int UpdateSlack = 32;

    private const int P = 14;
    private const int Q = 64 - P;
    private const int RegisterBits = 6;
    private const int RegisterMax = (1 << RegisterBits) - 1;
    private const int SparseValMaxValue = 32;
    private const int SparseValMaxLength = 4;
    private const int SparseZeroMaxLength = 64;
    private const int SparseXZeroMaxLength = 16384;
    private const double AlphaInf = 0.721347520444481703680; // 0.5 / ln(2)

    /// <summary>A new HLL: sparse, one XZERO opcode covering all 16384 registers, cached count 0.</summary>
    public static ReadOnlySpan<byte> Empty => [(byte)'H', (byte)'Y', (byte)'L', (byte)'L', Sparse, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0xFF];

    /// <summary>
    /// A buffer size that any sequence of register updates of a value of <paramref name="length"/> bytes stays within:
    /// the opcodes covering the registers take at most two bytes per register, bytes after them never move, and the
    /// dense form is smaller still.
    /// </summary>
    public static int WorkCapacity(int length) => length + (2 * Registers) + HeaderSize + UpdateSlack;

    /// <summary>Redis <c>isHLLObjectOrReply</c>: the magic, a known encoding, and the exact dense size.</summary>
    public static bool IsValid(ReadOnlySpan<byte> value) =>
        value.Length >= HeaderSize && value[0] == 'H' && value[1] == 'Y' && value[2] == 'L' && value[3] == 'L' && value[4] <= Sparse &&
        (value[4] != Dense || value.Length == DenseSize);

    public static bool CacheValid(ReadOnlySpan<byte> value) => (value[15] & 0x80) == 0;

    public static long CachedCount(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64LittleEndian(value[8..]);

    public static void SetCachedCount(Span<byte> value, long count) => BinaryPrimitives.WriteInt64LittleEndian(value[8..], count);

    public static void InvalidateCache(Span<byte> value) => value[15] |= 0x80;

    // ---- hashing -------------------------------------------------------------------------------------

    /// <summary>MurmurHash2, 64-bit version (Austin Appleby), little-endian reads, as Redis uses it.</summary>
    public static ulong MurmurHash64A(ReadOnlySpan<byte> key, uint seed)
    {
        const ulong m = 0xc6a4a7935bd1e995;
        const int r = 47;
        unchecked
        {
            ulong h = seed ^ ((ulong)key.Length * m);
            int whole = key.Length & ~7;
            for (int i = 0; i < whole; i += 8)
            {
                ulong k = BinaryPrimitives.ReadUInt64LittleEndian(key[i..]);
                k *= m;
                k ^= k >> r;
                k *= m;
                h ^= k;
                h *= m;
            }

            int tail = key.Length & 7;
            if (tail > 0)
            {
                for (int i = tail - 1; i >= 0; i--)
                {
                    h ^= (ulong)key[whole + i] << (8 * i);
                }

                h *= m;
            }

            h ^= h >> r;
            h *= m;
            h ^= h >> r;
            return h;
        }
    }

    /// <summary>Redis <c>hllPatLen</c>: the register an element lands in and the length of its "000..1" run (1..51).</summary>
    public static int PatternLength(ReadOnlySpan<byte> element, out int register)
    {
        ulong hash = MurmurHash64A(element, 0xadc83b19);
        register = (int)(hash & (Registers - 1));
        hash >>= P;
        hash |= 1UL << Q; // the run ends at bit Q at the latest
        return BitOperations.TrailingZeroCount(hash) + 1;
    }

    // ---- dense ---------------------------------------------------------------------------------------

    public static int DenseGet(ReadOnlySpan<byte> registers, int index)
    {
        int bitAt = index * RegisterBits;
        int b = bitAt >> 3;
        int shift = bitAt & 7;
        int b0 = registers[b];
        int b1 = b + 1 < registers.Length ? registers[b + 1] : 0; // Redis reads the string's terminating NUL here
        return ((b0 >> shift) | (b1 << (8 - shift))) & RegisterMax;
    }

    public static void DenseSetRaw(Span<byte> registers, int index, int value)
    {
        int bitAt = index * RegisterBits;
        int b = bitAt >> 3;
        int shift = bitAt & 7;
        registers[b] = (byte)((registers[b] & ~(RegisterMax << shift)) | (value << shift));
        if (b + 1 < registers.Length)
        {
            registers[b + 1] = (byte)((registers[b + 1] & ~(RegisterMax >> (8 - shift))) | (value >> (8 - shift)));
        }
    }

    /// <summary>Raises a dense register to <paramref name="count"/>; 1 when it changed.</summary>
    public static int DenseSet(Span<byte> registers, int index, int count)
    {
        if (count <= DenseGet(registers, index))
        {
            return 0;
        }

        DenseSetRaw(registers, index, count);
        return 1;
    }

    // ---- sparse --------------------------------------------------------------------------------------

    private static bool IsZero(byte op) => (op & 0xC0) == 0;

    private static bool IsXZero(byte op) => (op & 0xC0) == 0x40;

    private static bool IsVal(byte op) => (op & 0x80) != 0;

    private static int ZeroLength(byte op) => (op & 0x3F) + 1;

    private static int XZeroLength(ReadOnlySpan<byte> b, int p) => (((b[p] & 0x3F) << 8) | (p + 1 < b.Length ? b[p + 1] : 0)) + 1;

    private static int ValValue(byte op) => ((op >> 2) & 0x1F) + 1;

    private static int ValLength(byte op) => (op & 0x3) + 1;

    private static byte Val(int value, int length) => (byte)(((value - 1) << 2) | (length - 1) | 0x80);

    private static int WriteZeros(Span<byte> seq, int n, int length)
    {
        if (length > SparseZeroMaxLength)
        {
            seq[n] = (byte)(((length - 1) >> 8) | 0x40);
            seq[n + 1] = (byte)((length - 1) & 0xFF);
            return n + 2;
        }

        seq[n] = (byte)(length - 1);
        return n + 1;
    }

    /// <summary>
    /// Redis <c>hllSparseSet</c> over <c>b[..length]</c> (the whole value, header included; <paramref name="b"/> has
    /// <see cref="WorkCapacity"/> room): raises register <paramref name="index"/> to <paramref name="count"/>, splitting
    /// and re-merging opcodes in place, or turns the value dense when the count does not fit a VAL opcode or the value
    /// would grow past <paramref name="sparseMaxBytes"/>. 1 changed, 0 unchanged, -1 corrupt.
    /// </summary>
    public static int SparseSet(Span<byte> b, ref int length, int index, int count, long sparseMaxBytes)
    {
        if (count > SparseValMaxValue)
        {
            return Promote(b, ref length, index, count);
        }

        int end = length;
        int p = HeaderSize;
        int first = 0;
        int prev = -1;
        int span = 0;
        while (p < end)
        {
            int opLength = 1;
            if (IsZero(b[p]))
            {
                span = ZeroLength(b[p]);
            }
            else if (IsVal(b[p]))
            {
                span = ValLength(b[p]);
            }
            else
            {
                span = XZeroLength(b[..end], p);
                opLength = 2;
            }

            if (index <= first + span - 1)
            {
                break;
            }

            prev = p;
            p += opLength;
            first += span;
        }

        if (span == 0 || p >= end)
        {
            return -1;
        }

        int next = IsXZero(b[p]) ? p + 2 : p + 1;
        if (next >= end)
        {
            next = -1;
        }

        bool isZero = IsZero(b[p]), isXZero = IsXZero(b[p]), isVal = IsVal(b[p]);
        int run = isZero ? ZeroLength(b[p]) : isXZero ? XZeroLength(b[..end], p) : ValLength(b[p]);
        if (isVal)
        {
            if (ValValue(b[p]) >= count)
            {
                return 0;
            }

            if (run == 1)
            {
                b[p] = Val(count, 1);
                return Merged(b, ref length, prev);
            }
        }

        if (isZero && run == 1)
        {
            b[p] = Val(count, 1);
            return Merged(b, ref length, prev);
        }

        // The general case: split the opcode into up to three (XZERO-VAL-XZERO is the longest, 5 bytes).
        Span<byte> seq = stackalloc byte[5];
        int n = 0;
        int last = first + span - 1;
        if (isZero || isXZero)
        {
            if (index != first)
            {
                n = WriteZeros(seq, n, index - first);
            }

            seq[n++] = Val(count, 1);
            if (index != last)
            {
                n = WriteZeros(seq, n, last - index);
            }
        }
        else
        {
            int current = ValValue(b[p]);
            if (index != first)
            {
                seq[n++] = Val(current, index - first);
            }

            seq[n++] = Val(count, 1);
            if (index != last)
            {
                seq[n++] = Val(current, last - index);
            }
        }

        int delta = n - (isXZero ? 2 : 1);
        if (delta > 0 && length + delta > sparseMaxBytes)
        {
            return Promote(b, ref length, index, count);
        }

        if (delta != 0 && next >= 0)
        {
            b[next..end].CopyTo(b[(next + delta)..]);
        }

        length += delta;
        seq[..n].CopyTo(b[p..]);
        return Merged(b, ref length, prev);
    }

    /// <summary>Step 4 of <c>hllSparseSet</c>: merges adjacent VAL opcodes of equal value, scanning 5 opcodes from <paramref name="prev"/>.</summary>
    private static int Merged(Span<byte> b, ref int length, int prev)
    {
        int end = length;
        int p = prev >= 0 ? prev : HeaderSize;
        int scan = 5;
        while (p < end && scan-- > 0)
        {
            if (IsXZero(b[p]))
            {
                p += 2;
                continue;
            }

            if (IsZero(b[p]))
            {
                p++;
                continue;
            }

            if (p + 1 < end && IsVal(b[p + 1]))
            {
                int v1 = ValValue(b[p]);
                int v2 = ValValue(b[p + 1]);
                int len = ValLength(b[p]) + ValLength(b[p + 1]);
                if (v1 == v2 && len <= SparseValMaxLength)
                {
                    b[p + 1] = Val(v1, len);
                    b[(p + 1)..end].CopyTo(b[p..]);
                    end--;
                    continue; // try to merge the merged opcode with the next one
                }
            }

            p++;
        }

        length = end;
        InvalidateCache(b);
        return 1;
    }

    /// <summary>Turns the value dense (then sets the register, which must change): Redis's promotion.</summary>
    private static int Promote(Span<byte> b, ref int length, int index, int count)
    {
        if (!SparseToDense(b, ref length))
        {
            return -1;
        }

        return DenseSet(b[HeaderSize..DenseSize], index, count);
    }

    /// <summary>Redis <c>hllSparseToDense</c> in place (the header, cached count included, is kept); false when corrupt.</summary>
    public static bool SparseToDense(Span<byte> b, ref int length)
    {
        if (b[4] == Dense)
        {
            return true;
        }

        Span<byte> raw = stackalloc byte[Registers];
        if (!MergeSparse(raw, b[HeaderSize..length], exact: true))
        {
            return false;
        }

        b[4] = Dense;
        Span<byte> registers = b[HeaderSize..DenseSize];
        registers.Clear();
        for (int i = 0; i < Registers; i++)
        {
            if (raw[i] != 0)
            {
                DenseSetRaw(registers, i, raw[i]);
            }
        }

        length = DenseSize;
        return true;
    }

    /// <summary>
    /// Raises <paramref name="raw"/> (one byte per register) to the sparse opcodes' values. With <paramref name="exact"/>
    /// VAL runs are written as they are (conversion), else they take the maximum (merge); false when the opcodes do not
    /// cover exactly 16384 registers.
    /// </summary>
    private static bool MergeSparse(Span<byte> raw, ReadOnlySpan<byte> opcodes, bool exact)
    {
        int i = 0;
        int p = 0;
        while (p < opcodes.Length)
        {
            byte op = opcodes[p];
            if (IsZero(op))
            {
                i += ZeroLength(op);
                p++;
            }
            else if (IsXZero(op))
            {
                i += XZeroLength(opcodes, p);
                p += 2;
            }
            else
            {
                int run = ValLength(op);
                int value = ValValue(op);
                if (run + i > Registers)
                {
                    break;
                }

                for (int end = i + run; i < end; i++)
                {
                    if (exact || value > raw[i])
                    {
                        raw[i] = (byte)value;
                    }
                }

                p++;
            }
        }

        return i == Registers;
    }

    /// <summary>Redis <c>hllMerge</c>: <paramref name="raw"/>[i] = max(raw[i], register i of the HLL); false when corrupt.</summary>
    public static bool MergeInto(Span<byte> raw, ReadOnlySpan<byte> hll)
    {
        if (hll[4] == Dense)
        {
            ReadOnlySpan<byte> registers = hll[HeaderSize..];
            for (int i = 0; i < Registers; i++)
            {
                int value = DenseGet(registers, i);
                if (value > raw[i])
                {
                    raw[i] = (byte)value;
                }
            }

            return true;
        }

        return MergeSparse(raw, hll[HeaderSize..], exact: false);
    }
}
