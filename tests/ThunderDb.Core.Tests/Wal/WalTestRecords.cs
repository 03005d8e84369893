using System.Text;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Tests.Wal;

/// <summary>Writes and reads small commit records for WAL tests.</summary>
internal static class WalTestRecords
{
    public static WalOptions Options(string dir, long segmentSize = 4096, int bufferSize = 64 << 10) =>
        new() { Directory = dir, SegmentSize = segmentSize, BufferSize = bufferSize, SyncCommit = true };

    /// <summary>Appends one commit record for transaction <paramref name="id"/> and returns the LSN it ends at.</summary>
    public static ulong Append(WriteAheadLog wal, long id, int valueLength = 20)
    {
        using var builder = new WalRecordBuilder();
        builder.AddPut(Encoding.ASCII.GetBytes($"key-{id}"), Value(id, valueLength));
        if (id % 3 == 0)
        {
            builder.AddDelete(Encoding.ASCII.GetBytes($"gone-{id}"));
        }

        var record = builder.Complete();
        var lsn = wal.Reserve(record.Length);
        WalRecord.Seal(record, WalRecordType.Commit, lsn, id, (ulong)id, 1_700_000_000_000 + id, wal.FlushedLsn);
        wal.Publish(lsn, record);
        return lsn + (ulong)record.Length;
    }

    public static byte[] Value(long id, int length)
    {
        var value = new byte[length];
        for (var i = 0; i < length; i++)
        {
            value[i] = (byte)(id * 31 + i);
        }

        return value;
    }

    /// <summary>Checks a replayed record is the one <see cref="Append"/> wrote for its id; returns the id.</summary>
    public static long Verify(ReadOnlySpan<byte> record)
    {
        var id = WalRecord.ReadTxnId(record);
        var ops = new WalOpReader(record);
        if (!ops.MoveNext() || ops.Kind != WalOpKind.Put || !ops.Key.SequenceEqual(Encoding.ASCII.GetBytes($"key-{id}")) ||
            !ops.Value.SequenceEqual(Value(id, ops.Value.Length)) || WalRecord.ReadCommitTs(record) != (ulong)id)
        {
            throw new InvalidDataException($"record {id} does not hold what was written");
        }

        if (id % 3 == 0 && (!ops.MoveNext() || ops.Kind != WalOpKind.Delete))
        {
            throw new InvalidDataException($"record {id} lost its delete");
        }

        return id;
    }
}
