using Npgsql;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Postgres.Differential;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>
/// CREATE TYPE ... AS ENUM as PostgreSQL has it: values ordered by label position, not text; ALTER TYPE ADD VALUE
/// (BEFORE / AFTER), RENAME VALUE and RENAME TO; enum_first / enum_last / enum_range; pg_type, pg_enum, format_type,
/// information_schema and psql's \d and \dT; the casts that exist and those that do not; DROP TYPE blocked by columns or
/// taking them with CASCADE. A psql script must print what PostgreSQL 15 prints; Npgsql reads and writes the values in
/// binary; a column of an enum type reads back after a kill, with the labels added before it.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class EnumTypeTests
{
    private const string Script = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE TABLE person (name text primary key, current_mood mood);
        INSERT INTO person VALUES ('Moe', 'happy'), ('Larry', 'sad'), ('Curly', 'ok');
        SELECT * FROM person WHERE current_mood = 'happy';
        SELECT * FROM person WHERE current_mood > 'sad' ORDER BY current_mood;
        SELECT * FROM person ORDER BY current_mood DESC;
        SELECT min(current_mood), max(current_mood) FROM person;
        INSERT INTO person VALUES ('Shemp', 'angry');
        SELECT 'happy'::mood, 'happy'::mood < 'sad'::mood, 'ok'::mood::text;
        SELECT enum_first(NULL::mood), enum_last(NULL::mood), enum_range(NULL::mood);
        SELECT enum_range('ok'::mood, NULL), enum_range(NULL, 'ok'::mood), enum_range('sad'::mood, 'ok'::mood);
        ALTER TYPE mood ADD VALUE 'ecstatic';
        ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
        ALTER TYPE mood ADD VALUE 'fine' AFTER 'ok';
        ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';
        ALTER TYPE mood ADD VALUE 'ok';
        ALTER TYPE mood ADD VALUE 'x' BEFORE 'nope';
        SELECT enum_range(NULL::mood);
        SELECT enumlabel, enumsortorder FROM pg_enum WHERE enumtypid = 'mood'::regtype ORDER BY enumsortorder;
        INSERT INTO person VALUES ('Shemp', 'meh');
        SELECT * FROM person ORDER BY current_mood;
        ALTER TYPE mood RENAME VALUE 'meh' TO 'so-so';
        SELECT * FROM person ORDER BY current_mood;
        ALTER TYPE mood RENAME VALUE 'nope' TO 'x';
        ALTER TYPE mood RENAME VALUE 'ok' TO 'sad';
        CREATE TYPE mood AS ENUM ('a');
        CREATE TYPE person AS ENUM ('a');
        CREATE TABLE mood (a int);
        CREATE TYPE color AS ENUM ('red', 'green');
        SELECT 'red'::color = 'sad'::mood;
        SELECT 'red'::color::mood;
        SELECT 1::mood;
        SELECT 'red'::color::text::mood;
        SELECT 'red'::color::regtype;
        SELECT pg_typeof('red'::color), format_type('color'::regtype, -1);
        SELECT 'color[]'::regtype::oid = (SELECT typarray FROM pg_type WHERE typname = 'color');
        SELECT typname, typtype, typcategory, typlen FROM pg_type WHERE typname IN ('color', '_color', 'mood') ORDER BY 1;
        SELECT ARRAY['red', 'green']::color[], '{green,red}'::color[];
        SELECT column_name, data_type, udt_name FROM information_schema.columns WHERE table_name = 'person' ORDER BY 1;
        CREATE TABLE paint (c color, cs color[]);
        INSERT INTO paint VALUES ('green', '{red,green}'), ('red', NULL);
        SELECT * FROM paint ORDER BY c;
        SELECT c, count(*) FROM paint GROUP BY c ORDER BY c;
        SELECT DISTINCT c FROM paint ORDER BY 1;
        CREATE INDEX ON paint (c);
        SELECT * FROM paint WHERE c = 'green';
        SELECT * FROM paint WHERE c = 'purple';
        DROP TYPE color;
        ALTER TABLE paint DROP COLUMN cs;
        DROP TYPE color CASCADE;
        \d paint
        DROP TYPE IF EXISTS nosuch;
        DROP TYPE nosuch;
        ALTER TYPE mood RENAME TO feeling;
        SELECT 'happy'::feeling;
        \d person
        \dT
        CREATE TYPE e0 AS ENUM ();
        SELECT enum_range(NULL::e0);
        SELECT enum_first(NULL::e0);
        SELECT 'happy'::feeling || 'x', 'happy'::feeling = 'happy';
        SELECT * FROM person WHERE current_mood IN ('happy', 'sad') ORDER BY 1;
        SELECT * FROM person WHERE current_mood::text LIKE 'h%';
        UPDATE person SET current_mood = 'ecstatic' WHERE name = 'Moe';
        SELECT * FROM person ORDER BY 2;
        SELECT current_mood, row_number() OVER (ORDER BY current_mood) FROM person;
        SELECT to_json('happy'::feeling), json_build_object('m', current_mood) FROM person ORDER BY current_mood LIMIT 1;
        CREATE SCHEMA s;
        CREATE TYPE s.size AS ENUM ('small', 'large');
        SELECT 'large'::s.size > 'small', pg_typeof('small'::s.size);
        CREATE TABLE s.shirts (sz s.size);
        DROP SCHEMA s CASCADE;
        DROP TABLE person;
        DROP TYPE feeling;
        CREATE TABLE ti (a int, b text CHECK (b <> ''), c int, UNIQUE (c), CHECK (c > a));
        CREATE INDEX ON ti (b);
        INSERT INTO ti VALUES ('abc');
        ALTER TABLE ti DROP COLUMN b;
        ALTER TABLE ti DROP COLUMN c;
        \d ti
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Enum_types_behave_as_postgresql_enums(CancellationToken ct) => await PsqlScriptDifferential.AssertSameOutputAsync(Script, ct);

    [Test]
    [Timeout(120_000)]
    public async Task Npgsql_sends_and_reads_enum_values_and_they_survive_a_kill(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using (var server = await RunningServer.StartAsync(dir, ct: ct))
        {
            await using NpgsqlConnection conn = await NpgsqlTests.OpenAsync(server, ct);
            await NpgsqlTests.ExecAsync(conn, "CREATE TYPE lvl AS ENUM ('low', 'mid', 'high'); CREATE TABLE tasks (id int PRIMARY KEY, l lvl NOT NULL DEFAULT 'mid', ls lvl[])", ct);
            await NpgsqlTests.ExecAsync(conn, "CREATE INDEX ON tasks (l)", ct);
            await using (var insert = new NpgsqlCommand("INSERT INTO tasks (id, l) VALUES ($1, $2::lvl)", conn))
            {
                insert.Parameters.AddWithValue(1);
                insert.Parameters.AddWithValue("high");
                await insert.ExecuteNonQueryAsync(ct);
            }

            await NpgsqlTests.ExecAsync(conn, "INSERT INTO tasks (id, ls) VALUES (2, '{low,high}'); ALTER TYPE lvl ADD VALUE 'urgent' AFTER 'high'", ct);
            await NpgsqlTests.ExecAsync(conn, "INSERT INTO tasks VALUES (3, 'urgent', '{urgent,low}')", ct);
            await conn.ReloadTypesAsync(ct); // Npgsql learns a type made after it connected from pg_type and pg_enum, as with PostgreSQL

            // results come back in binary: an enum's binary form is its label
            await using (var select = new NpgsqlCommand("SELECT l::text AS t, l FROM tasks WHERE l >= $1::lvl ORDER BY l", conn))
            {
                select.Parameters.AddWithValue("mid");
                await using NpgsqlDataReader reader = await select.ExecuteReaderAsync(ct);
                var labels = new List<string>();
                while (await reader.ReadAsync(ct))
                {
                    labels.Add(reader.GetString(1));
                    await Assert.That(reader.GetString(0)).IsEqualTo(reader.GetString(1));
                }

                await Assert.That(string.Join(",", labels)).IsEqualTo("mid,high,urgent");
            }

            var bad = await Assert.ThrowsAsync<PostgresException>(async () => await NpgsqlTests.ExecAsync(conn, "INSERT INTO tasks VALUES (4, 'nope')", ct));
            await Assert.That(bad!.SqlState).IsEqualTo("22P02");
            await Assert.That(bad.MessageText).IsEqualTo("invalid input value for enum lvl: \"nope\"");
            await server.KillAsync();
        }

        await using (var server = await RunningServer.StartAsync(dir, ct: ct))
        {
            await using NpgsqlConnection conn = await NpgsqlTests.OpenAsync(server, ct);
            await Assert.That(await NpgsqlTests.ScalarAsync(conn, "SELECT string_agg(l::text, ',' ORDER BY l) FROM tasks", ct)).IsEqualTo("mid,high,urgent");
            await Assert.That(await NpgsqlTests.ScalarAsync(conn, "SELECT ls::text FROM tasks WHERE id = 3", ct)).IsEqualTo("{urgent,low}");
            await Assert.That(await NpgsqlTests.ScalarAsync(conn, "SELECT id FROM tasks WHERE l = 'urgent'", ct)).IsEqualTo(3);
            await Assert.That(await NpgsqlTests.ScalarAsync(conn, "SELECT enum_range(NULL::lvl)::text", ct)).IsEqualTo("{low,mid,high,urgent}");
        }
    }
}
