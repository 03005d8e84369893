using System.Text.RegularExpressions;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// psql's describe commands (<c>\l</c>, <c>\dt</c>, <c>\d</c>, <c>\d table</c>, <c>\d+</c>, <c>\di</c>, <c>\ds</c>, <c>\dv</c>,
/// <c>\dn</c>, <c>\du</c>, <c>\x</c>; and the listings of objects ThunderDB does not have, which must be the same empty
/// tables: <c>\db</c>, <c>\dc</c>, <c>\des</c>, <c>\dy</c>, <c>\lo_list</c>...) over one schema must print byte for byte what PostgreSQL 15 prints: psql runs its own
/// catalog queries, so this checks pg_class, pg_attribute, pg_index, pg_constraint, pg_attrdef, pg_sequence, pg_depend,
/// pg_roles, pg_namespace, pg_database and format_type, pg_get_indexdef, pg_get_constraintdef, pg_get_expr as psql reads them.
/// Both servers run with the superuser "thunder", so owners print alike without rewriting. Nothing is normalised: <c>\l</c>
/// is asked for the database both have (ThunderDB has no template0/template1), and <c>\dt+</c> is left out (sizes differ by design).
/// The script behaviours (<c>-c</c>, <c>-f</c>, ON_ERROR_STOP, <c>-1</c>, <c>\timing</c>) are compared with their exit codes.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed partial class PsqlMetaCommandDifferentialTests
{
    private const string Superuser = "thunder";

    private const string Schema = """
        CREATE SCHEMA inv;
        CREATE ROLE app_reader LOGIN;
        CREATE ROLE app_admin CREATEDB CREATEROLE;
        CREATE TABLE customers (id serial PRIMARY KEY, email varchar(120) NOT NULL, name text, region char(2) DEFAULT 'EU', created date DEFAULT CURRENT_DATE, UNIQUE (email));
        CREATE TABLE orders (order_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id) ON DELETE CASCADE, qty int NOT NULL DEFAULT 1 CHECK (qty > 0), price numeric(10,2), note text, placed timestamp, CONSTRAINT orders_price_check CHECK (price >= 0));
        CREATE INDEX orders_customer_idx ON orders (customer_id);
        CREATE INDEX orders_cust_placed_idx ON orders (customer_id, placed DESC);
        CREATE TABLE inv.items (sku text NOT NULL, warehouse int NOT NULL, stock int DEFAULT 0, flag boolean, PRIMARY KEY (sku, warehouse));
        CREATE UNIQUE INDEX items_stock_uq ON inv.items (warehouse, stock);
        CREATE TABLE order_lines (order_id bigint REFERENCES orders(order_id), line int, sku text, warehouse int, amount double precision, PRIMARY KEY (order_id, line), FOREIGN KEY (sku, warehouse) REFERENCES inv.items (sku, warehouse) ON UPDATE CASCADE);
        CREATE VIEW big_orders AS SELECT order_id, qty FROM orders WHERE qty > 10;
        CREATE SEQUENCE ticket_seq START 100 INCREMENT 5;
        CREATE TABLE checks (a int CHECK (a BETWEEN 1 AND 10), b text CHECK (b <> ''), c int CHECK (c IN (1, 2, 3)), d numeric CHECK (d > 0.5),
            e text CHECK (e LIKE 'a%'), f int CHECK (f IS NOT NULL AND f > 0 OR f < -5), g bigint DEFAULT 1, h int DEFAULT -1, i double precision DEFAULT 2.5,
            j bigint DEFAULT 5000000000, k varchar(5) DEFAULT 'y', l int DEFAULT 1 + 2, m timestamptz DEFAULT now(), n boolean DEFAULT true,
            o int DEFAULT nextval('ticket_seq'), p numeric(6,2) DEFAULT 0, q int CHECK (q * 2 + 1 < 100), r int CHECK (NOT (r = 3)));
        INSERT INTO customers (email, name) VALUES ('a@x', 'Ann'), ('b@x', NULL);

        """;

    private const string MetaCommands = """
        \l postgres
        \dt
        \d
        \d customers
        \d orders
        \d order_lines
        \d inv.items
        \d checks
        \d big_orders
        \d ticket_seq
        \d customers_id_seq
        \di
        \ds
        \dv
        \dn
        \du
        \dt inv.*
        \di inv.*
        \d+ customers
        \d+ orders
        \d orders_pkey
        \d orders_cust_placed_idx
        \d orders_order_id_seq
        \du+
        \dT
        \dm
        \dp customers
        \d nosuchtable
        \df
        \df nosuch*
        \db
        \dc
        \des
        \dew
        \det
        \deu
        \drds
        \dy
        \lo_list
        \x
        SELECT id, email, name, region FROM customers ORDER BY id;
        SELECT 1 AS a, 'x' AS b;
        \x
        SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'checks'::regclass ORDER BY conname;
        SELECT adnum, pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'checks'::regclass ORDER BY adnum;
        SET search_path = inv, public;
        \dt
        \d order_lines
        select 'public'::regnamespace::oid = (select oid from pg_namespace where nspname = 'public'), 'pg_catalog'::regnamespace::oid;
        select 'public'::regnamespace, 'integer'::regtype, 'int4'::regtype::oid, 'text[]'::regtype, 'character varying'::regtype::oid;
        select 'thunder'::regrole::oid;
        select 'nosuch'::regnamespace;
        select 'nosuch'::regtype;
        select 'nosuch'::regrole;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(180_000)]
    public async Task Describe_commands_print_what_postgresql_prints(CancellationToken ct)
    {
        var (pg, thunder) = await PsqlScriptDifferential.RunAsync(Schema + MetaCommands, [], ct, Superuser);
        await Assert.That(thunder.Stdout).IsEqualTo(pg.Stdout).Because($"PostgreSQL:\n{pg}\n\nThunderDB:\n{thunder}");
        await Assert.That(thunder.Stderr).IsEqualTo(pg.Stderr).Because($"PostgreSQL:\n{pg.Stderr}\n\nThunderDB:\n{thunder.Stderr}");
        await Assert.That(thunder.ExitCode).IsEqualTo(pg.ExitCode);
    }

    [Test]
    [Timeout(180_000)]
    public async Task Script_options_and_error_stops_behave_as_with_postgresql(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        string script = dir.Write("steps.sql", """
            CREATE TABLE steps (n int PRIMARY KEY);
            INSERT INTO steps VALUES (1);
            INSERT INTO steps VALUES (1);
            INSERT INTO steps VALUES (2);
            SELECT count(*) FROM steps;
            """);
        string[][] runs =
        [
            ["-c", "SELECT 1 AS one", "-c", "SELECT 'two' AS two"],
            ["-c", "SELECT * FROM missing_table"],
            ["-v", "ON_ERROR_STOP=1", "-c", "SELECT 1/0", "-c", "SELECT 'not reached'"],
            ["-f", script],
            ["-c", "DROP TABLE steps"],
            ["-v", "ON_ERROR_STOP=1", "-f", script],
            ["-c", "SELECT count(*) FROM steps", "-c", "DROP TABLE steps"],
            ["-1", "-v", "ON_ERROR_STOP=1", "-f", script],
            ["-c", "SELECT count(*) FROM steps"],
            ["-A", "-t", "-c", "\\timing on", "-c", "SELECT 42", "-c", "\\timing off", "-c", "SELECT 43"],
            ["-X", "-c", "\\dt", "-c", "\\dn"],
        ];
        var (pg, thunder) = await PsqlScriptDifferential.OnBothAsync(async (port, user) =>
        {
            var results = new List<ToolResult>();
            foreach (string[] args in runs)
            {
                results.Add(await PsqlTests.PsqlAsync(port, null, null, ["-U", user, "-d", "postgres", .. args]));
            }

            return results;
        }, ct, Superuser);
        for (int i = 0; i < runs.Length; i++)
        {
            string because = $"psql {string.Join(' ', runs[i])}\nPostgreSQL:\n{pg[i]}\n\nThunderDB:\n{thunder[i]}";
            await Assert.That(thunder[i].ExitCode).IsEqualTo(pg[i].ExitCode).Because(because);
            await Assert.That(Timings().Replace(thunder[i].Stdout, "Time: N ms")).IsEqualTo(Timings().Replace(pg[i].Stdout, "Time: N ms")).Because(because);
            await Assert.That(PsqlScriptDifferential.Errors(thunder[i].Stderr)).IsEqualTo(PsqlScriptDifferential.Errors(pg[i].Stderr)).Because(because);
        }

        await Assert.That(pg[9].Stdout).Contains("Time: ");
    }

    [GeneratedRegex(@"Time: \d+\.\d{3} ms")]
    private static partial Regex Timings();
}
