using System.Buffers.Binary;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// COPY FROM input in PostgreSQL's binary format, arriving in chunks cut anywhere: the header (<c>PGCOPY\n\377\r\n\0</c>,
/// an Int32 of flags, the header extension's length and bytes), then per row an Int16 field count and per field an
/// Int32 length (-1 = NULL) and the value in its type's binary (send/receive) format, ended by a field count of -1.
/// Only the unfinished row is kept. Field values are left to the caller (the protocol's binary decoders).
/// </summary>
public sealed class CopyBinaryReader
{
    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;
    private bool _headerRead;

    /// <summary>True once the trailer (field count -1) was read.</summary>
    public bool SawTrailer { get; private set; }

    /// <summary>Rows returned so far (PostgreSQL's "line" in a binary COPY's CONTEXT).</summary>
    public long LineNumber { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (SawTrailer)
        {
            if (!data.IsEmpty)
            {
                throw new SqlException(SqlState.BadCopyFileFormat, "received copy data after EOF marker");
            }

            return;
        }

        int live = _end - _start;
        if (_end + data.Length > _buffer.Length)
        {
            byte[] target = live + data.Length > _buffer.Length ? new byte[Math.Max(_buffer.Length * 2, live + data.Length)] : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, live);
            _buffer = target;
            _start = 0;
            _end = live;
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>
    /// The next row's fields as (offset, length) into <see cref="Data"/> (length -1 = NULL), valid until the next
    /// <see cref="Append"/>. False when the row is not all here yet, or after the trailer.
    /// </summary>
    public bool TryReadRow(List<(int Offset, int Length)> fields, int expectedFields, bool final)
    {
        ArgumentNullException.ThrowIfNull(fields);
        fields.Clear();
        if (!_headerRead && !TryReadHeader(final))
        {
            return false;
        }

        if (SawTrailer)
        {
            return false;
        }

        ReadOnlySpan<byte> b = _buffer.AsSpan(_start, _end - _start);
        if (b.Length < 2)
        {
            return NeedMore(final, b.Length);
        }

        short count = BinaryPrimitives.ReadInt16BigEndian(b);
        if (count == -1)
        {
            _start += 2;
            SawTrailer = true;
            if (_end > _start)
            {
                throw new SqlException(SqlState.BadCopyFileFormat, "received copy data after EOF marker");
            }

            return false;
        }

        LineNumber++;
        if (count != expectedFields)
        {
            throw new SqlException(SqlState.BadCopyFileFormat, $"row field count is {count}, expected {expectedFields}");
        }

        int at = 2;
        for (int i = 0; i < count; i++)
        {
            if (b.Length < at + 4)
            {
                LineNumber--;
                return NeedMore(final, b.Length);
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(b[at..]);
            at += 4;
            if (length < -1)
            {
                throw new SqlException(SqlState.BadCopyFileFormat, "invalid field size");
            }

            if (length > 0 && b.Length < (long)at + length)
            {
                LineNumber--;
                return NeedMore(final, b.Length);
            }

            fields.Add((_start + at, length));
            at += Math.Max(0, length);
        }

        _start += at;
        return true;
    }

    /// <summary>The buffer that <see cref="TryReadRow"/>'s offsets point into.</summary>
    public ReadOnlySpan<byte> Data => _buffer;

    private bool TryReadHeader(bool final)
    {
        ReadOnlySpan<byte> b = _buffer.AsSpan(_start, _end - _start);
        if (b.Length < Signature.Length + 8)
        {
            if (b.Length >= Signature.Length && !b[..Signature.Length].SequenceEqual(Signature))
            {
                throw new SqlException(SqlState.BadCopyFileFormat, "COPY file signature not recognized");
            }

            if (final)
            {
                throw new SqlException(SqlState.BadCopyFileFormat, b.Length < Signature.Length ? "COPY file signature not recognized" : "invalid COPY file header (missing flags)");
            }

            return false;
        }

        if (!b[..Signature.Length].SequenceEqual(Signature))
        {
            throw new SqlException(SqlState.BadCopyFileFormat, "COPY file signature not recognized");
        }

        int flags = BinaryPrimitives.ReadInt32BigEndian(b[Signature.Length..]);
        if ((flags & (1 << 16)) != 0)
        {
            throw new SqlException(SqlState.BadCopyFileFormat, "invalid COPY file header (WITH OIDS)");
        }

        if ((flags & ~0xFFFF & ~(1 << 16)) != 0)
        {
            throw new SqlException(SqlState.BadCopyFileFormat, "unrecognized critical flags in COPY file header");
        }

        int extension = BinaryPrimitives.ReadInt32BigEndian(b[(Signature.Length + 4)..]);
        if (extension < 0)
        {
            throw new SqlException(SqlState.BadCopyFileFormat, "invalid COPY file header (missing length)");
        }

        long total = Signature.Length + 8L + extension;
        if (b.Length < total)
        {
            if (final)
            {
                throw new SqlException(SqlState.BadCopyFileFormat, "invalid COPY file header (wrong length)");
            }

            return false;
        }

        _start += (int)total;
        _headerRead = true;
        return true;
    }

    private static bool NeedMore(bool final, int have) =>
        final && have > 0 ? throw new SqlException(SqlState.BadCopyFileFormat, "unexpected EOF in COPY data") : false;

    /// <summary>The header every binary COPY TO starts with (no flags, no extension).</summary>
    public static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
}
