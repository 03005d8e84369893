using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Tests.Txn;
using static ThunderDb.Core.Tests.Sql.Engine.ForeignKeyTests;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>Two sessions writing one unique key: the second waits for the first and then sees its outcome, as in PostgreSQL's READ COMMITTED.</summary>
public class UniqueKeyConcurrencyTests
{
    [Test]
    [Timeout(30_000)]
    [Arguments("PRIMARY KEY")]
    [Arguments("UNIQUE")]
    public async Task A_second_inserter_of_a_key_waits_and_fails_when_the_first_commits(string key, CancellationToken ct)
    {
        (TestDatabase t, SqlEngine engine, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, $"CREATE TABLE u (k int {key}, v text)");
        SqlSession first = engine.OpenSession("thunder"), second = engine.OpenSession("thunder");
        await Ok(first, "BEGIN");
        await Ok(first, "INSERT INTO u VALUES (1, 'first')");
        Task<BatchResult> waiting = second.ExecuteAsync("INSERT INTO u VALUES (1, 'second')", ct);
        await Task.Delay(200, ct);
        await Assert.That(waiting.IsCompleted).IsFalse();
        await Ok(first, "COMMIT");
        BatchResult r = await waiting;
        await Assert.That(r.Error?.SqlState).IsEqualTo("23505");
        await Assert.That(r.Error!.Detail).IsEqualTo("Key (k)=(1) already exists.");
        await Assert.That(await Query(s, "SELECT k, v FROM u")).IsEqualTo("1,first");
    }

    [Test]
    [Timeout(30_000)]
    [Arguments("PRIMARY KEY")]
    [Arguments("UNIQUE")]
    public async Task A_second_inserter_of_a_key_succeeds_when_the_first_rolls_back(string key, CancellationToken ct)
    {
        (TestDatabase t, SqlEngine engine, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, $"CREATE TABLE u (k int {key}, v text)");
        SqlSession first = engine.OpenSession("thunder"), second = engine.OpenSession("thunder");
        await Ok(first, "BEGIN");
        await Ok(first, "INSERT INTO u VALUES (1, 'first')");
        Task<BatchResult> waiting = second.ExecuteAsync("INSERT INTO u VALUES (1, 'second')", ct);
        await Task.Delay(200, ct);
        await Assert.That(waiting.IsCompleted).IsFalse();
        await Ok(first, "ROLLBACK");
        BatchResult r = await waiting;
        await Assert.That(r.Error).IsNull();
        await Assert.That(await Query(s, "SELECT k, v FROM u")).IsEqualTo("1,second");
    }

    [Test]
    [Timeout(30_000)]
    public async Task Many_nulls_fit_in_a_unique_index_and_take_no_key_lock(CancellationToken ct)
    {
        (TestDatabase t, SqlEngine engine, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE u (id int PRIMARY KEY, k int UNIQUE)");
        SqlSession first = engine.OpenSession("thunder"), second = engine.OpenSession("thunder");
        await Ok(first, "BEGIN");
        await Ok(first, "INSERT INTO u VALUES (1, NULL)");
        BatchResult r = await second.ExecuteAsync("INSERT INTO u VALUES (2, NULL), (3, NULL)", ct);
        await Assert.That(r.Error).IsNull();
        await Ok(first, "COMMIT");
        await Assert.That(await Query(s, "SELECT count(*) FROM u WHERE k IS NULL")).IsEqualTo("3");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Concurrent_on_conflict_do_nothing_lets_no_unique_violation_escape(CancellationToken ct)
    {
        (TestDatabase t, SqlEngine engine, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE u (k int PRIMARY KEY, who int)");
        async Task<int> Client(int id)
        {
            SqlSession c = engine.OpenSession("thunder");
            int inserted = 0;
            for (int k = 0; k < 30; k++)
            {
                BatchResult r = await c.ExecuteAsync($"INSERT INTO u VALUES ({k}, {id}) ON CONFLICT DO NOTHING", ct);
                if (r.Error is not null)
                {
                    throw new InvalidOperationException($"{r.Error.SqlState} {r.Error.Message}");
                }

                inserted += r.Results[0].CommandTag == "INSERT 0 1" ? 1 : 0;
                await Task.Yield();
            }

            return inserted;
        }

        int[] counts = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => Client(i), ct)));
        await Assert.That(counts.Sum()).IsEqualTo(30);
        await Assert.That(await Query(s, "SELECT count(*) FROM u")).IsEqualTo("30");
    }

    [Test]
    [Timeout(30_000)]
    public async Task An_update_that_moves_a_key_waits_for_an_inserter_of_the_same_key(CancellationToken ct)
    {
        (TestDatabase t, SqlEngine engine, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE u (k int PRIMARY KEY)");
        await Ok(s, "INSERT INTO u VALUES (1)");
        SqlSession first = engine.OpenSession("thunder"), second = engine.OpenSession("thunder");
        await Ok(first, "BEGIN");
        await Ok(first, "INSERT INTO u VALUES (2)");
        Task<BatchResult> waiting = second.ExecuteAsync("UPDATE u SET k = 2 WHERE k = 1", ct);
        await Task.Delay(200, ct);
        await Assert.That(waiting.IsCompleted).IsFalse();
        await Ok(first, "COMMIT");
        await Assert.That((await waiting).Error?.SqlState).IsEqualTo("23505");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Concurrent_on_conflict_do_update_of_one_key_loses_no_update(CancellationToken ct)
    {
        (TestDatabase t, SqlEngine engine, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE counter (k int PRIMARY KEY, n int NOT NULL)");
        async Task Client()
        {
            SqlSession c = engine.OpenSession("thunder");
            for (int i = 0; i < 25; i++)
            {
                BatchResult r = await c.ExecuteAsync("INSERT INTO counter VALUES (1, 1) ON CONFLICT (k) DO UPDATE SET n = counter.n + excluded.n", ct);
                if (r.Error is not null)
                {
                    throw new InvalidOperationException($"{r.Error.SqlState} {r.Error.Message}");
                }

                await Task.Yield();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Client, ct)));
        await Assert.That(await Query(s, "SELECT k, n FROM counter")).IsEqualTo("1,100");
    }
}
