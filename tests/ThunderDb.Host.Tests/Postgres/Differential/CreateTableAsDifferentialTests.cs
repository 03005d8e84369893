using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// CREATE TABLE AS and SELECT INTO: one psql script against ThunderDB and the distribution's PostgreSQL 15 must print the
/// same (tags, the new tables as <c>\d</c> shows them, their rows, errors and notices).
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class CreateTableAsDifferentialTests
{
    private const string Script = """
        CREATE TABLE src (id int PRIMARY KEY, name varchar(20), price numeric(8,2), at timestamptz DEFAULT now());
        INSERT INTO src (id, name, price) VALUES (1, 'a', 1.50), (2, 'b', NULL), (3, 'c', 3);
        CREATE TABLE c1 AS SELECT id, name, price FROM src WHERE id > 1;
        \d c1
        SELECT * FROM c1 ORDER BY id;
        CREATE TABLE c2 (x, y) AS SELECT id * 2, 'lit', 1.5::float8, ARRAY[1,2] FROM src;
        \d c2
        CREATE TABLE c3 AS SELECT * FROM src WITH NO DATA;
        SELECT count(*) FROM c3;
        CREATE TABLE c4 (a, b, c) AS SELECT 1, 2;
        CREATE TABLE IF NOT EXISTS c1 AS SELECT 1;
        CREATE TABLE c1 AS SELECT 1;
        CREATE TABLE c5 AS SELECT 1 AS a, 2 AS a;
        CREATE TABLE c6 AS SELECT count(*), sum(price) FROM src;
        \d c6
        CREATE TABLE c7 AS WITH w AS (SELECT 1 AS q) SELECT * FROM w;
        SELECT * FROM c7;
        BEGIN;
        CREATE TABLE c8 AS SELECT 1 AS z;
        ROLLBACK;
        SELECT * FROM c8;
        CREATE TABLE c9 AS VALUES (1, 'x'), (2, 'y');
        \d c9
        CREATE TABLE c10 AS SELECT id, name FROM src WITH DATA;
        SELECT id, name INTO c11 FROM src WHERE id < 3;
        SELECT * INTO TABLE c12 FROM src ORDER BY id DESC LIMIT 1;
        SELECT (SELECT count(*) FROM c11), (SELECT id FROM c12), (SELECT count(*) FROM c10);
        SELECT * FROM (SELECT 1 INTO c13) s;
        CREATE VIEW v AS SELECT 1 INTO c14;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Create_table_as_and_select_into_print_what_postgresql_prints(CancellationToken ct) =>
        await PsqlScriptDifferential.AssertSamePrintoutAsync(Script, ct);
}
