using System.Buffers;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Rows;

/// <summary>The property that makes index scans correct: byte order of encoded keys = SQL order of the values.</summary>
public class IndexKeyEncoderTests
{
    private static byte[] Encode(KeyColumnOrder order, params SqlValue[] values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (SqlValue v in values)
        {
            IndexKeyEncoder.Write(buffer, v, order);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>SQL order with NULLs placed as <paramref name="order"/> says.</summary>
    private static int SqlOrder(SqlValue a, SqlValue b, KeyColumnOrder order)
    {
        if (a.IsNull || b.IsNull)
        {
            int nulls = a.IsNull == b.IsNull ? 0 : a.IsNull ? 1 : -1; // NULL above values
            return order.NullsSortFirst ? -nulls : nulls;
        }

        int c = SqlCompare.Compare(a, b);
        return order.Descending ? -c : c;
    }

    private static IEnumerable<SqlValue> Samples(SqlTypeKind kind, Random random)
    {
        yield return SqlValue.Null;
        for (int i = 0; i < 60; i++)
        {
            yield return kind switch
            {
                SqlTypeKind.Int8 => SqlValue.FromInt8(i < 4 ? new[] { long.MinValue, long.MaxValue, 0, -1 }[i] : random.NextInt64(-1_000_000, 1_000_000)),
                SqlTypeKind.Float8 => SqlValue.FromFloat8(i < 5 ? new[] { double.NegativeInfinity, double.PositiveInfinity, double.NaN, -0.0, double.Epsilon }[i] : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-10, 10))),
                SqlTypeKind.Numeric => SqlValue.FromNumeric(i < 6
                    ? new[] { 0m, 1m, -1m, 10m, -10m, 0.001m }[i]
                    : Math.Round((decimal)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 12))), random.Next(0, 8))),
                SqlTypeKind.Text => SqlValue.FromText(i < 4 ? new[] { "", "a", "a\0", "ab" }[i] : new string(Enumerable.Range(0, random.Next(0, 6)).Select(_ => (char)random.Next(0, 300)).ToArray())),
                SqlTypeKind.Timestamp => SqlValue.FromTimestamp(random.NextInt64(-10_000_000_000_000, 10_000_000_000_000)),
                SqlTypeKind.Bool => SqlValue.FromBool(random.Next(2) == 1),
                _ => SqlValue.FromUuid(Guid.NewGuid()),
            };
        }
    }

    [Test]
    [Arguments(SqlTypeKind.Int8)]
    [Arguments(SqlTypeKind.Float8)]
    [Arguments(SqlTypeKind.Numeric)]
    [Arguments(SqlTypeKind.Text)]
    [Arguments(SqlTypeKind.Timestamp)]
    [Arguments(SqlTypeKind.Bool)]
    [Arguments(SqlTypeKind.Uuid)]
    public async Task Encoded_order_matches_sql_order_in_every_direction(SqlTypeKind kind)
    {
        var random = new Random(1234 + (int)kind);
        SqlValue[] values = [.. Samples(kind, random)];
        foreach (var order in new[] { new KeyColumnOrder(), new KeyColumnOrder(true), new KeyColumnOrder(false, true), new KeyColumnOrder(true, false) })
        {
            foreach (SqlValue a in values)
            {
                foreach (SqlValue b in values)
                {
                    int expected = Math.Sign(SqlOrder(a, b, order));
                    // a second column after the first must not disturb the order (self-delimiting parts)
                    int actual = Math.Sign(Encode(order, a, SqlValue.FromInt4(9)).AsSpan().SequenceCompareTo(Encode(order, b, SqlValue.FromInt4(1))));
                    if (expected != 0 && expected != actual)
                    {
                        throw new InvalidOperationException($"{kind} {order}: {a} vs {b}: SQL says {expected}, bytes say {actual}");
                    }

                    if (expected == 0)
                    {
                        await Assert.That(Encode(order, a).AsSpan().SequenceEqual(Encode(order, b))).IsTrue();
                    }
                }
            }
        }
    }

    [Test]
    public async Task Integers_of_any_width_encode_alike_and_json_is_not_indexable()
    {
        await Assert.That(Encode(default, SqlValue.FromInt4(7)).AsSpan().SequenceEqual(Encode(default, SqlValue.FromInt8(7)))).IsTrue();
        var e = Assert.Throws<SqlException>(() => Encode(default, SqlValue.FromString(SqlTypeKind.Json, "{}")));
        await Assert.That(e.SqlState).IsEqualTo("42704");
    }
}
