using ThunderDb.Core.Catalog;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// CREATE / ALTER / DROP ROLE in the statement's transaction, as PostgreSQL 15 checks them: a superuser may do
/// anything; a CREATEROLE role may manage roles that are not superusers (and not grant SUPERUSER, REPLICATION or
/// BYPASSRLS); any role may change its own password. The configured superuser is not a catalog role: it cannot
/// be created, altered or dropped with SQL (its password is the configured bcrypt hash).
/// </summary>
internal sealed class RoleExecutor(SqlSession session, CatalogChanges changes, SqlEngine engine)
{
    private readonly List<string> _notices = [];

    private CatalogSnapshot Catalog => changes.Snapshot;

    public StatementResult Execute(Ast.SqlStatement statement)
    {
        string tag = statement switch
        {
            Ast.CreateRoleStatement create => Create(create),
            Ast.AlterRoleStatement alter => Alter(alter),
            Ast.DropRoleStatement drop => Drop(drop),
            _ => throw SqlException.NotSupported(statement.GetType().Name),
        };
        return new StatementResult(tag, Notices: _notices.Count > 0 ? _notices : null);
    }

    private string Create(Ast.CreateRoleStatement create)
    {
        Ast.RoleOptions o = create.Options;
        RefuseUnsupported(o);
        CheckReservedName(create.Name);
        RequireManager("create role");
        RequireSuperuserFor(o, "create");
        if (create.Name == engine.SuperuserName || Catalog.FindRole(create.Name) is not null)
        {
            throw new SqlException(SqlState.DuplicateObject, $"role \"{create.Name}\" already exists");
        }

        var role = new RoleDef(changes.AllocateOid(), create.Name, CanLogin: create.IsUser);
        changes.Create(Apply(role, o));
        return "CREATE ROLE";
    }

    private string Alter(Ast.AlterRoleStatement alter)
    {
        Ast.RoleOptions o = alter.Options;
        RefuseUnsupported(o);
        string name = alter.Role.Name ?? session.User;
        if (name == engine.SuperuserName)
        {
            throw new SqlException(SqlState.FeatureNotSupported,
                $"role \"{name}\" is the configured superuser (security.superuser): its password is security.superuser_password_hash, not a catalog role's");
        }

        RoleDef role = Catalog.FindRole(name) ?? throw new SqlException(SqlState.UndefinedObject, $"role \"{name}\" does not exist");
        bool self = name == session.User;
        if (alter.NewName is { } newName)
        {
            if (self)
            {
                throw new SqlException(SqlState.FeatureNotSupported, "session user cannot be renamed");
            }

            CheckReservedName(newName);
            RequireManager("rename role");
            RequireSuperuserForTarget(role, "rename");
            if (newName == engine.SuperuserName || Catalog.FindRole(newName) is not null)
            {
                throw new SqlException(SqlState.DuplicateObject, $"role \"{newName}\" already exists");
            }

            RoleDef renamed = role with { Name = newName };
            if (RolePasswords.IsMd5Hash(role.Password))
            {
                // the MD5 hash is salted with the role name: it cannot survive a rename
                renamed = renamed with { Password = null };
                _notices.Add("MD5 password cleared because of role rename");
            }

            changes.Replace(renamed);
            return "ALTER ROLE";
        }

        if (!(self && o.OnlyPassword))
        {
            RequireManager("alter role");
            RequireSuperuserForTarget(role, "alter");
            RequireSuperuserFor(o, "alter");
        }

        changes.Replace(Apply(role, o));
        return "ALTER ROLE";
    }

    private string Drop(Ast.DropRoleStatement drop)
    {
        RequireManager("drop role");
        foreach (string name in drop.Names)
        {
            if (name == engine.SuperuserName)
            {
                throw new SqlException(SqlState.DependentObjectsStillExist, $"cannot drop role \"{name}\" because it is required by the database system");
            }

            RoleDef? role = Catalog.FindRole(name);
            if (role is null)
            {
                if (!drop.IfExists)
                {
                    throw new SqlException(SqlState.UndefinedObject, $"role \"{name}\" does not exist");
                }

                _notices.Add($"role \"{name}\" does not exist, skipping");
                continue;
            }

            if (name == session.User)
            {
                throw new SqlException(SqlState.ObjectInUse, "current user cannot be dropped");
            }

            RequireSuperuserForTarget(role, "drop");
            changes.Drop(role.Oid);
        }

        return "DROP ROLE";
    }

    private RoleDef Apply(RoleDef role, Ast.RoleOptions o)
    {
        role = role with
        {
            Superuser = o.Superuser ?? role.Superuser,
            CanLogin = o.CanLogin ?? role.CanLogin,
            CreateDb = o.CreateDb ?? role.CreateDb,
            CreateRole = o.CreateRole ?? role.CreateRole,
            Inherit = o.Inherit ?? role.Inherit,
            Replication = o.Replication ?? role.Replication,
            BypassRls = o.BypassRls ?? role.BypassRls,
        };
        if (!o.PasswordGiven)
        {
            return role;
        }

        if (o.Password is "")
        {
            _notices.Add("empty string is not a valid password, clearing password");
            return role with { Password = null };
        }

        // the session's password_encryption (psql's \password asks for it too), the server's when it was RESET
        PasswordEncryption encryption = session.Settings.Get("password_encryption") is { } chosen
            ? chosen.Equals("md5", StringComparison.OrdinalIgnoreCase) ? PasswordEncryption.Md5 : PasswordEncryption.ScramSha256
            : engine.PasswordEncryption;
        return role with { Password = o.Password is null ? null : RolePasswords.Encrypt(o.Password, role.Name, encryption) };
    }

    private static void RefuseUnsupported(Ast.RoleOptions o)
    {
        if (o.Unsupported is { } what)
        {
            throw SqlException.NotSupported(what);
        }
    }

    private static void CheckReservedName(string name)
    {
        if (name.StartsWith("pg_", StringComparison.Ordinal))
        {
            throw new SqlException(SqlState.ReservedName, $"role name \"{name}\" is reserved", "Role names starting with \"pg_\" are reserved.");
        }

        if (name is "public" or "none" or "current_user" or "session_user" or "current_role")
        {
            throw new SqlException(SqlState.ReservedName, $"role name \"{name}\" is reserved");
        }
    }

    private bool IsSuperuser => session.IsSuperuserIn(Catalog);

    /// <summary>A superuser, or a role with CREATEROLE.</summary>
    private void RequireManager(string action)
    {
        if (!IsSuperuser && Catalog.FindRole(session.User)?.CreateRole != true)
        {
            throw new SqlException(SqlState.InsufficientPrivilege, $"permission denied to {action}");
        }
    }

    private void RequireSuperuserForTarget(RoleDef target, string action)
    {
        if (target.Superuser && !IsSuperuser)
        {
            throw new SqlException(SqlState.InsufficientPrivilege, $"must be superuser to {action} superusers");
        }
    }

    private void RequireSuperuserFor(Ast.RoleOptions o, string action)
    {
        if (!IsSuperuser && (o.Superuser is not null || o.Replication is not null || o.BypassRls is not null))
        {
            throw new SqlException(SqlState.InsufficientPrivilege, $"must be superuser to {action} superusers, replication users or roles that bypass row-level security");
        }
    }
}
