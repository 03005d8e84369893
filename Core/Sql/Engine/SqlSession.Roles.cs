using ThunderDb.Core.Catalog;

namespace ThunderDb.Core.Sql.Engine;

public sealed partial class SqlSession
{
    /// <summary>The session logged in as a catalog role (not the configured superuser, nor a trusted name no role has).</summary>
    private readonly bool _loggedInAsRole;

    /// <summary>Whether the session's user is a superuser now (role attributes can change while it is connected).</summary>
    public bool IsSuperuser => IsSuperuserIn(_engine.Catalog.Current);

    /// <summary>The type a client names by OID (a Parse message's parameter types): built-in, or an enum type this session sees.</summary>
    public Types.SqlType? TypeOfOid(uint oid) => SystemViews.CatalogText.TypeOfOid(_ddl?.Snapshot ?? _engine.Catalog.Current, oid);

    /// <summary>
    /// The configured superuser is one; a catalog role is one when it has SUPERUSER; a name with no role (possible
    /// only with authentication off, trusted as before roles existed) is one, unless it was a role that has since
    /// been dropped.
    /// </summary>
    internal bool IsSuperuserIn(CatalogSnapshot catalog)
    {
        if (User == _engine.SuperuserName)
        {
            return true;
        }

        return catalog.FindRole(User) is { } role ? role.Superuser : !_loggedInAsRole;
    }
}
