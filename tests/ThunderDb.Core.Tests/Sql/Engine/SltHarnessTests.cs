using ThunderDb.SqlLogicTest;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>
/// The shared sqllogictest harness (tests/ThunderDb.SqlLogicTest) against values the reference runner produces: glibc's
/// <c>%.3f</c> and <c>strtol</c>, psqlODBC's booleans, the T column's <c>(empty)</c> and <c>@</c>, the hash, and the
/// script reader's conditions with trailing comments.
/// </summary>
public class SltHarnessTests
{
    [Test]
    [Arguments(0.0625, "0.062")] // exactly representable tie: to even
    [Arguments(-0.0001, "-0.000")]
    [Arguments(1.0005, "1.000")] // the double is just below 1.0005
    [Arguments(2.0005, "2.001")] // ... and this one just above
    [Arguments(-12.5, "-12.500")]
    [Arguments(1e20, "100000000000000000000.000")]
    public async Task R_is_printf_three_decimals_of_the_exact_double(double value, string printed) =>
        await Assert.That(CNumbers.FormatFixed3(value)).IsEqualTo(printed);

    [Test]
    [Arguments("2.9", 'I', "2")]
    [Arguments("-1.9", 'I', "-1")]
    [Arguments("1e+20", 'I', "1")]
    [Arguments("abc", 'I', "0")]
    [Arguments(" 42x", 'I', "42")]
    [Arguments("12.3333333333333333", 'R', "12.333")]
    [Arguments("Infinity", 'R', "inf")]
    [Arguments("", 'T', "(empty)")]
    [Arguments("caf\u00e9\t", 'T', "caf@@@")]
    public async Task Values_convert_as_the_odbc_driver_does(string text, char type, string formatted) =>
        await Assert.That(SltValues.Format(new SltCell(text), type)).IsEqualTo(formatted);

    [Test]
    public async Task Booleans_are_one_and_zero_and_null_is_NULL()
    {
        await Assert.That(SltValues.Format(new SltCell("t", IsBool: true), 'T')).IsEqualTo("1");
        await Assert.That(SltValues.Format(new SltCell("f", IsBool: true), 'I')).IsEqualTo("0");
        await Assert.That(SltValues.Format(new SltCell(null), 'R')).IsEqualTo("NULL");
    }

    [Test]
    public async Task Hash_is_md5_of_each_value_and_a_newline() =>
        await Assert.That(SltValues.HashLine(["1", "2"])).IsEqualTo("2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0");

    [Test]
    public async Task Conditions_ignore_trailing_comments_and_comment_lines_vanish()
    {
        IReadOnlyList<SltRecord> records = SltScript.Parse("""
            skipif postgresql # PostgreSQL requires AS
            query I rowsort label-1
            SELECT 1
            ----
            # a comment between results
            1

            onlyif mysql # DIV
            statement ok
            SELECT 1 DIV 2
            """);
        await Assert.That(records.Count).IsEqualTo(2);
        await Assert.That(records[0].SkippedOn("PostgreSQL")).IsTrue();
        await Assert.That(records[0].Label).IsEqualTo("label-1");
        await Assert.That(records[0].Expected!).IsEquivalentTo(["1"]);
        await Assert.That(records[1].SkippedOn("postgresql")).IsTrue();
        await Assert.That(records[1].SkippedOn("mysql")).IsFalse();
    }

    [Test]
    public async Task Rowsort_orders_rows_column_by_column()
    {
        List<string> values = SltValues.Arrange([["b", "1"], ["a", "2"], ["a", "10"]], "rowsort");
        await Assert.That(string.Join(",", values)).IsEqualTo("a,10,a,2,b,1"); // strcmp: "10" < "2"
    }
}
