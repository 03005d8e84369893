using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ThunderDb.Core.Storage.BTree;

/// <summary>
/// Lexicographic (memcmp, then shorter first) comparison of byte-string keys, tuned for the short keys the
/// node binary search compares on every probe: eight bytes at a time as big-endian integers, the last
/// partial word read overlapping the previous one, and no call or vector set-up. Same sign as
/// <see cref="MemoryExtensions.SequenceCompareTo{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>.
/// </summary>
internal static unsafe class KeyComparer
{
    /// <summary>Negative, zero or positive as <paramref name="a"/> sorts before, equal to or after <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(byte* a, int aLength, byte* b, int bLength)
    {
        var common = aLength < bLength ? aLength : bLength;
        if (common >= sizeof(ulong))
        {
            nint i = 0;
            nint last = common - sizeof(ulong);
            while (i < last)
            {
                var x = Unsafe.ReadUnaligned<ulong>(a + i);
                var y = Unsafe.ReadUnaligned<ulong>(b + i);
                if (x != y)
                {
                    return Order(x, y);
                }

                i += sizeof(ulong);
            }

            // The final word ends exactly at `common`; it may re-read bytes already known to be equal.
            var xs = Unsafe.ReadUnaligned<ulong>(a + last);
            var ys = Unsafe.ReadUnaligned<ulong>(b + last);
            if (xs != ys)
            {
                return Order(xs, ys);
            }
        }
        else
        {
            for (var i = 0; i < common; i++)
            {
                if (a[i] != b[i])
                {
                    return a[i] - b[i];
                }
            }
        }

        return aLength - bLength;
    }

    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        fixed (byte* pa = a)
        fixed (byte* pb = b)
        {
            return Compare(pa, a.Length, pb, b.Length);
        }
    }

    /// <summary>Orders two unequal words loaded in memory order as big-endian numbers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Order(ulong x, ulong y)
    {
        if (BitConverter.IsLittleEndian)
        {
            x = BinaryPrimitives.ReverseEndianness(x);
            y = BinaryPrimitives.ReverseEndianness(y);
        }

        return x < y ? -1 : 1;
    }
}
