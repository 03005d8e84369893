using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// The COPY sub-protocol (the engine side is Core/Sql/Engine/CopyExecutor.cs). COPY FROM STDIN: CopyInResponse,
/// then the client's CopyData until CopyDone, or CopyFail (57014 "COPY from stdin failed: ..."); Flush and Sync
/// in between are ignored, as PostgreSQL ignores them (drivers send Sync right after an extended-protocol
/// Execute without knowing it was a COPY); any other message is 08P01. After an error the message loop drops
/// the rest of the client's copy messages. COPY TO STDOUT: CopyOutResponse, one CopyData per row, CopyDone,
/// sent in pieces as the buffer grows. Works the same from a simple Query and from an extended-protocol Execute.
/// </summary>
internal sealed partial class PgConnection
{
    /// <summary>A COPY's output is sent whenever this much is buffered.</summary>
    private const int CopyFlushBytes = 256 * 1024;

    private sealed class PgCopyChannel(PgConnection connection) : ICopyChannel
    {
        private bool _copyIn;

        public async ValueTask BeginCopyInAsync(CopyFormat format, int columns, CancellationToken cancellationToken)
        {
            connection.CopyResponse((byte)'G', format, columns);
            _copyIn = true;
            await connection._out.FlushAsync(connection._conn, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
        {
            while (_copyIn)
            {
                (byte Type, ReadOnlyMemory<byte> Body)? message;
                try
                {
                    message = await connection._in.ReadAsync(startup: false, cancellationToken).ConfigureAwait(false)
                        ?? throw new IOException("the client closed the connection during COPY FROM STDIN");
                }
                catch (Exception e) when (e is PgProtocolException or IOException or SocketException or ObjectDisposedException)
                {
                    // the connection is finished, not just the COPY: the statement fails (rolling back), then the
                    // message loop ends the connection with this exception (PgConnection.ThrowIfConnectionFailed)
                    _copyIn = false;
                    connection._connectionFailure = ExceptionDispatchInfo.Capture(e);
                    throw new SqlException(e is PgProtocolException ? SqlState.ProtocolViolation : SqlState.ConnectionFailure, e.Message);
                }

                if (message is not { } m)
                {
                    continue;
                }

                switch (m.Type)
                {
                    case (byte)'d':
                        if (!m.Body.IsEmpty)
                        {
                            return m.Body;
                        }

                        break;
                    case (byte)'c':
                        _copyIn = false;
                        return ReadOnlyMemory<byte>.Empty;
                    case (byte)'f':
                        _copyIn = false;
                        throw new SqlException(SqlState.QueryCanceled, "COPY from stdin failed: " + CopyFailMessage(m.Body.Span));
                    case (byte)'H' or (byte)'S':
                        break;
                    default:
                        _copyIn = false;
                        throw new SqlException(SqlState.ProtocolViolation, $"unexpected message type 0x{m.Type:X2} during COPY from stdin");
                }
            }

            return ReadOnlyMemory<byte>.Empty;
        }

        /// <summary>CopyFail's message; a malformed one (no NUL, invalid UTF-8) ends the connection like any malformed message.</summary>
        private string CopyFailMessage(ReadOnlySpan<byte> body)
        {
            try
            {
                return new PgBody(body).CString();
            }
            catch (PgProtocolException e)
            {
                connection._connectionFailure = ExceptionDispatchInfo.Capture(e);
                throw new SqlException(SqlState.ProtocolViolation, e.Message);
            }
        }

        public void AbandonCopyIn() => _copyIn = false; // the message loop drops CopyData, CopyDone and CopyFail outside a COPY

        public void BeginCopyOut(CopyFormat format, int columns) => connection.CopyResponse((byte)'H', format, columns);

        public void Write(ReadOnlySpan<byte> data)
        {
            PgWriter w = connection._out;
            w.Begin((byte)'d');
            w.Bytes(data);
            w.End();
        }

        public void WriteBinaryRow(ReadOnlySpan<SqlValue> row, IReadOnlyList<SqlType> types)
        {
            PgWriter w = connection._out;
            w.Begin((byte)'d');
            w.Int16((short)row.Length);
            for (int i = 0; i < row.Length; i++)
            {
                if (row[i].IsNull)
                {
                    w.Int32(-1);
                }
                else
                {
                    PgBinaryFormat.Write(w, row[i], types[i]);
                }
            }

            w.End();
        }

        public ValueTask FlushIfLargeAsync(CancellationToken cancellationToken) =>
            connection._out.Length >= CopyFlushBytes ? connection._out.FlushAsync(connection._conn, cancellationToken) : ValueTask.CompletedTask;

        public void EndCopyOut() => connection._out.Empty((byte)'c');

        public SqlValue DecodeBinary(ReadOnlySpan<byte> field, SqlType type)
        {
            try
            {
                return PgBinaryFormat.Read(field, type, 0);
            }
            catch (SqlException e) when (e.SqlState == "22P03")
            {
                throw new SqlException("22P03", "incorrect binary data format");
            }
        }

        public bool HasBinaryFormat(SqlType type) => PgBinaryFormat.CanSend(type) && type.Kind is not SqlTypeKind.Unknown;
    }

    /// <summary>The session's copy channel: set once the session exists.</summary>
    private ICopyChannel NewCopyChannel() => new PgCopyChannel(this);

    /// <summary>CopyInResponse ('G') / CopyOutResponse ('H'): the overall format and one format code per column.</summary>
    private void CopyResponse(byte type, CopyFormat format, int columns)
    {
        short code = format == CopyFormat.Binary ? (short)1 : (short)0;
        _out.Begin(type);
        _out.Byte((byte)code);
        _out.Int16((short)columns);
        for (int i = 0; i < columns; i++)
        {
            _out.Int16(code);
        }

        _out.End();
    }
}
