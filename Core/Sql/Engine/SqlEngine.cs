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

    public static async ValueTask<SqlEngine> OpenAsync(IKvDatabase database, CancellationToken cancellationToken = default)
    {
        var catalog = new SystemCatalog(database);
        await catalog.OpenAsync(cancellationToken).ConfigureAwait(false);
        return new SqlEngine(database, catalog);
    }

    public SqlSession OpenSession(string user, string database = "postgres") => new(this, user, database);
}
