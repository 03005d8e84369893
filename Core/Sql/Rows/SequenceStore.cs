using System.Buffers;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Sql.Rows;

/// <summary>
/// Sequence values under <c>'S' oid</c>. In this version nextval is transactional (a rolled-back nextval gives its
/// value back, and two sessions drawing from one sequence at once conflict like writers of one row), unlike
/// PostgreSQL, where sequences never roll back.
/// </summary>
public static class SequenceStore
{
    public static byte[] Key(uint oid)
    {
        var key = new byte[5];
        key[0] = Keys.KeyspaceTag.Sequence;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(1), oid);
        return key;
    }

    public static long Next(IKvTransaction txn, SequenceDef seq)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(seq);
        byte[] key = Key(seq.Oid);
        var buffer = new ArrayBufferWriter<byte>(8);
        long next;
        if (txn.TryGet(key, buffer))
        {
            long current = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(buffer.WrittenSpan);
            next = current + seq.Increment;
            if (next > seq.Max || next < seq.Min || (seq.Increment > 0 && next < current) || (seq.Increment < 0 && next > current))
            {
                if (!seq.Cycle)
                {
                    throw new SqlException("2200H", $"nextval: reached {(seq.Increment > 0 ? "maximum" : "minimum")} value of sequence \"{seq.Name}\" ({(seq.Increment > 0 ? seq.Max : seq.Min)})");
                }

                next = seq.Increment > 0 ? seq.Min : seq.Max;
            }
        }
        else
        {
            next = seq.Start;
        }

        Span<byte> value = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(value, next);
        txn.Put(key, value);
        return next;
    }
}
