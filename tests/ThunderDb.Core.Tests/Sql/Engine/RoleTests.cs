using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>CREATE / ALTER / DROP ROLE in the transactional catalog, the privilege checks, and the role catalogs.</summary>
public class RoleTests
{
    private static async Task<(TestDatabase Db, SqlEngine Engine, SqlSession Admin)> OpenAsync()
    {
        var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        engine.SuperuserName = "admin";
        return (t, engine, engine.OpenSession("admin"));
    }

    private static async Task<BatchResult> Run(SqlSession s, string sql) => await s.ExecuteAsync(sql);

    private static async Task<string> One(SqlSession s, string sql)
    {
        BatchResult r = await s.ExecuteAsync(sql);
        if (r.Error is not null)
        {
            throw new InvalidOperationException($"{r.Error.SqlState} {r.Error.Message} in: {sql}");
        }

        return string.Join("\n", r.Results[^1].Rows!.Select(row => string.Join("|", row.Select(v => v.IsNull ? "NULL" : v.ToString()))));
    }

    [Test]
    public async Task Create_user_stores_a_scram_verifier_and_lists_the_role()
    {
        (TestDatabase t, SqlEngine engine, SqlSession admin) = await OpenAsync();
        using var _ = t;
        BatchResult r = await Run(admin, "CREATE USER alice WITH PASSWORD 'pencil' CREATEDB; CREATE ROLE readers");
        await Assert.That(r.Error).IsNull();
        await Assert.That(r.Results[0].CommandTag).IsEqualTo("CREATE ROLE");
        RoleDef alice = engine.Catalog.Current.FindRole("alice")!;
        await Assert.That(alice.CanLogin).IsTrue();
        await Assert.That(alice.CreateDb).IsTrue();
        await Assert.That(alice.Superuser).IsFalse();
        await Assert.That(RolePasswords.Matches(alice.Password, "pencil", "alice")).IsTrue();
        await Assert.That(alice.Password!).StartsWith("SCRAM-SHA-256$4096:");
        await Assert.That(engine.Catalog.Current.FindRole("readers")!.CanLogin).IsFalse();

        await Assert.That(await One(admin, "SELECT rolname, rolsuper, rolcanlogin, rolcreatedb, rolpassword FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY oid"))
            .IsEqualTo("admin|t|t|t|********\nalice|f|t|t|********\nreaders|f|f|f|********");
        await Assert.That(await One(admin, "SELECT usename FROM pg_user ORDER BY 1")).IsEqualTo("admin\nalice");
        await Assert.That(await One(admin, "SELECT rolpassword = '" + alice.Password + "' FROM pg_authid WHERE rolname = 'alice'")).IsEqualTo("t");
        await Assert.That(await One(admin, "SELECT passwd IS NULL FROM pg_shadow WHERE usename = 'admin'")).IsEqualTo("t");
    }

    [Test]
    public async Task A_rolled_back_create_user_leaves_nothing_and_a_committed_one_survives_a_restart()
    {
        (TestDatabase t, SqlEngine engine, SqlSession admin) = await OpenAsync();
        using var _ = t;
        await Assert.That((await Run(admin, "BEGIN; CREATE USER ghost PASSWORD 'x'; ROLLBACK")).Error).IsNull();
        await Assert.That(engine.Catalog.Current.FindRole("ghost")).IsNull();
        await Assert.That(await One(admin, "SELECT count(*) FROM pg_roles WHERE rolname = 'ghost'")).IsEqualTo("0");

        await Assert.That((await Run(admin, "CREATE USER bob PASSWORD 'pw'")).Error).IsNull();
        t.CloseAndReopen();
        SqlEngine reopened = await SqlEngine.OpenAsync(t.Db);
        await Assert.That(RolePasswords.Matches(reopened.Catalog.Current.FindRole("bob")!.Password, "pw", "bob")).IsTrue();
    }

