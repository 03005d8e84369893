using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Types;

/// <summary>Text input/output against what PostgreSQL 15 prints and accepts (values checked on a real server).</summary>
public class SqlTextTests
{
    [Test]
    [Arguments(1.0, "1")]
    [Arguments(0.1, "0.1")]
    [Arguments(-2.5, "-2.5")]
    [Arguments(1e15, "1e+15")]
    [Arguments(123456789012345.0, "123456789012345")]
    [Arguments(1e-5, "1e-05")]
    [Arguments(0.0001, "0.0001")]
    [Arguments(1.5e300, "1.5e+300")]
    [Arguments(100.0, "100")]
    [Arguments(0.30000000000000004, "0.30000000000000004")]
    public async Task Float8_prints_like_postgres(double value, string expected)
    {
        await Assert.That(SqlText.Format(SqlValue.FromFloat8(value))).IsEqualTo(expected);
        await Assert.That(SqlText.Parse(expected, SqlType.Float8).AsDouble).IsEqualTo(value);
    }

    [Test]
    public async Task Float_specials_and_float4_layout()
    {
        await Assert.That(SqlText.Format(SqlValue.FromFloat8(double.NaN))).IsEqualTo("NaN");
        await Assert.That(SqlText.Format(SqlValue.FromFloat8(double.NegativeInfinity))).IsEqualTo("-Infinity");
        await Assert.That(SqlText.Format(SqlValue.FromFloat4(1e6f))).IsEqualTo("1e+06");
        await Assert.That(SqlText.Format(SqlValue.FromFloat4(123456f))).IsEqualTo("123456");
        await Assert.That(SqlText.Format(SqlValue.FromFloat4(0.1f))).IsEqualTo("0.1");
        await Assert.That(double.IsPositiveInfinity(SqlText.Parse(" Infinity ", SqlType.Float8).AsDouble)).IsTrue();
        var overflow = Assert.Throws<SqlException>(() => SqlText.Parse("1e400", SqlType.Float8));
        await Assert.That(overflow.SqlState).IsEqualTo(SqlState.NumericValueOutOfRange);
    }

    [Test]
    public async Task Integers_check_range_and_syntax_with_postgres_messages()
    {
        await Assert.That(SqlText.Parse(" -42 ", SqlType.Int4).AsInt64).IsEqualTo(-42);
        var range = Assert.Throws<SqlException>(() => SqlText.Parse("2147483648", SqlType.Int4));
        await Assert.That(range.SqlState).IsEqualTo("22003");
        await Assert.That(range.Message).IsEqualTo("value \"2147483648\" is out of range for type integer");
        var syntax = Assert.Throws<SqlException>(() => SqlText.Parse("12a", SqlType.Int8));
        await Assert.That(syntax.SqlState).IsEqualTo("22P02");
        await Assert.That(syntax.Message).IsEqualTo("invalid input syntax for type bigint: \"12a\"");
        var huge = Assert.Throws<SqlException>(() => SqlText.Parse("99999999999999999999", SqlType.Int8));
        await Assert.That(huge.SqlState).IsEqualTo("22003");
    }

    [Test]
    [Arguments("t", true)]
    [Arguments("TRUE", true)]
    [Arguments("yes", true)]
    [Arguments("on", true)]
    [Arguments("1", true)]
    [Arguments("f", false)]
    [Arguments("of", false)]
    [Arguments("no", false)]
    [Arguments(" false ", false)]
    public async Task Booleans_accept_postgres_spellings(string text, bool expected)
    {
        await Assert.That(SqlText.ParseBool(text)).IsEqualTo(expected);
    }

    [Test]
    public async Task Bad_boolean_is_22P02()
    {
        var e = Assert.Throws<SqlException>(() => SqlText.ParseBool("o"));
        await Assert.That(e.Message).IsEqualTo("invalid input syntax for type boolean: \"o\"");
    }

