namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>
/// An index on expressions is chosen for a predicate on that very expression (<c>lower(email) = ...</c>, ranges, IN lists,
/// the constant on either side) and for nothing else (another function, another column, another constant inside), and
/// every WHERE answers the same rows as without index scans, also after writes through the index.
/// </summary>
public class ExpressionIndexPlanTests
{
    private static async Task<PlannerHarness> UsersAsync()
    {
        PlannerHarness h = await PlannerHarness.OpenAsync();
        await h.Ok("CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, doc jsonb, n int)");
        await h.Ok("INSERT INTO users SELECT g, 'User' || g || '@X.com', jsonb_build_object('k', 'v' || (g % 10)), g FROM generate_series(1, 2000) g");
        await h.Ok("CREATE UNIQUE INDEX users_email_lower ON users (lower(email))");
        await h.Ok("CREATE INDEX users_k ON users ((doc->>'k'))");
        await h.Ok("CREATE INDEX users_n2 ON users ((n * 2))");
        return h;
    }

    [Test]
    public async Task A_predicate_on_the_indexed_expression_reads_the_index()
    {
        using PlannerHarness h = await UsersAsync();
        await Assert.That(await h.Explain("SELECT id FROM users WHERE lower(email) = 'user7@x.com'")).Contains("Index Scan using users_email_lower on users");
        await Assert.That(await h.Explain("SELECT id FROM users WHERE 'user7@x.com' = lower(email)")).Contains("Index Scan using users_email_lower on users");
        await Assert.That(await h.Explain("SELECT id FROM users WHERE doc->>'k' = 'v3'")).Contains("Index Scan using users_k on users");
        await Assert.That(await h.Explain("SELECT id FROM users WHERE n * 2 BETWEEN 10 AND 16")).Contains("Index Scan using users_n2 on users");

        // not the indexed expression: a full scan
        await Assert.That(await h.Explain("SELECT id FROM users WHERE upper(email) = 'USER7@X.COM'")).DoesNotContain("Index Scan");
        await Assert.That(await h.Explain("SELECT id FROM users WHERE doc->>'j' = 'v3'")).DoesNotContain("Index Scan");
        await Assert.That(await h.Explain("SELECT id FROM users WHERE n * 3 = 9")).DoesNotContain("Index Scan");
        await Assert.That(await h.Explain("SELECT id FROM users WHERE n + 2 = 9")).DoesNotContain("Index Scan");
    }

    [Test]
    public async Task Every_predicate_answers_what_a_full_scan_answers_also_after_writes()
    {
        using PlannerHarness h = await UsersAsync();
        await h.Ok("UPDATE users SET email = 'Changed@x.com' WHERE lower(email) = 'user9@x.com'");
        await h.Ok("DELETE FROM users WHERE lower(email) = 'user11@x.com'");
        await h.Ok("INSERT INTO users VALUES (5000, 'NEW@x.com', '{\"k\": \"v3\"}', 5000)");
        foreach (string where in new[]
        {
            "lower(email) = 'user7@x.com'", "lower(email) = 'User7@X.com'", "lower(email) = 'changed@x.com'", "lower(email) = 'user9@x.com'",
            "lower(email) = 'user11@x.com'", "lower(email) IN ('user1@x.com', 'new@x.com', 'nope')", "lower(email) > 'user99'", "doc->>'k' = 'v3'",
            "doc->>'k' < 'v2'", "n * 2 BETWEEN 10 AND 16", "n * 2 > 3990", "3990 < n * 2", "n * 2 = 5", "n * 2 IS NULL", "upper(email) = 'USER7@X.COM'",
        })
        {
            (List<string> planned, List<string> plain) = await h.Both($"SELECT id FROM users WHERE {where}");
            await Assert.That(PlannerHarness.Sorted(planned)).IsEquivalentTo(PlannerHarness.Sorted(plain)).Because(where);
        }
    }
}
