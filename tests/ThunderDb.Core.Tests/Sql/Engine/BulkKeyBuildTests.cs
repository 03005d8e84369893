using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Tests.Txn;
using static ThunderDb.Core.Tests.Sql.Engine.ForeignKeyTests;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>ADD PRIMARY KEY / CREATE [UNIQUE] INDEX over existing rows, which are built in bulk (sorted keys, duplicates as equal neighbours).</summary>
public class BulkKeyBuildTests
{
    [Test]
    [Timeout(30_000)]
    public async Task Add_primary_key_rekeys_rows_and_keeps_secondary_indexes(CancellationToken cancellationToken)
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE a (aid int, bid int, filler text)");
        await Ok(s, "INSERT INTO a SELECT g, g % 3, 'x' FROM generate_series(1000, 1, -1) g");
        await Ok(s, "CREATE INDEX a_bid ON a (bid)");
        await Ok(s, "ALTER TABLE a ADD PRIMARY KEY (aid)");
        await Assert.That(await Query(s, "SELECT aid FROM a LIMIT 3")).IsEqualTo("1;2;3");
        await Assert.That(await Query(s, "SELECT count(*) FROM a WHERE bid = 0")).IsEqualTo("333");
        await Assert.That(await Query(s, "SELECT bid FROM a WHERE aid = 500")).IsEqualTo("2");
        SqlException e = await Err(s, "INSERT INTO a VALUES (5, 0, 'y')");
        await Assert.That(e.SqlState).IsEqualTo("23505");
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_duplicate_fails_the_bulk_built_primary_key_and_unique_index(CancellationToken cancellationToken)
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE a (aid int, v int)");
        await Ok(s, "INSERT INTO a SELECT g, g FROM generate_series(1, 100) g");
        await Ok(s, "INSERT INTO a VALUES (5, 500), (NULL, 1000), (NULL, 1001)");
        SqlException u = await Err(s, "CREATE UNIQUE INDEX a_aid ON a (aid)");
        await Assert.That(u.SqlState).IsEqualTo("23505");
        await Assert.That(u.Message).IsEqualTo("could not create unique index \"a_aid\"");
        await Assert.That(u.Detail).IsEqualTo("Key (aid)=(5) is duplicated.");
        await Ok(s, "DELETE FROM a WHERE aid IS NULL");
        SqlException p = await Err(s, "ALTER TABLE a ADD PRIMARY KEY (aid)");
        await Assert.That(p.SqlState).IsEqualTo("23505");
        await Assert.That(p.Message).IsEqualTo("could not create unique index \"a_pkey\"");
        await Assert.That(p.Detail).IsEqualTo("Key (aid)=(5) is duplicated.");

        // Nulls never collide in a unique index; the failed builds left no index behind.
        await Assert.That(await Query(s, "SELECT count(*) FROM pg_indexes WHERE tablename = 'a'")).IsEqualTo("0");
        await Ok(s, "DELETE FROM a WHERE v = 500");
        await Ok(s, "INSERT INTO a VALUES (NULL, 1), (NULL, 2)");
        await Ok(s, "CREATE UNIQUE INDEX a_aid ON a (aid)");
        await Assert.That(await Query(s, "SELECT count(*) FROM pg_indexes WHERE tablename = 'a'")).IsEqualTo("1");
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_rolled_back_add_primary_key_leaves_nothing(CancellationToken cancellationToken)
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE a (aid int, v text)");
        await Ok(s, "INSERT INTO a SELECT g, 'v' || g FROM generate_series(1, 200) g");
        await Ok(s, "BEGIN");
        await Ok(s, "ALTER TABLE a ADD PRIMARY KEY (aid)");
        await Assert.That(await Query(s, "SELECT v FROM a WHERE aid = 7")).IsEqualTo("v7");
        await Ok(s, "ROLLBACK");
        await Assert.That(await Query(s, "SELECT count(*) FROM pg_indexes WHERE tablename = 'a'")).IsEqualTo("0");
        await Assert.That(await Query(s, "SELECT count(*), min(aid), max(aid) FROM a")).IsEqualTo("200,1,200");
        await Ok(s, "INSERT INTO a VALUES (7, 'again')");
        await Assert.That(await Query(s, "SELECT count(*) FROM a WHERE aid = 7")).IsEqualTo("2");
        await Ok(s, "DELETE FROM a WHERE v = 'again'");
        await Ok(s, "ALTER TABLE a ADD PRIMARY KEY (aid)");
        await Assert.That(await Query(s, "SELECT count(*) FROM pg_indexes WHERE tablename = 'a'")).IsEqualTo("1");
    }
}
