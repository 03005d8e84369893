namespace ThunderDb.Core.Catalog;

/// <summary>
/// A role made with CREATE ROLE / CREATE USER (pg_authid's row). <see cref="Password"/> is the stored secret as
/// PostgreSQL keeps it: a SCRAM-SHA-256 verifier (<c>SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey</c>), an
/// MD5 hash (<c>md5</c> + 32 hex digits), or null (no password: the role cannot log in with one).
/// </summary>
public sealed record RoleDef(
    uint Oid,
    string Name,
    bool Superuser = false,
    bool CanLogin = false,
    bool CreateDb = false,
    bool CreateRole = false,
    bool Inherit = true,
    bool Replication = false,
    bool BypassRls = false,
    string? Password = null) : CatalogObject(Oid, 0, Name)
{
    public override CatalogKind Kind => CatalogKind.Role;
}

/// <summary>
/// Secrets derived for the configured superuser, whose configured secret is a bcrypt hash (which no
/// challenge-response method can use): a SCRAM-SHA-256 verifier and, when MD5 is configured, the MD5 hash,
/// made at the superuser's first successful cleartext login. <see cref="BcryptFingerprint"/> ties them to the
/// bcrypt hash they were checked against: when the configured hash changes (a password rotation) they no
/// longer apply, so the old password stops working at once.
/// </summary>
public sealed record SuperuserSecretDef(string BcryptFingerprint, string? ScramVerifier, string? Md5Hash, string Md5User)
    : CatalogObject(WellKnownOids.BootstrapSuperuser, 0, "")
{
    public override CatalogKind Kind => CatalogKind.SuperuserSecret;
}
