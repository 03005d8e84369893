using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// Row constructors compared field by field (keyset pagination's <c>WHERE (a, b) &gt; (1, 'x')</c>, <c>(a, b) IN (...)</c>):
/// the orderings decided by the first unequal pair, NULLs giving NULL only when they decide, and the errors for rows of
/// unequal length or mismatched field types: a psql script must print what PostgreSQL 15 prints.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class RowComparisonDifferentialTests
{
    private const string Script = """
        CREATE TABLE k (a int, b text, c int);
        INSERT INTO k VALUES (1, 'x', 10), (1, 'y', 20), (2, 'x', NULL), (2, NULL, 5), (3, 'z', 7), (NULL, 'q', 1);
        SELECT * FROM k WHERE (a, b) > (1, 'x') ORDER BY a, b;
        SELECT * FROM k WHERE (a, b) >= (1, 'y') ORDER BY a, b;
        SELECT * FROM k WHERE (a, b) < (2, 'x') ORDER BY a, b;
        SELECT * FROM k WHERE (a, b) <= (2, 'x') ORDER BY a, b;
        SELECT * FROM k WHERE (a, b) = (1, 'y');
        SELECT * FROM k WHERE (a, b) <> (1, 'y') ORDER BY a, b;
        SELECT * FROM k WHERE (a, b) IN ((1, 'x'), (3, 'z')) ORDER BY a;
        SELECT * FROM k WHERE (a, b) NOT IN ((1, 'x'), (3, 'z')) ORDER BY a, b;
        SELECT * FROM k WHERE ROW(a, c) = ROW(2, NULL);
        SELECT (1, 2) < (1, 3), (1, NULL) < (2, 0), (1, NULL) < (1, 3), (1, 2, 3) = (1, 2, 3), (1, 'a') <> (1, 'a');
        SELECT (1, 2) = (1, 2, 3);
        SELECT (1, 'a') = (1, 2);
        SELECT * FROM k WHERE (a, b, c) > (1, 'y', 20) ORDER BY a, b, c LIMIT 3;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Row_comparisons_give_what_postgresql_gives(CancellationToken ct) =>
        await PsqlScriptDifferential.AssertSameOutputAsync(Script, ct);
}
