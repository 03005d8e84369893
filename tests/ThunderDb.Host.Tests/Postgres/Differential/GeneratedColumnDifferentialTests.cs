using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// Stored generated columns: computed on INSERT, UPDATE, ON CONFLICT and COPY, refused as targets, NOT NULL and CHECK on
/// their value, catalog and information_schema rows, psql's \d, ADD COLUMN over existing rows, DROP COLUMN of what they
/// read (RESTRICT and CASCADE), RENAME COLUMN followed by their expressions and CHECKs, the CREATE TABLE errors: a psql
/// script against ThunderDB and PostgreSQL 15 must print the same.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class GeneratedColumnDifferentialTests
{
    private const string Script = """
        create table g (id int primary key, price numeric(10,2), qty int, total numeric generated always as (price * qty) stored, label text generated always as ('item ' || id) stored);
        \d g
        insert into g (id, price, qty) values (1, 2.50, 4), (2, NULL, 3);
        insert into g values (3, 1, 1, DEFAULT, DEFAULT);
        select * from g order by id;
        insert into g (id, price, qty, total) values (4, 1, 1, 5);
        update g set qty = 10 where id = 1 returning *;
        update g set total = 1;
        update g set total = DEFAULT, price = 3 where id = 2;
        select * from g order by id;
        insert into g (id, price, qty) values (1, 9, 9) on conflict (id) do update set qty = excluded.qty returning total;
        select column_name, is_generated, generation_expression from information_schema.columns where table_name = 'g' order by ordinal_position;
        select attname, attgenerated from pg_attribute where attrelid = 'g'::regclass and attnum > 0 order by attnum;
        create table g2 (a int, b int generated always as (a * 2) stored, c int generated always as (b + 1) stored);
        create table g3 (a int, b float8 generated always as (random()) stored);
        create table g5 (a int, b int generated always as (a) stored not null check (b > 0));
        insert into g5 values (0);
        insert into g5 values (NULL);
        copy g (id, price, qty) from stdin;
        7	1.5	2
        \.
        select * from g where id = 7;
        alter table g add column doubled int generated always as (qty * 2) stored;
        alter table g drop column qty;
        select * from g order by id;
        alter table g drop column doubled;
        alter table g drop column qty cascade;
        select * from g order by id;
        create table g6 (a int, b int generated always as (a + 1) stored, c int check (c > a));
        alter table g6 rename column a to x;
        insert into g6 (x, c) values (1, 5);
        select * from g6;
        create table g7 (a int, "Mixed" text default 'a' check ("Mixed" <> 'a'''), b int generated always as (abs(a) + length("Mixed")) stored);
        alter table g7 rename column "Mixed" to m;
        alter table g7 rename column a to "A b";
        \d g7
        insert into g7 ("A b", m) values (-3, 'xy');
        select * from g7 where "A b" * 2 = -6;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Generated_columns_behave_as_in_postgresql(CancellationToken ct) => await PsqlScriptDifferential.AssertSameOutputAsync(Script, ct);
}
