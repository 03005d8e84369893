using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// How a COPY reaches its client: the protocol front end implements it (PostgreSQL: CopyInResponse, CopyData,
/// CopyDone, CopyFail, CopyOutResponse) and sets it on the session (<see cref="SqlSession.CopyChannel"/>). The
/// binary value formats belong to the protocol, so binary fields are encoded and decoded here too.
/// </summary>
public interface ICopyChannel
{
    /// <summary>Tells the client to start sending (CopyInResponse), and sends it now.</summary>
    ValueTask BeginCopyInAsync(CopyFormat format, int columns, CancellationToken cancellationToken);

    /// <summary>
    /// The next chunk of copy data, valid until the next call; empty at the end of the data (CopyDone). The client
    /// abandoning the copy (CopyFail) is thrown as a <see cref="SqlException"/> 57014.
    /// </summary>
    ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called when COPY FROM stops on an error: the protocol drops the rest of the client's copy data (PostgreSQL
    /// discards CopyData until CopyDone or CopyFail).
    /// </summary>
    void AbandonCopyIn();

    /// <summary>Starts the output (CopyOutResponse).</summary>
    void BeginCopyOut(CopyFormat format, int columns);

    /// <summary>One chunk of text, CSV or binary framing bytes (a CopyData message).</summary>
    void Write(ReadOnlySpan<byte> data);

    /// <summary>One row in binary format: the Int16 field count and each field's Int32 length and send-format bytes.</summary>
    void WriteBinaryRow(ReadOnlySpan<SqlValue> row, IReadOnlyList<SqlType> types);

    /// <summary>Sends what is buffered when it is large, so a big COPY TO streams instead of accumulating.</summary>
    ValueTask FlushIfLargeAsync(CancellationToken cancellationToken);

    /// <summary>Ends the output (CopyDone).</summary>
    void EndCopyOut();

    /// <summary>Decodes one binary COPY field of column type <paramref name="type"/> (its receive function).</summary>
    SqlValue DecodeBinary(ReadOnlySpan<byte> field, SqlType type);

    /// <summary>Whether <paramref name="type"/> has a binary format here (binary COPY of other types is refused).</summary>
    bool HasBinaryFormat(SqlType type);
}
