namespace ThunderDb.Net.Postgres;

/// <summary>How PostgreSQL clients prove their password (security.pg_auth_method), as pg_hba.conf's methods of the same names.</summary>
public enum PgAuthMethod
{
    /// <summary><c>scram-sha-256</c>: the password never crosses the wire; the server keeps a salted verifier.</summary>
    ScramSha256,

    /// <summary><c>md5</c>: MD5 challenge-response; a role whose stored secret is a SCRAM verifier gets SCRAM instead (as PostgreSQL does).</summary>
    Md5,

    /// <summary><c>password</c>: the cleartext password (use it only with TLS).</summary>
    Password,
}
