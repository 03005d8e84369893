using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;
using static ThunderDb.Core.Sql.SystemViews.V;

namespace ThunderDb.Core.Sql.SystemViews;

/// <summary>
/// The role catalogs: pg_authid and pg_shadow (readable by superusers only, as in PostgreSQL: they hold the
/// password verifiers), pg_roles and pg_user (passwords shown as ********). OID 10 is the configured superuser,
/// whose secret is the configured bcrypt hash (rolpassword NULL); the other rows are the catalog's roles.
/// </summary>
internal static class PgRoles
{
    private sealed record Role(uint Oid, string Name, bool Super, bool Inherit, bool CreateRole, bool CreateDb, bool Login, bool Replication,
        bool BypassRls, string? Password);

    private static IEnumerable<Role> All(ViewSource src)
    {
        yield return new Role(CatalogText.SuperuserOid, src.Session.SuperuserName ?? src.Session.User, true, true, true, true, true, true, true, null);
        foreach (RoleDef r in src.Catalog.Roles.OrderBy(r => r.Oid))
        {
            yield return new Role(r.Oid, r.Name, r.Superuser, r.Inherit, r.CreateRole, r.CreateDb, r.CanLogin, r.Replication, r.BypassRls, r.Password);
        }

        yield return new Role(CatalogText.DatabaseOwnerRoleOid, DatabaseOwnerRole, false, true, false, false, false, false, false, null);
    }

    private const string DatabaseOwnerRole = "pg_database_owner";

    /// <summary>The name of role <paramref name="oid"/> (pg_get_userbyid), or null.</summary>
    public static string? NameOf(CatalogSnapshot catalog, string? superuserName, uint oid) =>
        oid switch
        {
            CatalogText.SuperuserOid => superuserName,
            CatalogText.DatabaseOwnerRoleOid => DatabaseOwnerRole,
            _ => catalog.Find<RoleDef>(oid)?.Name,
        };

    public static VirtualTable Roles(ViewSource src)
    {
        var t = new VirtualTable("pg_roles",
            ("rolname", SqlType.Name), ("rolsuper", SqlType.Bool), ("rolinherit", SqlType.Bool), ("rolcreaterole", SqlType.Bool),
            ("rolcreatedb", SqlType.Bool), ("rolcanlogin", SqlType.Bool), ("rolreplication", SqlType.Bool), ("rolconnlimit", SqlType.Int4),
            ("rolpassword", SqlType.Text), ("rolvaliduntil", SqlType.TimestampTz), ("rolbypassrls", SqlType.Bool), ("rolconfig", TextArray),
            ("oid", SqlType.Oid));
        foreach (Role r in All(src))
        {
            t.Add(Name(r.Name), Bool(r.Super), Bool(r.Inherit), Bool(r.CreateRole),
                Bool(r.CreateDb), Bool(r.Login), Bool(r.Replication), Int4(-1),
                Text("********"), Null, Bool(r.BypassRls), Null,
                Oid(r.Oid));
        }

        return t;
    }

    public static VirtualTable AuthId(ViewSource src)
    {
        RequireSuperuser(src, "pg_authid");
        var t = new VirtualTable("pg_authid",
            ("oid", SqlType.Oid), ("rolname", SqlType.Name), ("rolsuper", SqlType.Bool), ("rolinherit", SqlType.Bool),
            ("rolcreaterole", SqlType.Bool), ("rolcreatedb", SqlType.Bool), ("rolcanlogin", SqlType.Bool), ("rolreplication", SqlType.Bool),
            ("rolbypassrls", SqlType.Bool), ("rolconnlimit", SqlType.Int4), ("rolpassword", SqlType.Text), ("rolvaliduntil", SqlType.TimestampTz));
        foreach (Role r in All(src))
        {
            t.Add(Oid(r.Oid), Name(r.Name), Bool(r.Super), Bool(r.Inherit),
                Bool(r.CreateRole), Bool(r.CreateDb), Bool(r.Login), Bool(r.Replication),
                Bool(r.BypassRls), Int4(-1), Text(r.Password), Null);
        }

        return t;
    }

    /// <summary>pg_user (passwords masked) or pg_shadow (the stored secrets; superusers only): the roles that can log in.</summary>
    public static VirtualTable Users(ViewSource src, bool shadow)
    {
        string name = shadow ? "pg_shadow" : "pg_user";
        if (shadow)
        {
            RequireSuperuser(src, name);
        }

        var t = new VirtualTable(name,
            ("usename", SqlType.Name), ("usesysid", SqlType.Oid), ("usecreatedb", SqlType.Bool), ("usesuper", SqlType.Bool), ("userepl", SqlType.Bool),
            ("usebypassrls", SqlType.Bool), ("passwd", SqlType.Text), ("valuntil", SqlType.TimestampTz), ("useconfig", TextArray));
        foreach (Role r in All(src).Where(r => r.Login))
        {
            t.Add(Name(r.Name), Oid(r.Oid), Bool(r.CreateDb), Bool(r.Super), Bool(r.Replication),
                Bool(r.BypassRls), shadow ? Text(r.Password) : Text("********"), Null, Null);
        }

        return t;
    }

    private static void RequireSuperuser(ViewSource src, string table)
    {
        if (!src.Session.IsSuperuser)
        {
            throw new SqlException(SqlState.InsufficientPrivilege, $"permission denied for table {table}");
        }
    }
}
