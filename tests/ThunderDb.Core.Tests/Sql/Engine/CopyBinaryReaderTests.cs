using System.Buffers.Binary;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;

namespace ThunderDb.Core.Tests.Sql.Engine;

public class CopyBinaryReaderTests
{
    private static byte[] File(params (int Length, byte[] Value)[][] rows)
    {
        var b = new List<byte>(CopyBinaryReader.Header.ToArray());
        foreach ((int Length, byte[] Value)[] row in rows)
        {
            b.AddRange([(byte)(row.Length >> 8), (byte)row.Length]);
            foreach ((int length, byte[] value) in row)
            {
                var n = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(n, length);
                b.AddRange(n);
                b.AddRange(value);
            }
        }

        b.AddRange([0xFF, 0xFF]);
        return [.. b];
    }

    private static List<string> Read(byte[] input, int columns, int chunk)
    {
        var reader = new CopyBinaryReader();
        var fields = new List<(int Offset, int Length)>();
        var rows = new List<string>();
        void Drain(bool final)
        {
            while (reader.TryReadRow(fields, columns, final))
            {
                rows.Add(string.Join("|", fields.Select(f => f.Length < 0 ? "<null>" : Convert.ToHexString(reader.Data.Slice(f.Offset, f.Length)))));
            }
        }

        for (int at = 0; at < input.Length; at += chunk)
        {
            reader.Append(input.AsSpan(at, Math.Min(chunk, input.Length - at)));
            Drain(final: false);
        }

        Drain(final: true);
        return rows;
    }

    [Test]
    public async Task Rows_null_fields_and_the_trailer_read_the_same_at_every_chunk_size()
    {
        byte[] file = File([(4, [0, 0, 0, 7]), (-1, [])], [(0, []), (2, [0xAB, 0xCD])]);
        for (int chunk = 1; chunk <= file.Length; chunk++)
        {
            List<string> rows = Read(file, 2, chunk);
            await Assert.That(rows).IsEquivalentTo(new[] { "00000007|<null>", "|ABCD" }).Because($"chunk {chunk}");
        }
    }

    [Test]
    public async Task Bad_headers_counts_and_truncation_are_22P04()
    {
        byte[] good = File([(4, [0, 0, 0, 1])]);
        (byte[] Input, int Columns, string Message)[] cases =
        [
            ([.. "NOTCOPY\n\xFF\r\n\0"u8.ToArray(), .. new byte[10]], 1, "COPY file signature not recognized"),
            ([.. good[..11], 0, 1, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF], 1, "invalid COPY file header (WITH OIDS)"),
            (good, 2, "row field count is 1, expected 2"),
            (good[..^4], 1, "unexpected EOF in COPY data"),
            ([.. good, 0], 1, "received copy data after EOF marker"),
            // lengths near int.MaxValue once overflowed the bounds checks (found by PgDecoderFuzzTests)
            ([.. good[..15], 0x7F, 0xFF, 0xFF, 0xFF, 0, 1, 0, 0, 0, 0], 1, "invalid COPY file header (wrong length)"),
            ([.. good[..21], 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], 1, "unexpected EOF in COPY data"),
        ];
        foreach ((byte[] input, int columns, string message) in cases)
        {
            SqlException e = Assert.Throws<SqlException>(() => Read(input, columns, input.Length));
            await Assert.That(e.SqlState).IsEqualTo("22P04").Because(message);
            await Assert.That(e.Message).IsEqualTo(message);
        }
    }
}
