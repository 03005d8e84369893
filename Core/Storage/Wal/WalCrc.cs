using System.Buffers.Binary;
using System.Numerics;

namespace ThunderDb.Core.Storage.Wal;

/// <summary>
/// CRC32C (Castagnoli) over WAL records, using the SSE4.2 / ARMv8 CRC instructions through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> (software fallback on other CPUs).
/// </summary>
internal static class WalCrc
{
    /// <summary>Continues a CRC over <paramref name="data"/>; start with <c>0</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var state = ~crc;
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }

        return ~state;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);
}
