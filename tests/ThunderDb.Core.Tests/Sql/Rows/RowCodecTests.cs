using System.Buffers;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Rows;

public class RowCodecTests
{
    [Test]
    public async Task Every_type_round_trips_with_nulls()
    {
        SqlType[] types =
        [
            SqlType.Bool, SqlType.Int2, SqlType.Int4, SqlType.Int8, SqlType.Float4, SqlType.Float8, SqlType.NumericOf(10, 2), SqlType.Text,
            SqlType.Varchar(10), SqlType.Char(3), SqlType.Bytea, SqlType.Date, SqlType.Time, SqlType.Timestamp, SqlType.TimestampTz,
            SqlType.Interval, SqlType.Uuid, SqlType.Jsonb, SqlType.Int4.ArrayOf(), SqlType.Text, SqlType.Int8,
        ];
        SqlValue[] row =
        [
            SqlValue.FromBool(true), SqlValue.FromInt2(-7), SqlValue.FromInt4(int.MinValue), SqlValue.FromInt8(long.MaxValue),
            SqlValue.FromFloat4(1.5f), SqlValue.FromFloat8(-0.1), SqlValue.FromNumeric(-12.34m), SqlValue.FromText("héllo\0"),
            SqlValue.FromString(SqlTypeKind.Varchar, ""), SqlValue.FromString(SqlTypeKind.Char, "ab "), SqlValue.FromBytea([1, 2, 3]),
            SqlValue.FromDate(-400), SqlValue.FromTime(3_600_000_001), SqlValue.FromTimestamp(-1), SqlValue.FromTimestampTz(1_700_000_000_000_000),
            SqlValue.FromInterval(-3, 4, -5), SqlValue.FromUuid(Guid.NewGuid()), SqlValue.FromString(SqlTypeKind.Jsonb, "{\"a\":1}"),
            SqlValue.FromArray(new SqlArray(SqlType.Int4, [SqlValue.FromInt4(1), SqlValue.Null])), SqlValue.Null, SqlValue.FromInt8(0),
        ];
        var buffer = new ArrayBufferWriter<byte>();
        RowCodec.Write(buffer, row, types);
        var decoded = new SqlValue[row.Length];
        int stored = RowCodec.Read(buffer.WrittenSpan, decoded, types);
        await Assert.That(stored).IsEqualTo(row.Length);
        for (int i = 0; i < row.Length; i++)
        {
            await Assert.That(decoded[i].IsNull).IsEqualTo(row[i].IsNull);
            if (!row[i].IsNull)
            {
                await Assert.That(SqlText.Format(decoded[i])).IsEqualTo(SqlText.Format(row[i]));
                await Assert.That(decoded[i].Kind).IsEqualTo(row[i].Kind);
            }
        }
    }

    [Test]
    public async Task Reading_some_columns_skips_every_other_type_and_decodes_the_rest()
    {
        SqlType[] types =
        [
            SqlType.Bool, SqlType.Int2, SqlType.Int8, SqlType.Float4, SqlType.Float8, SqlType.NumericOf(10, 2), SqlType.Text, SqlType.Bytea,
            SqlType.Date, SqlType.Timestamp, SqlType.Interval, SqlType.Uuid, SqlType.Jsonb, SqlType.Text.ArrayOf(), SqlType.Int4,
        ];
        SqlValue[] row =
        [
            SqlValue.FromBool(true), SqlValue.FromInt2(-7), SqlValue.FromInt8(long.MinValue), SqlValue.FromFloat4(1.5f), SqlValue.FromFloat8(-0.1),
            SqlValue.FromNumeric(-12.34m), SqlValue.FromText("héllo"), SqlValue.FromBytea([1, 2, 3]), SqlValue.FromDate(-400),
            SqlValue.FromTimestamp(-1), SqlValue.FromInterval(-3, 4, -5), SqlValue.FromUuid(Guid.NewGuid()), SqlValue.FromString(SqlTypeKind.Jsonb, "{}"),
            SqlValue.FromArray(new SqlArray(SqlType.Text, [SqlValue.FromText("a"), SqlValue.Null])), SqlValue.FromInt4(42),
        ];
        var buffer = new ArrayBufferWriter<byte>();
        RowCodec.Write(buffer, row, types);
        for (int wanted = 0; wanted < row.Length; wanted++)
        {
            var needed = new bool[row.Length];
            needed[wanted] = true;
            var decoded = new SqlValue[row.Length];
            RowCodec.Read(buffer.WrittenSpan, decoded, types, needed);
            for (int i = 0; i < row.Length; i++)
            {
                await Assert.That(decoded[i].IsNull).IsEqualTo(i != wanted);
            }

            await Assert.That(SqlText.Format(decoded[wanted])).IsEqualTo(SqlText.Format(row[wanted]));
        }
    }

    [Test]
    public async Task Multidimensional_arrays_keep_their_shape_and_one_dimensional_rows_read_as_before()
    {
        SqlType ints = SqlType.Int4.ArrayOf();
        SqlValue grid = SqlText.Parse("{{1,NULL,3},{4,5,6}}", ints);
        SqlValue flat = SqlText.Parse("{1,NULL,3,4,5,6}", ints);
        var buffer = new ArrayBufferWriter<byte>();
        RowCodec.Write(buffer, [grid, flat, SqlValue.FromInt4(9)], [ints, ints, SqlType.Int4]);
        var back = new SqlValue[3];
        RowCodec.Read(buffer.WrittenSpan, back, [ints, ints, SqlType.Int4]);
        await Assert.That(SqlText.Format(back[0])).IsEqualTo("{{1,NULL,3},{4,5,6}}");
        await Assert.That(back[0].AsArray.Lengths).IsEquivalentTo(new[] { 2, 3 });
        await Assert.That(SqlText.Format(back[1])).IsEqualTo("{1,NULL,3,4,5,6}");
        await Assert.That(back[2].AsInt32).IsEqualTo(9);
        var some = new SqlValue[3];
        RowCodec.Read(buffer.WrittenSpan, some, [ints, ints, SqlType.Int4], [false, true, true]); // the 2-D array skipped
        await Assert.That(SqlText.Format(some[1])).IsEqualTo("{1,NULL,3,4,5,6}");
        await Assert.That(some[2].AsInt32).IsEqualTo(9);
    }

    [Test]
    public async Task A_row_stored_before_columns_were_added_reads_with_the_new_columns_null()
    {
        var buffer = new ArrayBufferWriter<byte>();
        RowCodec.Write(buffer, [SqlValue.FromInt4(1), SqlValue.FromText("x")], [SqlType.Int4, SqlType.Text]);
        var wider = new SqlValue[3];
        int stored = RowCodec.Read(buffer.WrittenSpan, wider, [SqlType.Int4, SqlType.Text, SqlType.Int8]);
        await Assert.That(stored).IsEqualTo(2);
        await Assert.That(wider[1].AsString).IsEqualTo("x");
        await Assert.That(wider[2].IsNull).IsTrue();
    }
}
