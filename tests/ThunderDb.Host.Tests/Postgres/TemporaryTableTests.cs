using Npgsql;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Postgres.Differential;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>
/// Temporary tables, views and sequences as PostgreSQL has them: in the session's pg_temp_N schema, found before the
/// search path, unreachable from other sessions, gone with DISCARD TEMP, with the session's end and after a crash;
/// ON COMMIT DROP and DELETE ROWS acting at every commit (not at a rollback).
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class TemporaryTableTests
{
    private const string Script = """
        CREATE TABLE perm (id int PRIMARY KEY, v text);
        INSERT INTO perm VALUES (1, 'perm');
        CREATE TEMP TABLE perm (id int PRIMARY KEY, v text);
        INSERT INTO perm VALUES (2, 'temp');
        SELECT * FROM perm;
        SELECT * FROM public.perm;
        CREATE TEMPORARY TABLE tt (id serial, x int DEFAULT 5);
        INSERT INTO tt (x) VALUES (1), (2);
        CREATE INDEX ON tt (x);
        SELECT * FROM pg_temp.tt ORDER BY id;
        SELECT relname, relpersistence FROM pg_class WHERE relname IN ('perm', 'tt', 'tt_id_seq', 'tt_x_idx') ORDER BY relname, relpersistence;
        CREATE TEMP TABLE public.y (a int);
        CREATE TABLE pg_temp.z (a int);
        CREATE TEMP VIEW tv AS SELECT * FROM tt;
        CREATE TEMP SEQUENCE ts;
        SELECT count(*), nextval('ts') FROM tv;
        SELECT * INTO TEMP t2 FROM tt;
        CREATE TEMP TABLE t3 AS SELECT 1 AS one;
        SELECT n.nspname LIKE 'pg_temp_%' AS in_temp, c.relname, c.relkind, c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname IN ('perm', 'tt', 'z', 'tv', 'ts', 't2', 't3') ORDER BY 2, 1;
        SELECT pg_table_is_visible('perm'::regclass), pg_table_is_visible('public.perm'::regclass);
        DROP TABLE perm;
        SELECT * FROM perm;
        BEGIN;
        CREATE TEMP TABLE rolled (a int);
        ROLLBACK;
        SELECT * FROM rolled;
        DISCARD TEMP;
        SELECT * FROM tt;
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 'pg_temp_%';
        CREATE TEMP TABLE kept (a int) ON COMMIT PRESERVE ROWS;
        CREATE TABLE not_temp (a int) ON COMMIT PRESERVE ROWS;
        DISCARD ALL;
        SELECT * FROM kept;
        """;

    private const string OnCommitScript = """
        BEGIN;
        CREATE TEMP TABLE scratch (id int PRIMARY KEY, v text) ON COMMIT DROP;
        INSERT INTO scratch VALUES (1, 'a'), (2, 'b');
        SELECT * FROM scratch ORDER BY id;
        COMMIT;
        SELECT * FROM scratch;
        CREATE TEMP TABLE gone (a int) ON COMMIT DROP;
        SELECT * FROM gone;
        BEGIN;
        CREATE TEMP TABLE rolled (a int) ON COMMIT DROP;
        ROLLBACK;
        SELECT * FROM rolled;
        CREATE TEMP TABLE keep (id int, v text) ON COMMIT DELETE ROWS;
        INSERT INTO keep VALUES (1, 'x');
        SELECT count(*) FROM keep;
        BEGIN;
        INSERT INTO keep VALUES (2, 'y'), (3, 'z');
        SELECT count(*) FROM keep;
        COMMIT;
        SELECT count(*) FROM keep;
        BEGIN;
        INSERT INTO keep VALUES (4, 'w');
        SAVEPOINT s;
        INSERT INTO keep VALUES (5, 'v');
        ROLLBACK TO s;
        SELECT * FROM keep;
        COMMIT;
        SELECT * FROM keep;
        CREATE TABLE perm (a int) ON COMMIT DROP;
        CREATE TEMP TABLE bad (a int) ON COMMIT NOTHING;
        BEGIN;
        CREATE TEMP TABLE t2 (a int) ON COMMIT DROP;
        DROP TABLE t2;
        COMMIT;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task On_commit_drop_and_delete_rows_act_at_each_commit_as_in_postgresql(CancellationToken ct) =>
        await PsqlScriptDifferential.AssertSameOutputAsync(OnCommitScript, ct);

    [Test]
    [Timeout(120_000)]
    public async Task Temporary_objects_print_what_postgresql_prints(CancellationToken ct) => await PsqlScriptDifferential.AssertSameOutputAsync(Script, ct);

    [Test]
    [Timeout(120_000)]
    public async Task Other_sessions_cannot_see_them_and_they_go_with_their_session_and_after_a_kill(CancellationToken ct)
    {
        const string CountTemporary = "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pg_temp_%'";
        using var dir = new TempDirectory();
        await using (var server = await RunningServer.StartAsync(dir, ct: ct))
        {
            await using NpgsqlConnection other = await NpgsqlTests.OpenAsync(server, ct);
            await using (NpgsqlConnection owner = await NpgsqlTests.OpenAsync(server, ct, ";Pooling=false"))
            {
                await NpgsqlTests.ExecAsync(owner, "CREATE TEMP TABLE scratch (id int PRIMARY KEY, note text)", ct);
                await NpgsqlTests.ExecAsync(owner, "INSERT INTO scratch VALUES (1, 'mine')", ct);
                await Assert.That(await NpgsqlTests.ScalarAsync(owner, "SELECT note FROM scratch", ct)).IsEqualTo("mine");

                var unseen = await Assert.ThrowsAsync<PostgresException>(async () => await NpgsqlTests.ScalarAsync(other, "SELECT count(*) FROM scratch", ct));
                await Assert.That(unseen!.SqlState).IsEqualTo("42P01");
                string schema = (string)(await NpgsqlTests.ScalarAsync(owner, "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'pg_temp_%'", ct))!;
                var foreign = await Assert.ThrowsAsync<PostgresException>(async () => await NpgsqlTests.ScalarAsync(other, $"SELECT count(*) FROM {schema}.scratch", ct));
                await Assert.That(foreign!.SqlState).IsEqualTo("0A000");
                await Assert.That(foreign.MessageText).IsEqualTo("cannot access temporary tables of other sessions");
            }

            // the owner's connection closed: its schema and table are dropped as the session ends
            long left = -1;
            for (int i = 0; i < 50 && left != 0; i++)
            {
                left = (long)(await NpgsqlTests.ScalarAsync(other, CountTemporary, ct))!;
                await Task.Delay(100, ct);
            }

            await Assert.That(left).IsEqualTo(0L);

            await using NpgsqlConnection crashed = await NpgsqlTests.OpenAsync(server, ct, ";Pooling=false");
            await NpgsqlTests.ExecAsync(crashed, "CREATE TEMP TABLE lost (a int); INSERT INTO lost VALUES (1)", ct);
            await Assert.That(await NpgsqlTests.ScalarAsync(other, CountTemporary, ct)).IsEqualTo(1L);
            await server.KillAsync();
        }

        await using (var server = await RunningServer.StartAsync(dir, ct: ct))
        {
            // no session survives a restart: what a killed server left behind is dropped as it opens
            await using NpgsqlConnection conn = await NpgsqlTests.OpenAsync(server, ct);
            await Assert.That(await NpgsqlTests.ScalarAsync(conn, CountTemporary, ct)).IsEqualTo(0L);
            await Assert.That(await NpgsqlTests.ScalarAsync(conn, "SELECT count(*) FROM pg_class WHERE relname = 'lost'", ct)).IsEqualTo(0L);
        }
    }
}
