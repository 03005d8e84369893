using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Tests.Txn;
using static ThunderDb.Core.Tests.Sql.Engine.ForeignKeyTests;

namespace ThunderDb.Core.Tests.Sql.SystemViews;

/// <summary>Foreign keys in pg_constraint, pg_get_constraintdef, information_schema and the queries psql 15's <c>\d</c> sends for its key footers.</summary>
public class ForeignKeyCatalogTests
{
    // psql 15 \d footers (captured with psql -E against PostgreSQL 15); {0} is the table's OID
    private const string ForeignKeyFooter = """
        SELECT true as sametable, conname,
          pg_catalog.pg_get_constraintdef(r.oid, true) as condef,
          conrelid::pg_catalog.regclass AS ontable
        FROM pg_catalog.pg_constraint r
        WHERE r.conrelid = '{0}' AND r.contype = 'f'
             AND conparentid = 0
        ORDER BY conname
        """;

    private const string ReferencedByFooter = """
        SELECT conname, conrelid::pg_catalog.regclass AS ontable,
               pg_catalog.pg_get_constraintdef(oid, true) AS condef
          FROM pg_catalog.pg_constraint c
         WHERE confrelid IN (SELECT pg_catalog.pg_partition_ancestors('{0}')
                             UNION ALL VALUES ('{0}'::pg_catalog.regclass))
               AND contype = 'f' AND conparentid = 0
        ORDER BY conname;
        """;

    private const string TriggerFooter = """
        SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid, true), t.tgenabled, t.tgisinternal,
          CASE WHEN t.tgparentid != 0 THEN
            (SELECT u.tgrelid::pg_catalog.regclass
             FROM pg_catalog.pg_trigger AS u,
                  pg_catalog.pg_partition_ancestors(t.tgrelid) WITH ORDINALITY AS a(relid, depth)
             WHERE u.tgname = t.tgname AND u.tgrelid = a.relid
                   AND u.tgparentid = 0
             ORDER BY a.depth LIMIT 1)
          END AS parent
        FROM pg_catalog.pg_trigger t
        WHERE t.tgrelid = '{0}' AND (NOT t.tgisinternal OR (t.tgisinternal AND t.tgenabled = 'D'))
        ORDER BY 1;
        """;

    private static async Task<string> Oid(SqlSession s, string table) => await Query(s, $"SELECT '{table}'::regclass::oid");

    private static string With(string query, string oid) => query.Replace("{0}", oid, StringComparison.Ordinal);

    [Test]
    public async Task Psql_d_shows_foreign_keys_on_the_child_and_referenced_by_on_the_parent()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE pgbench_branches (bid int PRIMARY KEY)");
        await Ok(s, "CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int)");
        await Ok(s, "ALTER TABLE pgbench_tellers ADD CONSTRAINT pgbench_tellers_bid_fkey FOREIGN KEY (bid) REFERENCES pgbench_branches");
        await Ok(s, "CREATE TABLE h (a int, b int, FOREIGN KEY (a) REFERENCES pgbench_tellers ON DELETE CASCADE ON UPDATE SET NULL)");
        string branches = await Oid(s, "pgbench_branches"), tellers = await Oid(s, "pgbench_tellers");
        await Assert.That(await Query(s, $"SELECT relhastriggers FROM pg_class WHERE oid = {tellers}")).IsEqualTo("t");
        await Assert.That(await Query(s, With(ForeignKeyFooter, tellers)))
            .IsEqualTo("t,pgbench_tellers_bid_fkey,FOREIGN KEY (bid) REFERENCES pgbench_branches(bid),pgbench_tellers");
        await Assert.That(await Query(s, With(ReferencedByFooter, branches)))
            .IsEqualTo("pgbench_tellers_bid_fkey,pgbench_tellers,FOREIGN KEY (bid) REFERENCES pgbench_branches(bid)");
        await Assert.That(await Query(s, With(ReferencedByFooter, tellers)))
            .IsEqualTo("h_a_fkey,h,FOREIGN KEY (a) REFERENCES pgbench_tellers(tid) ON UPDATE SET NULL ON DELETE CASCADE");
        await Assert.That(await Query(s, With(TriggerFooter, tellers))).IsEqualTo("");
    }

    [Test]
    public async Task Pg_constraint_holds_the_keys_columns_and_actions()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE p (a int, b int, PRIMARY KEY (a, b))");
        await Ok(s, "CREATE TABLE c (id int, y int, x int, FOREIGN KEY (x, y) REFERENCES p (a, b) ON DELETE SET DEFAULT ON UPDATE RESTRICT)");
        string p = await Oid(s, "p");
        await Assert.That(await Query(s, "SELECT conname, contype, confrelid::regclass::text, conkey, confkey, confupdtype, confdeltype, confmatchtype FROM pg_constraint WHERE contype = 'f'"))
            .IsEqualTo("c_x_y_fkey,f,p,{3,2},{1,2},r,d,s");
        await Assert.That(await Query(s, $"SELECT count(*) FROM pg_constraint WHERE confrelid = {p} AND conindid = (SELECT indexrelid FROM pg_index WHERE indrelid = {p})")).IsEqualTo("1");
        await Assert.That(await Query(s, "SELECT constraint_name, unique_constraint_name, match_option, update_rule, delete_rule FROM information_schema.referential_constraints"))
            .IsEqualTo("c_x_y_fkey,p_pkey,NONE,RESTRICT,SET DEFAULT");
        await Assert.That(await Query(s, "SELECT constraint_name, constraint_type FROM information_schema.table_constraints WHERE table_name = 'c'"))
            .IsEqualTo("c_x_y_fkey,FOREIGN KEY");
    }
}
