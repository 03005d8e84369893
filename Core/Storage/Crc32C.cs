using System.Buffers.Binary;
using System.Numerics;

namespace ThunderDb.Core.Storage;

/// <summary>
/// CRC32C (Castagnoli), the checksum of pages, the control file and WAL records.
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the SSE4.2 / ARMv8 CRC instruction when the CPU has
/// one (software otherwise), so the loop feeds it 8 bytes at a time and only the tail byte by byte.
/// </summary>
public static class Crc32C
{
    /// <summary>The finished CRC32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(~0u, data);

    /// <summary>
    /// Continues a running CRC state (start with <c>~0u</c>, finish with <c>~state</c>) so a checksum can
    /// span several pieces, e.g. a page with its checksum field skipped.
    /// </summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        var i = 0;
        var end8 = data.Length & ~7;
        for (; i < end8; i += 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        for (; i < data.Length; i++)
        {
            state = BitOperations.Crc32C(state, data[i]);
        }

        return state;
    }
}