    [Test]
    public async Task Alter_changes_flags_password_and_name_and_drop_removes()
    {
        (TestDatabase t, SqlEngine engine, SqlSession admin) = await OpenAsync();
        using var _ = t;
        await One(admin, "SELECT 1");
        await Assert.That((await Run(admin, "CREATE USER carol PASSWORD 'one'; ALTER USER carol WITH PASSWORD 'two' NOLOGIN SUPERUSER")).Error).IsNull();
        RoleDef carol = engine.Catalog.Current.FindRole("carol")!;
        await Assert.That(RolePasswords.Matches(carol.Password, "two", "carol")).IsTrue();
        await Assert.That(carol.CanLogin).IsFalse();
        await Assert.That(carol.Superuser).IsTrue();

        BatchResult rename = await Run(admin, "ALTER ROLE carol RENAME TO dave");
        await Assert.That(rename.Error).IsNull();
        await Assert.That(engine.Catalog.Current.FindRole("carol")).IsNull();
        await Assert.That(engine.Catalog.Current.FindRole("dave")!.Oid).IsEqualTo(carol.Oid);

        await Assert.That((await Run(admin, "ALTER ROLE dave PASSWORD NULL")).Error).IsNull();
        await Assert.That(engine.Catalog.Current.FindRole("dave")!.Password).IsNull();

        BatchResult drop = await Run(admin, "DROP USER IF EXISTS dave, nobody");
        await Assert.That(drop.Error).IsNull();
        await Assert.That(drop.Results[0].Notices!).Contains("role \"nobody\" does not exist, skipping");
        await Assert.That(engine.Catalog.Current.FindRole("dave")).IsNull();
        await Assert.That((await Run(admin, "DROP ROLE dave")).Error!.SqlState).IsEqualTo("42704");
    }

    [Test]
    public async Task Md5_encryption_stores_md5_hashes_and_a_rename_clears_them()
    {
        (TestDatabase t, SqlEngine engine, SqlSession scramSession) = await OpenAsync();
        using var _ = t;
        engine.PasswordEncryption = PasswordEncryption.Md5;
        SqlSession admin = engine.OpenSession("admin");
        await Assert.That((await Run(admin, "CREATE USER user PASSWORD 'pencil'")).Error!.SqlState).IsEqualTo("42601");
        await Assert.That((await Run(admin, "CREATE USER \"user\" PASSWORD 'pencil'")).Error).IsNull();
        await Assert.That(engine.Catalog.Current.FindRole("user")!.Password).IsEqualTo(RolePasswords.Md5Hash("pencil", "user"));
        BatchResult rename = await Run(admin, "ALTER USER \"user\" RENAME TO u2");
        await Assert.That(rename.Results[0].Notices!).Contains("MD5 password cleared because of role rename");
        await Assert.That(engine.Catalog.Current.FindRole("u2")!.Password).IsNull();

        // the session's password_encryption, as PostgreSQL's (psql's \password reads it)
        await Assert.That(await One(admin, "SHOW password_encryption")).IsEqualTo("md5");
        await Assert.That(await One(scramSession, "SHOW password_encryption")).IsEqualTo("scram-sha-256");
        await Assert.That((await Run(scramSession, "CREATE USER s1 PASSWORD 'p'")).Error).IsNull();
        await Assert.That(engine.Catalog.Current.FindRole("s1")!.Password!).StartsWith("SCRAM-SHA-256$");
        await Assert.That((await Run(scramSession, "SET password_encryption = 'md5'; CREATE USER m1 PASSWORD 'p' VALID UNTIL 'infinity'")).Error).IsNull();
        await Assert.That(engine.Catalog.Current.FindRole("m1")!.Password).IsEqualTo(RolePasswords.Md5Hash("p", "m1"));
        await Assert.That((await Run(admin, "SET password_encryption = 'plain'")).Error!.SqlState).IsEqualTo("22023");
        await Assert.That((await Run(admin, "CREATE USER m2 VALID UNTIL '2030-01-01'")).Error!.SqlState).IsEqualTo("0A000");

        string verifier = ScramSha256.Derive("pre").ToString();
        await Assert.That((await Run(admin, $"CREATE ROLE pre LOGIN PASSWORD '{verifier}'")).Error).IsNull();
        await Assert.That(engine.Catalog.Current.FindRole("pre")!.Password).IsEqualTo(verifier);
    }

