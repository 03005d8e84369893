using ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Tests.Sql.Syntax;

/// <summary>RENAME COLUMN respells the column in stored expression text and nothing else.</summary>
public class ColumnRenameTests
{
    [Test]
    [Arguments("a + 1", "\"A b\" + 1")]
    [Arguments("t.a > 0 AND other.a > 0", "t.\"A b\" > 0 AND other.a > 0")]
    [Arguments("a(a) || 'a' || a::a", "a(\"A b\") || 'a' || \"A b\"::a")]
    [Arguments("\"a\" = abs(\"a\")", "\"A b\" = abs(\"A b\")")]
    [Arguments("aa + b", "aa + b")]
    public async Task Only_references_to_the_column_change(string before, string after) =>
        await Assert.That(ColumnRename.Apply(before, "t", "a", "A b")).IsEqualTo(after);

    [Test]
    [Arguments("SELECT t.a FROM t WHERE t.a > 0", "SELECT \"u v\".a FROM \"u v\" WHERE \"u v\".a > 0")]
    [Arguments("SELECT t(x), x::t, 't' FROM public.t", "SELECT t(x), x::t, 't' FROM public.\"u v\"")]
    public async Task A_relation_rename_respells_its_name_and_qualifiers(string before, string after) =>
        await Assert.That(ColumnRename.Relation(before, "t", "u v")).IsEqualTo(after);
}
