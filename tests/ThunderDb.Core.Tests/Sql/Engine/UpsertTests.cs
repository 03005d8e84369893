using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Tests.Txn;
using static ThunderDb.Core.Tests.Sql.Engine.ForeignKeyTests;

namespace ThunderDb.Core.Tests.Sql.Engine;

public class UpsertTests
{
    [Test]
    public async Task On_conflict_do_update_inserts_new_keys_and_updates_existing_ones()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE kv (k int PRIMARY KEY, code text UNIQUE, v int)");
        await Ok(s, "INSERT INTO kv VALUES (1, 'a', 10)");
        StatementResult r = await Ok(s, "INSERT INTO kv AS t VALUES (1, 'a', 5), (2, 'b', 7) ON CONFLICT (k) DO UPDATE SET v = t.v + excluded.v RETURNING k, v");
        await Assert.That(r.CommandTag).IsEqualTo("INSERT 0 2");
        await Assert.That(string.Join(";", r.Rows!.Select(x => $"{x[0]},{x[1]}"))).IsEqualTo("1,15;2,7");

        // by a unique constraint's name, with a WHERE that skips the update
        StatementResult skipped = await Ok(s, "INSERT INTO kv VALUES (9, 'b', 1) ON CONFLICT ON CONSTRAINT kv_code_key DO UPDATE SET v = 0 WHERE kv.v > 100");
        await Assert.That(skipped.CommandTag).IsEqualTo("INSERT 0 0");
        await Ok(s, "INSERT INTO kv VALUES (9, 'b', 1) ON CONFLICT (code) DO UPDATE SET v = excluded.v");
        await Assert.That(await Query(s, "SELECT k, code, v FROM kv ORDER BY k")).IsEqualTo("1,a,15;2,b,1");

        SqlException twice = await Err(s, "INSERT INTO kv VALUES (3, 'c', 1), (3, 'c', 2) ON CONFLICT (k) DO UPDATE SET v = excluded.v");
        await Assert.That(twice.SqlState).IsEqualTo("21000");
        await Assert.That(twice.Message).IsEqualTo("ON CONFLICT DO UPDATE command cannot affect row a second time");
        SqlException noTarget = await Err(s, "INSERT INTO kv VALUES (1, 'a', 1) ON CONFLICT DO UPDATE SET v = 1");
        await Assert.That(noTarget.SqlState).IsEqualTo("42601");
        SqlException noIndex = await Err(s, "INSERT INTO kv VALUES (1, 'a', 1) ON CONFLICT (v) DO UPDATE SET v = 1");
        await Assert.That(noIndex.SqlState).IsEqualTo("42P10");
        await Assert.That(noIndex.Message).IsEqualTo("there is no unique or exclusion constraint matching the ON CONFLICT specification");
    }
}
