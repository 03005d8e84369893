using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Engine;

public class ForeignKeyTests
{
    internal static async Task<(TestDatabase Db, SqlEngine Engine, SqlSession Session)> OpenAsync()
    {
        var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        return (t, engine, engine.OpenSession("thunder"));
    }

    internal static async Task<StatementResult> Ok(SqlSession s, string sql)
    {
        BatchResult r = await s.ExecuteAsync(sql);
        if (r.Error is not null)
        {
            throw new InvalidOperationException($"{sql}: {r.Error.SqlState} {r.Error.Message}");
        }

        return r.Results[^1];
    }

    internal static async Task<SqlException> Err(SqlSession s, string sql)
    {
        BatchResult r = await s.ExecuteAsync(sql);
        return r.Error ?? throw new InvalidOperationException($"{sql}: expected an error");
    }

    internal static async Task<string> Query(SqlSession s, string sql) =>
        string.Join(";", (await Ok(s, sql)).Rows!.Select(r => string.Join(",", r.Select(v => v.IsNull ? "null" : v.ToString()))));

    [Test]
    public async Task A_child_row_needs_its_parent_and_null_keys_are_not_checked()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE p (id int PRIMARY KEY)");
        await Ok(s, "CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p)");
        await Ok(s, "INSERT INTO p VALUES (1)");
        await Ok(s, "INSERT INTO c VALUES (1, 1), (2, NULL)");
        SqlException e = await Err(s, "INSERT INTO c VALUES (3, 5)");
        await Assert.That(e.SqlState).IsEqualTo("23503");
        await Assert.That(e.Message).IsEqualTo("insert or update on table \"c\" violates foreign key constraint \"c_p_fkey\"");
        await Assert.That(e.Detail).IsEqualTo("Key (p)=(5) is not present in table \"p\".");
        SqlException u = await Err(s, "UPDATE c SET p = 7 WHERE id = 2");
        await Assert.That(u.Detail).IsEqualTo("Key (p)=(7) is not present in table \"p\".");
        await Assert.That(await Query(s, "SELECT id, p FROM c ORDER BY id")).IsEqualTo("1,1;2,null");
    }

    [Test]
    public async Task A_referenced_parent_cannot_go_with_no_action_or_restrict()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE)");
        await Ok(s, "CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p ON DELETE RESTRICT, code text REFERENCES p (code))");
        await Ok(s, "INSERT INTO p VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        await Ok(s, "INSERT INTO c VALUES (1, 1, 'b')");
        SqlException restrict = await Err(s, "DELETE FROM p WHERE id = 1");
        await Assert.That(restrict.SqlState).IsEqualTo("23503");
        await Assert.That(restrict.Message).IsEqualTo("update or delete on table \"p\" violates foreign key constraint \"c_p_fkey\" on table \"c\"");
        await Assert.That(restrict.Detail).IsEqualTo("Key (id)=(1) is still referenced from table \"c\".");
        SqlException noAction = await Err(s, "UPDATE p SET code = 'z' WHERE id = 2");
        await Assert.That(noAction.Message).IsEqualTo("update or delete on table \"p\" violates foreign key constraint \"c_code_fkey\" on table \"c\"");
        await Assert.That(noAction.Detail).IsEqualTo("Key (code)=(b) is still referenced from table \"c\".");

        // NO ACTION is checked at the end of the statement: a key another row takes back in the same statement passes
        await Ok(s, "UPDATE p SET code = CASE id WHEN 2 THEN 'x' ELSE 'b' END WHERE id IN (2, 3)");
        await Assert.That(await Query(s, "SELECT id, code FROM p ORDER BY id")).IsEqualTo("1,a;2,x;3,b");
        await Ok(s, "DELETE FROM c");
        await Ok(s, "DELETE FROM p WHERE id = 1");
        await Assert.That(await Query(s, "SELECT count(*) FROM p")).IsEqualTo("2");
    }

    [Test]
    public async Task On_delete_cascade_removes_children_and_grandchildren()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE p (id int PRIMARY KEY)");
        await Ok(s, "CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p ON DELETE CASCADE)");
        await Ok(s, "CREATE TABLE g (id int PRIMARY KEY, c int REFERENCES c ON DELETE CASCADE)");
        await Ok(s, "INSERT INTO p VALUES (1), (2)");
        await Ok(s, "INSERT INTO c VALUES (10, 1), (11, 1), (20, 2)");
        await Ok(s, "INSERT INTO g VALUES (100, 10), (101, 11), (200, 20)");
        StatementResult deleted = await Ok(s, "DELETE FROM p WHERE id = 1");
        await Assert.That(deleted.CommandTag).IsEqualTo("DELETE 1");
        await Assert.That(await Query(s, "SELECT id FROM c ORDER BY id")).IsEqualTo("20");
        await Assert.That(await Query(s, "SELECT id FROM g ORDER BY id")).IsEqualTo("200");
    }

    [Test]
    public async Task Set_null_and_set_default_rewrite_the_children()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE p (id int PRIMARY KEY)");
        await Ok(s, "CREATE TABLE n (id int PRIMARY KEY, p int REFERENCES p ON DELETE SET NULL ON UPDATE SET NULL)");
        await Ok(s, "CREATE TABLE d (id int PRIMARY KEY, p int DEFAULT 0 REFERENCES p ON DELETE SET DEFAULT ON UPDATE CASCADE)");
        await Ok(s, "INSERT INTO p VALUES (0), (1), (2)");
        await Ok(s, "INSERT INTO n VALUES (1, 1), (2, 2)");
        await Ok(s, "INSERT INTO d VALUES (1, 1), (2, 2)");
        await Ok(s, "DELETE FROM p WHERE id = 1");
        await Ok(s, "UPDATE p SET id = 5 WHERE id = 2");
        await Assert.That(await Query(s, "SELECT id, p FROM n ORDER BY id")).IsEqualTo("1,null;2,null");
        await Assert.That(await Query(s, "SELECT id, p FROM d ORDER BY id")).IsEqualTo("1,0;2,5");

        // the default must itself be a parent key
        SqlException e = await Err(s, "DELETE FROM p WHERE id = 0");
        await Assert.That(e.SqlState).IsEqualTo("23503");
        await Ok(s, "DELETE FROM d WHERE id = 1");
        await Ok(s, "DELETE FROM p WHERE id = 0");
        SqlException missing = await Err(s, "DELETE FROM p WHERE id = 5");
        await Assert.That(missing.Detail).IsEqualTo("Key (p)=(0) is not present in table \"p\".");
    }

    [Test]
    public async Task On_update_cascade_carries_a_composite_key_to_the_children()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE p (a int, b text, PRIMARY KEY (a, b))");
        await Ok(s, "CREATE TABLE c (id int PRIMARY KEY, x int, y text, FOREIGN KEY (x, y) REFERENCES p (a, b) ON UPDATE CASCADE ON DELETE NO ACTION)");
        await Ok(s, "INSERT INTO p VALUES (1, 'one'), (2, 'two')");
        await Ok(s, "INSERT INTO c VALUES (1, 1, 'one'), (2, 1, NULL), (3, 2, 'two')");
        SqlException e = await Err(s, "INSERT INTO c VALUES (4, 2, 'one')");
        await Assert.That(e.Message).IsEqualTo("insert or update on table \"c\" violates foreign key constraint \"c_x_y_fkey\"");
        await Assert.That(e.Detail).IsEqualTo("Key (x, y)=(2, one) is not present in table \"p\".");
        await Ok(s, "UPDATE p SET a = 10 WHERE a = 1");
        await Assert.That(await Query(s, "SELECT id, x, y FROM c ORDER BY id")).IsEqualTo("1,10,one;2,1,null;3,2,two");
        SqlException d = await Err(s, "DELETE FROM p WHERE a = 2");
        await Assert.That(d.Detail).IsEqualTo("Key (a, b)=(2, two) is still referenced from table \"c\".");
    }

    [Test]
    public async Task A_self_reference_is_checked_at_the_end_of_the_statement()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE emp (id int PRIMARY KEY, boss int REFERENCES emp (id) ON DELETE CASCADE)");
        await Ok(s, "INSERT INTO emp VALUES (2, 1), (1, NULL), (3, 2)");
        await Ok(s, "DELETE FROM emp WHERE id = 1");
        await Assert.That(await Query(s, "SELECT count(*) FROM emp")).IsEqualTo("0");
    }

    [Test]
    public async Task Alter_table_add_foreign_key_checks_the_rows_already_there()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE p (id int PRIMARY KEY)");
        await Ok(s, "CREATE TABLE c (id int, p bigint)");
        await Ok(s, "INSERT INTO p VALUES (1)");
        await Ok(s, "INSERT INTO c VALUES (1, 1), (2, NULL), (3, 9)");
        SqlException e = await Err(s, "ALTER TABLE c ADD CONSTRAINT c_to_p FOREIGN KEY (p) REFERENCES p");
        await Assert.That(e.SqlState).IsEqualTo("23503");
        await Assert.That(e.Message).IsEqualTo("insert or update on table \"c\" violates foreign key constraint \"c_to_p\"");
        await Assert.That(e.Detail).IsEqualTo("Key (p)=(9) is not present in table \"p\".");
        await Ok(s, "DELETE FROM c WHERE id = 3");
        await Ok(s, "ALTER TABLE c ADD CONSTRAINT c_to_p FOREIGN KEY (p) REFERENCES p");
        await Assert.That((await Err(s, "INSERT INTO c VALUES (4, 8)")).SqlState).IsEqualTo("23503");
        await Ok(s, "ALTER TABLE c DROP CONSTRAINT c_to_p");
        await Ok(s, "INSERT INTO c VALUES (4, 8)");
    }

    [Test]
    public async Task A_reference_needs_a_unique_key_of_matching_columns_and_types()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE nokey (id int, v int)");
        await Ok(s, "CREATE TABLE p (id int PRIMARY KEY, v int)");
        SqlException noPk = await Err(s, "CREATE TABLE c (x int REFERENCES nokey)");
        await Assert.That(noPk.SqlState).IsEqualTo("42830");
        await Assert.That(noPk.Message).IsEqualTo("there is no primary key for referenced table \"nokey\"");
        SqlException noUnique = await Err(s, "CREATE TABLE c (x int REFERENCES p (v))");
        await Assert.That(noUnique.SqlState).IsEqualTo("42830");
        await Assert.That(noUnique.Message).IsEqualTo("there is no unique constraint matching given keys for referenced table \"p\"");
        SqlException count = await Err(s, "CREATE TABLE c (x int, y int, FOREIGN KEY (x, y) REFERENCES p (id))");
        await Assert.That(count.Message).IsEqualTo("number of referencing and referenced columns for foreign key disagree");
        SqlException type = await Err(s, "CREATE TABLE c (x text REFERENCES p)");
        await Assert.That(type.SqlState).IsEqualTo("42804");
        await Assert.That(type.Message).IsEqualTo("foreign key constraint \"c_x_fkey\" cannot be implemented");
        await Assert.That(type.Detail).IsEqualTo("Key columns \"x\" and \"id\" are of incompatible types: text and integer.");
        SqlException column = await Err(s, "CREATE TABLE c (x int, FOREIGN KEY (nope) REFERENCES p)");
        await Assert.That(column.Message).IsEqualTo("column \"nope\" referenced in foreign key constraint does not exist");
        await Assert.That((await Err(s, "CREATE TABLE c (x int REFERENCES missing)")).SqlState).IsEqualTo("42P01");
    }

    [Test]
    public async Task Drop_and_truncate_of_a_referenced_table_need_cascade()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE p (id int PRIMARY KEY)");
        await Ok(s, "CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p)");
        await Ok(s, "INSERT INTO p VALUES (1)");
        await Ok(s, "INSERT INTO c VALUES (1, 1)");
        SqlException drop = await Err(s, "DROP TABLE p");
        await Assert.That(drop.SqlState).IsEqualTo("2BP01");
        await Assert.That(drop.Message).IsEqualTo("cannot drop table p because other objects depend on it");
        await Assert.That(drop.Detail).IsEqualTo("constraint c_p_fkey on table c depends on table p");
        await Assert.That(drop.Hint).IsEqualTo("Use DROP ... CASCADE to drop the dependent objects too.");
        SqlException truncate = await Err(s, "TRUNCATE p");
        await Assert.That(truncate.SqlState).IsEqualTo("0A000");
        await Assert.That(truncate.Message).IsEqualTo("cannot truncate a table referenced in a foreign key constraint");
        await Assert.That(truncate.Detail).IsEqualTo("Table \"c\" references \"p\".");
        await Ok(s, "TRUNCATE p, c");

        StatementResult cascaded = await Ok(s, "DROP TABLE p CASCADE");
        await Assert.That(cascaded.Notices![0]).IsEqualTo("drop cascades to constraint c_p_fkey on table c");
        await Ok(s, "INSERT INTO c VALUES (2, 42)"); // the constraint went with the parent
        await Ok(s, "CREATE TABLE p (id int PRIMARY KEY)");
        await Ok(s, "CREATE TABLE c2 (p int REFERENCES p)");
        await Ok(s, "DROP TABLE p, c2"); // both in one statement: no dependency left behind
    }

    [Test]
    public async Task Names_default_as_postgres_chooses_them()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE p (id int PRIMARY KEY)");
        await Ok(s, "CREATE TABLE c (p int REFERENCES p, FOREIGN KEY (p) REFERENCES p)");
        await Assert.That(await Query(s, "SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY conname")).IsEqualTo("c_p_fkey;c_p_fkey1");
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_child_insert_holds_its_parent_so_a_concurrent_delete_cannot_orphan_it(CancellationToken ct)
    {
        (TestDatabase t, SqlEngine engine, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE p (id int PRIMARY KEY)");
        await Ok(s, "CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p)");
        await Ok(s, "INSERT INTO p VALUES (1), (2)");
        SqlSession child = engine.OpenSession("thunder"), parent = engine.OpenSession("thunder");

        // the child commits first: the delete waits for it, then sees the new child
        await Ok(child, "BEGIN");
        await Ok(child, "INSERT INTO c VALUES (1, 1)");
        Task<BatchResult> delete = parent.ExecuteAsync("DELETE FROM p WHERE id = 1", ct);
        await Task.Delay(200, ct);
        await Assert.That(delete.IsCompleted).IsFalse();
        await Ok(child, "COMMIT");
        BatchResult deleted = await delete;
        await Assert.That(deleted.Error?.SqlState).IsEqualTo("23503");

        // the delete commits first: the child insert waits for it, then finds no parent
        await Ok(parent, "BEGIN");
        await Ok(parent, "DELETE FROM p WHERE id = 2");
        Task<BatchResult> insert = child.ExecuteAsync("INSERT INTO c VALUES (2, 2)", ct);
        await Task.Delay(200, ct);
        await Assert.That(insert.IsCompleted).IsFalse();
        await Ok(parent, "COMMIT");
        BatchResult inserted = await insert;
        await Assert.That(inserted.Error?.SqlState).IsEqualTo("23503");
        await Assert.That(await Query(s, "SELECT id, p FROM c ORDER BY id")).IsEqualTo("1,1");
    }
}
