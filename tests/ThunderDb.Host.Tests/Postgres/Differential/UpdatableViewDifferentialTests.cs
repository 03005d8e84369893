using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// INSERT, UPDATE and DELETE through automatically updatable views, and the refusals for views that are not: one psql
/// script against ThunderDB and the distribution's PostgreSQL 15 must print the same rows and the same errors. And the
/// dependencies of views: DROP TABLE / VIEW / COLUMN of what a view (or a view of it) reads fails, or cascades, and
/// RENAME of a table or column is followed by the views that read it.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class UpdatableViewDifferentialTests
{
    private const string Script = """
        \set VERBOSITY default
        CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int DEFAULT 7, note text);
        INSERT INTO items VALUES (1, 'a', 1, 'x'), (2, 'b', 2, NULL), (3, 'c', 30, 'y'), (4, 'd', 40, NULL);
        CREATE VIEW small AS SELECT id, name, qty FROM items WHERE qty < 10;
        CREATE VIEW renamed (ident, label) AS SELECT id, name FROM items;
        CREATE VIEW aliased AS SELECT i.id AS key, i.qty * 2 AS doubled, i.name FROM items i WHERE i.id > 1;
        CREATE VIEW everything AS SELECT * FROM items;
        CREATE VIEW counted AS SELECT name, count(*) FROM items GROUP BY name;
        CREATE VIEW distinct_names AS SELECT DISTINCT name FROM items;
        CREATE VIEW limited AS SELECT * FROM items LIMIT 2;
        CREATE VIEW joined AS SELECT a.id, b.name FROM items a JOIN items b ON a.id = b.id;
        CREATE VIEW computed AS SELECT id, qty + 1 AS next FROM items;
        UPDATE small SET qty = qty + 100 WHERE name = 'a';
        UPDATE small SET qty = 0 WHERE id = 3;
        DELETE FROM small WHERE id = 4;
        SELECT * FROM items ORDER BY id;
        DELETE FROM small WHERE qty = 2;
        INSERT INTO small VALUES (5, 'e', 50);
        INSERT INTO small (name, id) VALUES ('f', 6);
        INSERT INTO renamed VALUES (7, 'g');
        INSERT INTO renamed (label, ident) SELECT 'h', 8;
        UPDATE renamed SET label = upper(label) WHERE ident >= 7;
        UPDATE aliased SET name = name || '!' WHERE key = 3 AND doubled = 60;
        UPDATE aliased AS al SET name = 'k' WHERE al.key = 7;
        DELETE FROM everything WHERE note IS NOT NULL AND id = 1;
        SELECT * FROM items ORDER BY id;
        SELECT * FROM small ORDER BY id;
        UPDATE aliased SET doubled = 1;
        INSERT INTO computed VALUES (9, 10);
        INSERT INTO computed (id) VALUES (9);
        UPDATE counted SET name = 'z';
        DELETE FROM distinct_names;
        DELETE FROM limited;
        DELETE FROM joined;
        INSERT INTO counted VALUES ('q', 1);
        UPDATE aliased SET name = doubled::text || name WHERE key = 8;
        DELETE FROM aliased WHERE doubled > 90 AND key < 6;
        SELECT * FROM items ORDER BY id;
        BEGIN;
        DELETE FROM everything;
        SELECT count(*) FROM items;
        ROLLBACK;
        SELECT count(*) FROM items;
        """;

    private const string DependencyScript = """
        create table vt (id int primary key, a int, b text);
        create view v1 as select id, a from vt;
        create view v2 as select id from v1 where id > 0;
        create view v3 as select count(*) from (select b from vt) s;
        drop table vt;
        drop view v1;
        alter table vt drop column a;
        alter table vt drop column b;
        alter table vt drop column b cascade;
        select viewname from pg_views where schemaname = 'public' order by 1;
        drop view v1, v2;
        create view v4 as select a from vt;
        drop table vt cascade;
        select viewname from pg_views where schemaname = 'public' order by 1;
        create table w (x int);
        create view wv as select x from w;
        drop view wv;
        drop table w;
        create table rt (id int primary key, a int, b text);
        insert into rt values (1, 10, 'x');
        create view rv as select id, a, rt.b from rt where a > 0;
        create view rv2 as select a from rv;
        alter table rt rename column a to amount;
        select * from rv;
        select * from rv2;
        alter table rt rename to rt_new;
        select * from rv;
        drop view rv2;
        drop view rv;
        drop table rt_new;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(180_000)]
    public async Task Psql_script_prints_what_postgresql_prints(CancellationToken ct)
    {
        await PsqlScriptDifferential.AssertSamePrintoutAsync(Script, ct, hints: true);
    }

    [Test]
    [Timeout(120_000)]
    public async Task Views_hold_back_drops_of_what_they_read_as_in_postgresql(CancellationToken ct) =>
        await PsqlScriptDifferential.AssertSameOutputAsync(DependencyScript, ct);
}
