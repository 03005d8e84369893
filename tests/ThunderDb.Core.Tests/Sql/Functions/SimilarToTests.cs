using ThunderDb.Core.Tests.Sql.Planning;

namespace ThunderDb.Core.Tests.Sql.Functions;

/// <summary>SIMILAR TO through similar_to_escape; expected values are PostgreSQL 15's.</summary>
public class SimilarToTests
{
    [Test]
    public async Task Patterns_translate_to_anchored_regexes_as_postgres_does()
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        await Assert.That(await h.RowsAsync("SELECT similar_to_escape('a%b_c'), similar_to_escape('(a|b)*.x[a-c%]+$^{2,3}'), similar_to_escape('a#%b', '#'), "
            + "similar_to_escape('a\\%b'), similar_to_escape('a%', '')"))
            .IsEqualTo("^(?:a.*b.c)$|^(?:(?:a|b)*\\.x[a-c%]+\\$\\^{2,3})$|^(?:a\\%b)$|^(?:a\\%b)$|^(?:a.*)$");
        await Assert.That(await h.RowsAsync("SELECT similar_to_escape('[%_]'), similar_to_escape('a\\\"b\\\"c'), similar_to_escape('a\\\\b')"))
            .IsEqualTo("^(?:[%_])$|^(?:a){1,1}?(b){1,1}(?:c)$|^(?:a\\\\b)$");
    }

    [Test]
    public async Task Similar_to_matches_the_whole_string_with_escapes_and_nulls()
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        await Assert.That(await h.RowsAsync("SELECT 'abc' SIMILAR TO 'a%', 'abc' SIMILAR TO '(a|x)bc', 'abc' NOT SIMILAR TO 'b%', 'a.c' SIMILAR TO 'a.c', 'abc' SIMILAR TO 'a.c', "
            + "'a%c' SIMILAR TO 'a#%c' ESCAPE '#', 'aXc' SIMILAR TO 'a#%c' ESCAPE '#', NULL SIMILAR TO 'a', 'ABC' SIMILAR TO 'abc', 'ab' SIMILAR TO 'a[b-d]{1,2}', "
            + "'abc' SIMILAR TO 'a_c', 'a' SIMILAR TO 'a' ESCAPE NULL"))
            .IsEqualTo("t|t|t|t|f|t|f|NULL|f|t|t|NULL");
        await Assert.That(await h.RowsAsync("SELECT 'x_y' SIMILAR TO 'x\\_y', 'x-y' SIMILAR TO 'x\\_y', 'abc' SIMILAR TO '%(b|c)%', 'aaa' SIMILAR TO 'a{2}'")).IsEqualTo("t|f|t|f");
        await Assert.That(await h.ErrorAsync("SELECT 'a' SIMILAR TO 'a' ESCAPE 'xx'")).IsEqualTo("22025: invalid escape string");
    }
}