    [Test]
    public async Task Dates_and_timestamps_round_trip_in_iso()
    {
        SqlValue d = SqlText.Parse("2024-02-29", SqlType.Date);
        await Assert.That(SqlText.Format(d)).IsEqualTo("2024-02-29");
        await Assert.That(SqlText.Parse("1970-01-02", SqlType.Date).AsDate).IsEqualTo(1);
        await Assert.That(SqlText.Parse("1969-12-31", SqlType.Date).AsDate).IsEqualTo(-1);

        SqlValue ts = SqlText.Parse("2024-03-01 12:34:56.789", SqlType.Timestamp);
        await Assert.That(SqlText.Format(ts)).IsEqualTo("2024-03-01 12:34:56.789");
        await Assert.That(SqlText.Format(SqlText.Parse("2024-03-01T00:00:00", SqlType.Timestamp))).IsEqualTo("2024-03-01 00:00:00");
        await Assert.That(SqlText.Format(SqlText.Parse("1960-01-01 10:00:00", SqlType.Timestamp))).IsEqualTo("1960-01-01 10:00:00");

        // timestamptz converts an offset to UTC and prints +00 (session TimeZone = UTC)
        SqlValue tz = SqlText.Parse("2024-03-01 12:00:00+02", SqlType.TimestampTz);
        await Assert.That(SqlText.Format(tz)).IsEqualTo("2024-03-01 10:00:00+00");
        await Assert.That(SqlText.Format(SqlText.Parse("2024-03-01 12:00:00-05:30", SqlType.TimestampTz))).IsEqualTo("2024-03-01 17:30:00+00");

        var bad = Assert.Throws<SqlException>(() => SqlText.Parse("2024-02-30", SqlType.Date));
        await Assert.That(bad.SqlState).IsEqualTo("22008");
        var junk = Assert.Throws<SqlException>(() => SqlText.Parse("yesterday-ish", SqlType.Date));
        await Assert.That(junk.SqlState).IsEqualTo("22007");
        await Assert.That(SqlText.Format(SqlText.Parse("13:05", SqlType.Time))).IsEqualTo("13:05:00");
    }

    [Test]
    [Arguments("1 day", "1 day")]
    [Arguments("2 hours 30 minutes", "02:30:00")]
    [Arguments("1 year 2 months 3 days 04:05:06", "1 year 2 mons 3 days 04:05:06")]
    [Arguments("1.5 days", "1 day 12:00:00")]
    [Arguments("-1 days", "-1 days")]
    [Arguments("1 day ago", "-1 days")]
    [Arguments("0 seconds", "00:00:00")]
    [Arguments("90 minutes", "01:30:00")]
    [Arguments("1 week", "7 days")]
    [Arguments("@ 3 mons", "3 mons")]
    [Arguments("10 ms", "00:00:00.01")]
    public async Task Intervals_parse_and_print_in_postgres_style(string input, string expected)
    {
        await Assert.That(SqlText.Format(SqlText.Parse(input, SqlType.Interval))).IsEqualTo(expected);
    }

    [Test]
    [Arguments("6666666666666666666666666661 year")]
    [Arguments("1 day 04:05:022222222222222222222222226")]
    public async Task Interval_fields_beyond_decimal_are_22015_not_a_crash(string input)
    {
        // found by PgDecoderFuzzTests: the field arithmetic overflowed decimal (OverflowException, XX000 on the wire)
        var e = Assert.Throws<SqlException>(() => SqlText.Parse(input, SqlType.Interval));
        await Assert.That(e.SqlState).IsEqualTo("22015");
        await Assert.That(e.Message).IsEqualTo($"interval field value out of range: \"{input}\"");
    }

