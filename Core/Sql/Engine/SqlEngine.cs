using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// The SQL engine over the one store: its catalog, its table storage and the sessions the PostgreSQL and MySQL
/// front ends open. One per server.
/// </summary>
public sealed class SqlEngine
{
    private SqlEngine(IKvDatabase database, SystemCatalog catalog)
    {
        Database = database;
        Catalog = catalog;
    }

    public IKvDatabase Database { get; }

    public SystemCatalog Catalog { get; }

    public TableStorage Storage { get; } = new();

    /// <summary>The sessions of protocol connections (pg_stat_activity, pg_cancel_backend, pg_terminate_backend).</summary>
    public SessionDirectory Sessions { get; } = new();

    /// <summary>The advisory locks sessions take (pg_advisory_lock...).</summary>
    public AdvisoryLocks AdvisoryLocks { get; } = new();

    /// <summary>LISTEN / NOTIFY across the sessions of this server.</summary>
    public NotificationHub Notifications { get; } = new();

    /// <summary>
    /// The configured superuser (security.superuser): always a superuser, never a catalog role, shown as OID 10.
    /// Null in embedded use: then the session's own user stands for OID 10.
    /// </summary>
    public string? SuperuserName { get; set; }

    /// <summary>How PASSWORD 'cleartext' is stored (PostgreSQL's password_encryption): MD5 only when the MD5 method is configured.</summary>
    public PasswordEncryption PasswordEncryption { get; set; } = PasswordEncryption.ScramSha256;

    /// <summary>
    /// The most rows one SELECT may return (the runbook's <c>max_result_rows</c>, read when each statement runs, so SIGHUP
    /// changes it): a query producing more fails with 54000 instead of holding or sending an unbounded result.
    /// </summary>
    public long MaxResultRows { get; set; } = DefaultMaxResultRows;

    public const long DefaultMaxResultRows = 1_000_000;

    public static async ValueTask<SqlEngine> OpenAsync(IKvDatabase database, CancellationToken cancellationToken = default)
    {
        var catalog = new SystemCatalog(database);
        await catalog.OpenAsync(cancellationToken).ConfigureAwait(false);
        var engine = new SqlEngine(database, catalog);
        await SqlSession.DropLeftoverTemporarySchemasAsync(engine, "postgres").ConfigureAwait(false);
        return engine;
    }

    private int _temporarySchemas;

    /// <summary>A number for a session's pg_temp_N schema, never the same twice while the engine runs.</summary>
    internal int NextTemporarySchemaId() => Interlocked.Increment(ref _temporarySchemas);

    public SqlSession OpenSession(string user, string database = "postgres") => new(this, user, database);
}
