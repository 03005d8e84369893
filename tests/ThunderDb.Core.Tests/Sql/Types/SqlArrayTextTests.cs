using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Types;

/// <summary>array_in / array_out for arrays of several dimensions, with PostgreSQL 15's texts for malformed literals.</summary>
public class SqlArrayTextTests
{
    private static readonly SqlType IntArray = SqlType.Int4.ArrayOf();

    [Test]
    [Arguments("{{1,2},{3,4}}", "{{1,2},{3,4}}", "2,2")]
    [Arguments(" { { 1 , 2 , 3 } } ", "{{1,2,3}}", "1,3")]
    [Arguments("{{{1},{2}},{{3},{4}}}", "{{{1},{2}},{{3},{4}}}", "2,2,1")]
    [Arguments("[1:2][1:1]={{1},{NULL}}", "{{1},{NULL}}", "2,1")]
    [Arguments("[1:3]={1,2,3}", "{1,2,3}", "3")]
    [Arguments("{}", "{}", "")]
    public async Task Nested_braces_are_dimensions(string input, string output, string lengths)
    {
        SqlArray a = SqlText.Parse(input, IntArray).AsArray;
        await Assert.That(SqlText.Format(SqlValue.FromArray(a))).IsEqualTo(output);
        await Assert.That(string.Join(",", a.Lengths)).IsEqualTo(lengths);
        await Assert.That(a.Rank).IsEqualTo(lengths.Length == 0 ? 0 : lengths.Split(',').Length);
    }

    [Test]
    public async Task Quoted_elements_keep_their_spaces_and_escapes_in_every_dimension()
    {
        SqlValue a = SqlText.Parse("{{\"a b\",NULL},{\"NULL\", c\\ }}", SqlType.Text.ArrayOf());
        await Assert.That(a.AsArray.Items[1].IsNull).IsTrue();
        await Assert.That(a.AsArray.Items[2].AsString).IsEqualTo("NULL");
        await Assert.That(a.AsArray.Items[3].AsString).IsEqualTo("c ");
        await Assert.That(SqlText.Format(a)).IsEqualTo("{{\"a b\",NULL},{\"NULL\",\"c \"}}");
    }

    [Test]
    [Arguments("{{1,2},{3}}", "Multidimensional arrays must have sub-arrays with matching dimensions.")]
    [Arguments("{{1,2},3}", "Unexpected array element.")]
    [Arguments("{1,{2}}", "Unexpected \"{\" character.")]
    [Arguments("{{}}", "Unexpected \"}\" character.")]
    [Arguments("{{1,2}} x", "Junk after closing right brace.")]
    [Arguments("{{1,2}", "Unexpected end of input.")]
    [Arguments("[1:2]={{1},{2}}", "Specified array dimensions do not match array contents.")]
    [Arguments("1,2", "Array value must start with \"{\" or dimension information.")]
    public async Task Malformed_literals_are_22P02_with_postgres_details(string input, string detail)
    {
        var e = Assert.Throws<SqlException>(() => SqlText.Parse(input, IntArray));
        await Assert.That(e.SqlState).IsEqualTo("22P02");
        await Assert.That(e.Message).IsEqualTo($"malformed array literal: \"{input}\"");
        await Assert.That(e.Detail).IsEqualTo(detail);
    }

    [Test]
    public async Task Seven_dimensions_or_other_lower_bounds_are_refused()
    {
        var deep = Assert.Throws<SqlException>(() => SqlText.Parse("{{{{{{{1}}}}}}}", IntArray));
        await Assert.That(deep.SqlState).IsEqualTo("54000");
        await Assert.That(deep.Message).IsEqualTo("number of array dimensions (7) exceeds the maximum allowed (6)");
        var bounds = Assert.Throws<SqlException>(() => SqlText.Parse("[0:1]={1,2}", IntArray));
        await Assert.That(bounds.SqlState).IsEqualTo("0A000");
    }

    [Test]
    public async Task Arrays_of_one_shape_compare_by_elements_then_shape()
    {
        SqlValue square = SqlText.Parse("{{1,2},{3,4}}", IntArray), flat = SqlText.Parse("{1,2,3,4}", IntArray), tall = SqlText.Parse("{{1},{2},{3},{4}}", IntArray);
        await Assert.That(SqlCompare.Compare(square, flat)).IsGreaterThan(0);
        await Assert.That(SqlCompare.Compare(square, tall)).IsLessThan(0);
        await Assert.That(SqlCompare.Compare(square, SqlText.Parse("{{1,2},{3,4}}", IntArray))).IsEqualTo(0);
    }
}