    [Test]
    public async Task Bytea_uuid_numeric_and_arrays()
    {
        await Assert.That(SqlText.Format(SqlValue.FromBytea([0xDE, 0xAD, 0x00]))).IsEqualTo("\\xdead00");
        await Assert.That(SqlText.Parse("\\xDEAD", SqlType.Bytea).AsBytes).IsEquivalentTo(new byte[] { 0xDE, 0xAD });
        await Assert.That(SqlText.Parse("a\\000\\\\", SqlType.Bytea).AsBytes).IsEquivalentTo(new byte[] { (byte)'a', 0, (byte)'\\' });

        const string id = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
        await Assert.That(SqlText.Format(SqlText.Parse(id.ToUpperInvariant(), SqlType.Uuid))).IsEqualTo(id);
        await Assert.That(SqlText.Format(SqlText.Parse("{" + id + "}", SqlType.Uuid))).IsEqualTo(id);

        await Assert.That(SqlText.Format(SqlText.Parse("12.50", SqlType.Numeric))).IsEqualTo("12.50");
        await Assert.That(SqlText.Format(SqlText.Parse("1e3", SqlType.Numeric))).IsEqualTo("1000");

        SqlValue array = SqlText.Parse("{1, 2,NULL}", SqlType.Int4.ArrayOf());
        await Assert.That(array.AsArray.Items.Count).IsEqualTo(3);
        await Assert.That(array.AsArray.Items[2].IsNull).IsTrue();
        await Assert.That(SqlText.Format(array)).IsEqualTo("{1,2,NULL}");
        SqlValue texts = SqlText.Parse("{\"a b\",\"c\\\"d\",\"\",NULL,\"NULL\"}", SqlType.Text.ArrayOf());
        await Assert.That(texts.AsArray.Items[1].AsString).IsEqualTo("c\"d");
        await Assert.That(texts.AsArray.Items[3].IsNull).IsTrue();
        await Assert.That(texts.AsArray.Items[4].AsString).IsEqualTo("NULL");
        await Assert.That(SqlText.Format(texts)).IsEqualTo("{\"a b\",\"c\\\"d\",\"\",NULL,\"NULL\"}");
    }

    [Test]
    public async Task Type_names_resolve_with_modifiers()
    {
        await Assert.That(SqlTypeInfo.Resolve("character varying", [20]).ToString()).IsEqualTo("character varying(20)");
        await Assert.That(SqlTypeInfo.Resolve("numeric", [10, 2]).ToString()).IsEqualTo("numeric(10,2)");
        await Assert.That(SqlTypeInfo.Resolve("int4", isArray: true).ToString()).IsEqualTo("integer[]");
        await Assert.That(SqlTypeInfo.Resolve("_text").PgOid).IsEqualTo(1009);
        await Assert.That(SqlTypeInfo.Resolve("pg_catalog.int8").PgOid).IsEqualTo(20);
        await Assert.That(SqlTypeInfo.Resolve("char").ToString()).IsEqualTo("character(1)");
        var e = Assert.Throws<SqlException>(() => SqlTypeInfo.Resolve("nosuchtype"));
        await Assert.That(e.SqlState).IsEqualTo("42704");
        await Assert.That(e.Message).IsEqualTo("type \"nosuchtype\" does not exist");
    }
}

/// <summary>Text order is code point order (PostgreSQL's "C" collation, UTF-8 byte order), the order index keys sort in.</summary>
public class SqlTextOrderTests
{
    [Test]
    [Arguments("\uffff", "\U0001D11E")]
    [Arguments("\ue000x", "\U0001F600")]
    [Arguments("a", "ab")]
    [Arguments("", "a")]
    [Arguments("Z", "a")]
    [Arguments("é", "\U0001D11E")]
    public async Task Strings_compare_by_code_point_like_their_utf8_bytes(string lower, string higher)
    {
        await Assert.That(SqlCompare.Compare(SqlValue.FromText(lower), SqlValue.FromText(higher))).IsLessThan(0);
        await Assert.That(SqlCompare.Compare(SqlValue.FromText(higher), SqlValue.FromText(lower))).IsGreaterThan(0);
        byte[] a = System.Text.Encoding.UTF8.GetBytes(lower), b = System.Text.Encoding.UTF8.GetBytes(higher);
        await Assert.That(a.AsSpan().SequenceCompareTo(b)).IsLessThan(0);
    }
}
