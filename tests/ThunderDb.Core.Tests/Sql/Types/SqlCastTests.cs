using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Types;

public class SqlCastTests
{
    [Test]
    public async Task Varchar_length_errors_on_assignment_and_truncates_on_explicit_cast()
    {
        SqlValue text = SqlValue.FromText("abcdef");
        var e = Assert.Throws<SqlException>(() => SqlCast.Coerce(text, SqlType.Varchar(3)));
        await Assert.That(e.SqlState).IsEqualTo("22001");
        await Assert.That(e.Message).IsEqualTo("value too long for type character varying(3)");
        await Assert.That(SqlCast.Coerce(text, SqlType.Varchar(3), isExplicit: true).AsString).IsEqualTo("abc");
        // trailing spaces beyond the length are cut silently, as the standard says
        await Assert.That(SqlCast.Coerce(SqlValue.FromText("ab   "), SqlType.Varchar(3)).AsString).IsEqualTo("ab ");
        // char(n) pads, and loses the padding when it becomes text
        SqlValue padded = SqlCast.Coerce(SqlValue.FromText("ab"), SqlType.Char(4));
        await Assert.That(padded.AsString).IsEqualTo("ab  ");
        await Assert.That(SqlCast.Coerce(padded, SqlType.Text).AsString).IsEqualTo("ab");
    }

    [Test]
    public async Task Numbers_convert_with_postgres_rounding_and_range_errors()
    {
        await Assert.That(SqlCast.Coerce(SqlValue.FromFloat8(2.5), SqlType.Int4).AsInt64).IsEqualTo(2); // rint: half to even
        await Assert.That(SqlCast.Coerce(SqlValue.FromFloat8(3.5), SqlType.Int4).AsInt64).IsEqualTo(4);
        await Assert.That(SqlCast.Coerce(SqlValue.FromNumeric(2.5m), SqlType.Int4).AsInt64).IsEqualTo(3); // numeric: half away from zero
        var e = Assert.Throws<SqlException>(() => SqlCast.Coerce(SqlValue.FromInt8(40000), SqlType.Int2));
        await Assert.That(e.Message).IsEqualTo("smallint out of range");
        await Assert.That(e.SqlState).IsEqualTo("22003");

        SqlValue money = SqlCast.Coerce(SqlValue.FromText("12.345"), SqlType.NumericOf(5, 2));
        await Assert.That(SqlText.Format(money)).IsEqualTo("12.35");
        await Assert.That(SqlText.Format(SqlCast.Coerce(SqlValue.FromInt4(7), SqlType.NumericOf(5, 2)))).IsEqualTo("7.00");
        var overflow = Assert.Throws<SqlException>(() => SqlCast.Coerce(SqlValue.FromInt4(1000), SqlType.NumericOf(5, 2)));
        await Assert.That(overflow.Message).IsEqualTo("numeric field overflow");
        await Assert.That(SqlText.Format(SqlCast.Coerce(SqlValue.FromFloat8(0.1), SqlType.Numeric))).IsEqualTo("0.1");
    }

    [Test]
    public async Task Text_converts_through_the_input_function_and_values_print_as_text()
    {
        await Assert.That(SqlCast.Coerce(SqlValue.FromString(SqlTypeKind.Unknown, "42"), SqlType.Int8).AsInt64).IsEqualTo(42);
        await Assert.That(SqlCast.Coerce(SqlValue.FromBool(true), SqlType.Text).AsString).IsEqualTo("true");
        await Assert.That(SqlCast.Coerce(SqlValue.FromDate(0), SqlType.Timestamp).AsMicros).IsEqualTo(0);
        await Assert.That(SqlCast.Coerce(SqlValue.FromInt4(1), SqlType.Bool, isExplicit: true).AsBool).IsTrue();
        var e = Assert.Throws<SqlException>(() => SqlCast.Coerce(SqlValue.FromDate(0), SqlType.Int4));
        await Assert.That(e.SqlState).IsEqualTo("42846");
        await Assert.That(e.Message).IsEqualTo("cannot cast type date to integer");
        SqlValue ints = SqlCast.Coerce(SqlValue.FromText("{1,2}"), SqlType.Int8.ArrayOf());
        await Assert.That(ints.AsArray.Items[1].AsInt64).IsEqualTo(2);
    }

    [Test]
    public async Task Comparison_crosses_number_kinds_and_orders_nan_last()
    {
        await Assert.That(SqlCompare.Compare(SqlValue.FromInt4(2), SqlValue.FromNumeric(2.0m))).IsEqualTo(0);
        await Assert.That(SqlCompare.Compare(SqlValue.FromInt8(3), SqlValue.FromFloat8(2.5))).IsGreaterThan(0);
        await Assert.That(SqlCompare.Compare(SqlValue.FromFloat8(double.NaN), SqlValue.FromFloat8(double.PositiveInfinity))).IsGreaterThan(0);
        await Assert.That(SqlCompare.Compare(SqlValue.FromString(SqlTypeKind.Char, "a  "), SqlValue.FromText("a"))).IsEqualTo(0);
        await Assert.That(SqlCompare.Hash(SqlValue.FromInt4(5))).IsEqualTo(SqlCompare.Hash(SqlValue.FromNumeric(5m)));
        await Assert.That(SqlCompare.Compare(SqlText.Parse("1 mon", SqlType.Interval), SqlText.Parse("30 days", SqlType.Interval))).IsEqualTo(0);
        await Assert.That(SqlCompare.Compare(SqlValue.FromDate(1), SqlValue.FromTimestamp(SqlDateTime.MicrosPerDay - 1))).IsGreaterThan(0);
        var e = Assert.Throws<SqlException>(() => SqlCompare.Compare(SqlValue.FromInt4(1), SqlValue.FromDate(1)));
        await Assert.That(e.SqlState).IsEqualTo("42883");
    }
}
