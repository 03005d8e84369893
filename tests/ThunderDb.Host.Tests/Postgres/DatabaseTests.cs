using Npgsql;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Postgres.Differential;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>CREATE DATABASE and DROP DATABASE as clients use them: psql's errors as PostgreSQL 15 prints them, Npgsql in a new database, FORCE, a restart.</summary>
[NotInParallel("thunderdb-process")]
public sealed class DatabaseTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Create_and_drop_database_answer_as_postgresql_does(CancellationToken ct)
    {
        const string Script = """
            CREATE DATABASE app1;
            CREATE DATABASE app1;
            CREATE DATABASE app2 WITH OWNER = nosuchrole;
            CREATE DATABASE app2 TEMPLATE nosuch;
            CREATE DATABASE app2 TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' CONNECTION LIMIT -1;
            CREATE DATABASE app3 WITH FOO = 1;
            BEGIN;
            CREATE DATABASE app4;
            ROLLBACK;
            SELECT 1 \; CREATE DATABASE app5;
            DROP DATABASE nosuch;
            DROP DATABASE IF EXISTS nosuch;
            DROP DATABASE postgres;
            DROP DATABASE app2 WITH (FOO);
            BEGIN;
            DROP DATABASE app2;
            ROLLBACK;
            DROP DATABASE app2 (FORCE);
            SELECT datname FROM pg_database WHERE datname LIKE 'app%' ORDER BY 1;
            \c app1
            CREATE TABLE only_here (a int);
            INSERT INTO only_here VALUES (1);
            \dt
            \dn
            SELECT current_database(), count(*) FROM only_here;
            \c postgres
            \dt
            SELECT * FROM only_here;
            DROP DATABASE app1;
            SELECT datname FROM pg_database WHERE datname LIKE 'app%' ORDER BY 1;
            """;
        await PsqlScriptDifferential.AssertSameOutputAsync(Script, ct, "thunder");
    }

    [Test]
    [Timeout(120_000)]
    public async Task A_new_database_serves_npgsql_refuses_to_drop_while_used_and_survives_a_kill(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using (var server = await RunningServer.StartAsync(dir, ct: ct))
        {
            await using NpgsqlConnection admin = await NpgsqlTests.OpenAsync(server, ct);
            await NpgsqlTests.ExecAsync(admin, "CREATE DATABASE shop", ct);

            // Npgsql loads its types from the new database's catalogs, then binds parameters there
            await using NpgsqlConnection shop = await NpgsqlTests.OpenAsync(server, ct, ";Database=shop");
            await NpgsqlTests.ExecAsync(shop, "CREATE TABLE items (id int PRIMARY KEY, name text)", ct);
            await using (var insert = new NpgsqlCommand("INSERT INTO items VALUES ($1, $2)", shop))
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = 7 });
                insert.Parameters.Add(new NpgsqlParameter { Value = "lamp" });
                await insert.ExecuteNonQueryAsync(ct);
            }

            await Assert.That(await NpgsqlTests.ScalarAsync(shop, "SELECT current_database()", ct)).IsEqualTo("shop");
            var missing = await Assert.ThrowsAsync<PostgresException>(async () => await NpgsqlTests.ScalarAsync(admin, "SELECT count(*) FROM items", ct));
            await Assert.That(missing!.SqlState).IsEqualTo("42P01"); // another database's table is not in reach

            var used = await Assert.ThrowsAsync<PostgresException>(async () => await NpgsqlTests.ExecAsync(admin, "DROP DATABASE shop", ct));
            await Assert.That(used!.SqlState).IsEqualTo("55006");
            await Assert.That(used.MessageText).IsEqualTo("database \"shop\" is being accessed by other users");
            await Assert.That(used.Detail).IsEqualTo("There is 1 other session using the database.");
            await server.KillAsync();
        }

        await using (var server = await RunningServer.StartAsync(dir, ct: ct))
        {
            await using NpgsqlConnection shop = await NpgsqlTests.OpenAsync(server, ct, ";Database=shop");
            await Assert.That(await NpgsqlTests.ScalarAsync(shop, "SELECT name FROM items WHERE id = 7", ct)).IsEqualTo("lamp");

            await using NpgsqlConnection admin = await NpgsqlTests.OpenAsync(server, ct);
            await NpgsqlTests.ExecAsync(admin, "DROP DATABASE shop WITH (FORCE)", ct);
            await Assert.That(await NpgsqlTests.ScalarAsync(admin, "SELECT count(*) FROM pg_database WHERE datname = 'shop'", ct)).IsEqualTo(0L);
            await Assert.ThrowsAsync<Exception>(async () => await NpgsqlTests.ScalarAsync(shop, "SELECT 1", ct)); // its session was terminated

            var gone = await Assert.ThrowsAsync<PostgresException>(async () => await NpgsqlTests.OpenAsync(server, ct, ";Database=shop;Pooling=false"));
            await Assert.That(gone!.SqlState).IsEqualTo("3D000");
        }
    }
}
