namespace ThunderDb.Core.Sql.Syntax;

/// <summary>
/// The attributes a CREATE / ALTER ROLE lists; null = not mentioned. <see cref="PasswordGiven"/> with a null
/// <see cref="Password"/> is PASSWORD NULL. <see cref="Unsupported"/> names the first clause ThunderDB does not
/// implement (CONNECTION LIMIT, VALID UNTIL, IN ROLE...): the statement fails with 0A000 when run.
/// </summary>
public sealed record RoleOptions
{
    public bool? Superuser { get; init; }

    public bool? CanLogin { get; init; }

    public bool? CreateDb { get; init; }

    public bool? CreateRole { get; init; }

    public bool? Inherit { get; init; }

    public bool? Replication { get; init; }

    public bool? BypassRls { get; init; }

    public bool PasswordGiven { get; init; }

    public string? Password { get; init; }

    public string? Unsupported { get; init; }

    /// <summary>True when only the password is changed (what a role may do to itself).</summary>
    public bool OnlyPassword => Superuser is null && CanLogin is null && CreateDb is null && CreateRole is null && Inherit is null
        && Replication is null && BypassRls is null && Unsupported is null;
}

/// <summary>CREATE ROLE / USER / GROUP name [WITH] options; USER implies LOGIN.</summary>
public sealed record CreateRoleStatement(string Name, bool IsUser, RoleOptions Options) : SqlStatement;

/// <summary>A role named in ALTER ROLE: a name, or CURRENT_USER / SESSION_USER (resolved when run).</summary>
public sealed record RoleSpec(string? Name, SqlValueFunction? Function = null);

/// <summary>ALTER ROLE name [WITH] options, or ALTER ROLE name RENAME TO new_name (<see cref="NewName"/>).</summary>
public sealed record AlterRoleStatement(RoleSpec Role, RoleOptions Options, string? NewName = null) : SqlStatement;

/// <summary>DROP ROLE / USER / GROUP [IF EXISTS] name [, ...].</summary>
public sealed record DropRoleStatement(IReadOnlyList<string> Names, bool IfExists) : SqlStatement;

/// <summary>A statement ThunderDB recognises and refuses (GRANT, REVOKE, ALTER ROLE ... SET): 0A000 with <see cref="Message"/> when run.</summary>
public sealed record UnsupportedStatement(string Message) : SqlStatement;