    [Test]
    public async Task Only_superusers_and_createrole_roles_manage_roles()
    {
        (TestDatabase t, SqlEngine engine, SqlSession admin) = await OpenAsync();
        using var _ = t;
        await Assert.That((await Run(admin, "CREATE USER plain PASSWORD 'p'; CREATE USER manager CREATEROLE PASSWORD 'm'; CREATE USER boss SUPERUSER")).Error).IsNull();
        SqlSession plain = engine.OpenSession("plain");
        await Assert.That(plain.IsSuperuser).IsFalse();
        await Assert.That(plain.Settings.Get("is_superuser")).IsEqualTo("off");
        BatchResult denied = await Run(plain, "CREATE ROLE x");
        await Assert.That(denied.Error!.SqlState).IsEqualTo("42501");
        await Assert.That(denied.Error.Message).IsEqualTo("permission denied to create role");
        await Assert.That((await Run(plain, "DROP ROLE manager")).Error!.SqlState).IsEqualTo("42501");
        await Assert.That((await Run(plain, "SELECT * FROM pg_authid")).Error!.Message).IsEqualTo("permission denied for table pg_authid");
        await Assert.That(await One(plain, "SELECT current_user, session_user")).IsEqualTo("plain|plain");

        // a role may change its own password, nothing else about itself
        await Assert.That((await Run(plain, "ALTER USER plain PASSWORD 'new'")).Error).IsNull();
        await Assert.That(RolePasswords.Matches(engine.Catalog.Current.FindRole("plain")!.Password, "new", "plain")).IsTrue();
        await Assert.That((await Run(plain, "ALTER USER plain CREATEDB")).Error!.SqlState).IsEqualTo("42501");

        SqlSession manager = engine.OpenSession("manager");
        await Assert.That((await Run(manager, "CREATE ROLE helper LOGIN")).Error).IsNull();
        await Assert.That((await Run(manager, "CREATE ROLE root SUPERUSER")).Error!.SqlState).IsEqualTo("42501");
        await Assert.That((await Run(manager, "DROP ROLE boss")).Error!.SqlState).IsEqualTo("42501");
        await Assert.That((await Run(manager, "DROP ROLE helper")).Error).IsNull();

        SqlSession boss = engine.OpenSession("boss");
        await Assert.That(boss.IsSuperuser).IsTrue();
        await Assert.That((await Run(boss, "DROP ROLE manager")).Error).IsNull();
    }

    [Test]
    public async Task Reserved_duplicate_and_unsupported_requests_get_postgresql_s_errors()
    {
        (TestDatabase t, SqlEngine _, SqlSession admin) = await OpenAsync();
        using var _db = t;
        await Assert.That((await Run(admin, "CREATE ROLE admin")).Error!.SqlState).IsEqualTo("42710");
        await Assert.That((await Run(admin, "CREATE ROLE r1; CREATE ROLE r1")).Error!.Message).IsEqualTo("role \"r1\" already exists");
        await Assert.That((await Run(admin, "CREATE ROLE pg_x")).Error!.SqlState).IsEqualTo("42939");
        await Assert.That((await Run(admin, "DROP ROLE admin")).Error!.SqlState).IsEqualTo("2BP01");
        await Assert.That((await Run(admin, "ALTER USER admin PASSWORD 'x'")).Error!.SqlState).IsEqualTo("0A000");
        await Assert.That((await Run(admin, "CREATE ROLE r2 CONNECTION LIMIT 3")).Error!.SqlState).IsEqualTo("0A000");
        await Assert.That((await Run(admin, "CREATE ROLE r3 LOGIN LOGIN")).Error!.Message).IsEqualTo("conflicting or redundant options");
        BatchResult grant = await Run(admin, "GRANT SELECT ON t TO r1");
        await Assert.That(grant.Error!.SqlState).IsEqualTo("0A000");
        await Assert.That(grant.Error.Message).StartsWith("GRANT is not supported");
        await Assert.That((await Run(admin, "REVOKE ALL ON t FROM r1")).Error!.SqlState).IsEqualTo("0A000");
        BatchResult empty = await Run(admin, "CREATE ROLE r4 CONNECTION LIMIT -1 PASSWORD ''");
        await Assert.That(empty.Error).IsNull();
        await Assert.That(empty.Results[0].Notices!).Contains("empty string is not a valid password, clearing password");
    }

    [Test]
    public async Task Without_a_configured_superuser_a_trusted_name_stays_the_superuser()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await Assert.That(s.IsSuperuser).IsTrue();
        await Assert.That(await One(s, "SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%'")).IsEqualTo("thunder");
        await Assert.That((await Run(s, "CREATE USER eve LOGIN")).Error).IsNull();
        await Assert.That(await One(s, "SELECT pg_get_userbyid(oid) FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY oid")).IsEqualTo("thunder\neve");
    }
}
