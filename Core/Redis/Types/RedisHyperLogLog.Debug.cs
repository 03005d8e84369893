using System.Buffers;

namespace ThunderDb.Core.Redis;

/// <summary>PFDEBUG (GETREG, DECODE, ENCODING, TODENSE) and PFSELFTEST, as Redis's own HyperLogLog tests use them.</summary>
public static partial class RedisHyperLogLog
{
    /// <summary>The PFDEBUG subcommands.</summary>
    public enum DebugCommand : byte
    {
        GetRegisters,
        Decode,
        Encoding,
        ToDense,
    }

    /// <summary>
    /// PFDEBUG sub key, after Redis's checks (the key must exist and hold an HLL). GETREG fills <paramref name="registers"/>
    /// (16384 bytes) and, like TODENSE, turns a sparse value dense (<paramref name="result"/> 1 when TODENSE converted);
    /// ENCODING sets <paramref name="dense"/>; DECODE sets <paramref name="decoded"/> ("z:n", "Z:n", "v:value,n" opcodes).
    /// </summary>
    public static RedisError Debug(RedisKeyspace ks, DebugCommand command, ReadOnlySpan<byte> key, Span<byte> registers,
        out long result, out bool dense, out string decoded)
    {
        result = 0;
        dense = false;
        decoded = "";
        RedisError error = ks.Find(key, RedisType.String, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        if (meta.Type == RedisType.None)
        {
            return RedisError.HllDebugNoKey;
        }

        ReadOnlySpan<byte> value = ks.StringValue;
        if (!HyperLogLogFormat.IsValid(value))
        {
            return RedisError.HllWrongType;
        }

        dense = value[4] == HyperLogLogFormat.Dense;
        switch (command)
        {
            case DebugCommand.Encoding:
                return RedisError.None;
            case DebugCommand.Decode:
                if (dense)
                {
                    return RedisError.HllNotSparse;
                }

                decoded = HyperLogLogFormat.Describe(value);
                return RedisError.None;
            default:
                if (!dense)
                {
                    ArrayBufferWriter<byte> compose = ks.Compose;
                    Span<byte> b = compose.GetSpan(HyperLogLogFormat.WorkCapacity(value.Length));
                    value.CopyTo(b);
                    int length = value.Length;
                    if (!HyperLogLogFormat.SparseToDense(b, ref length))
                    {
                        return RedisError.HllCorrupt;
                    }

                    compose.Advance(length);
                    ks.WriteString(key, compose.WrittenSpan, meta.ExpireAtMs, meta.ExpireAtMs);
                    value = compose.WrittenSpan;
                    result = 1;
                }

                if (command == DebugCommand.GetRegisters)
                {
                    registers.Clear();
                    HyperLogLogFormat.MergeInto(registers, value);
                }

                return RedisError.None;
        }
    }

    /// <summary>
    /// PFSELFTEST, Redis's self-test: dense registers read back what was written (1000 rounds of random values), then
    /// 10 million distinct elements added to a dense and a sparse HLL agree at every power of ten, the sparse one stays
    /// sparse while small, and the error stays within six standard errors. Null on success, else the failure text.
    /// </summary>
    public static string? SelfTest(long sparseMaxBytes, Func<bool> deadlinePassed)
    {
        var random = new Random();
        byte[] dense = new byte[HyperLogLogFormat.DenseSize];
        Span<byte> registers = dense.AsSpan(HyperLogLogFormat.HeaderSize);
        byte[] expected = new byte[HyperLogLogFormat.Registers];
        for (int cycle = 0; cycle < 1000; cycle++)
        {
            for (int i = 0; i < HyperLogLogFormat.Registers; i++)
            {
                expected[i] = (byte)random.Next(64);
                HyperLogLogFormat.DenseSetRaw(registers, i, expected[i]);
            }

            for (int i = 0; i < HyperLogLogFormat.Registers; i++)
            {
                if (HyperLogLogFormat.DenseGet(registers, i) != expected[i])
                {
                    return $"TESTFAILED Register {i} should be {expected[i]} but is {HyperLogLogFormat.DenseGet(registers, i)}";
                }
            }
        }

        registers.Clear();
        "HYLL"u8.CopyTo(dense);
        byte[] sparse = new byte[HyperLogLogFormat.WorkCapacity(HyperLogLogFormat.Empty.Length)];
        HyperLogLogFormat.Empty.CopyTo(sparse);
        int sparseLength = HyperLogLogFormat.Empty.Length;
        double relativeError = 1.04 / Math.Sqrt(HyperLogLogFormat.Registers);
        long checkpoint = 1;
        ulong seed = (ulong)random.NextInt64();
        Span<byte> element = stackalloc byte[8];
        for (long j = 1; j <= 10_000_000; j++)
        {
            BitConverter.TryWriteBytes(element, (ulong)j ^ seed);
            int count = HyperLogLogFormat.PatternLength(element, out int register);
            HyperLogLogFormat.DenseSet(registers, register, count);
            if (sparse[4] == HyperLogLogFormat.Dense)
            {
                HyperLogLogFormat.DenseSet(sparse.AsSpan(HyperLogLogFormat.HeaderSize, HyperLogLogFormat.DenseRegisterBytes), register, count);
            }
            else
            {
                HyperLogLogFormat.SparseSet(sparse, ref sparseLength, register, count, sparseMaxBytes);
            }

            if (j != checkpoint)
            {
                continue;
            }

            if (deadlinePassed())
            {
                return RedisErrors.DeadlineExceeded;
            }

            if (j < sparseMaxBytes / 2 && sparse[4] != HyperLogLogFormat.Sparse)
            {
                return "TESTFAILED sparse encoding not used";
            }

            HyperLogLogFormat.TryCount(dense, out long denseCount);
            HyperLogLogFormat.TryCount(sparse.AsSpan(0, sparseLength), out long sparseCount);
            if (denseCount != sparseCount)
            {
                return "TESTFAILED dense/sparse disagree";
            }

            long absError = Math.Abs(checkpoint - denseCount);
            long maxError = j == 10 ? 1 : (long)Math.Ceiling(relativeError * 6 * checkpoint);
            if (absError > maxError)
            {
                return $"TESTFAILED Too big error. card:{checkpoint} abserr:{absError}";
            }

            checkpoint *= 10;
        }

        return null;
    }
}
