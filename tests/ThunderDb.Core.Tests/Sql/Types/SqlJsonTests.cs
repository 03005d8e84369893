using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Types;

/// <summary>jsonb text is PostgreSQL's canonical form (jsonb_out).</summary>
public class SqlJsonTests
{
    [Test]
    [Arguments("{\"k\":true}", "{\"k\": true}")]
    [Arguments("{\"bb\":1,\"a\":[1,2,{}],\"c\":\"x\"}", "{\"a\": [1, 2, {}], \"c\": \"x\", \"bb\": 1}")]
    [Arguments("{\"a\":1,\"a\":2}", "{\"a\": 2}")]
    [Arguments("[1.50, 1e2, -0, null, false]", "[1.50, 100, -0, null, false]")]
    [Arguments("\"h\u00e9\\n\\u0001\\\"\"", "\"h\u00e9\\n\\u0001\\\"\"")]
    [Arguments("[]", "[]")]
    public async Task Jsonb_is_stored_in_canonical_form(string input, string expected)
    {
        await Assert.That(SqlJson.Validate(input, SqlTypeKind.Jsonb)).IsEqualTo(expected);
        await Assert.That(SqlJson.Validate(input, SqlTypeKind.Json)).IsEqualTo(input);
    }
}
