using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Catalog;

public sealed partial class SystemCatalog
{
    /// <summary>
    /// Stores the secrets derived for the configured superuser in a transaction of its own. False when nothing
    /// was stored: a read-only store, or another connection's first login stored them at the same moment.
    /// </summary>
    public async ValueTask<bool> StoreSuperuserSecretAsync(SuperuserSecretDef secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (_db.IsReadOnly)
        {
            return false;
        }

        try
        {
            using IKvTransaction txn = _db.Begin();
            CatalogChanges changes = Change(txn, Current);
            if (changes.Snapshot.SuperuserSecret is null)
            {
                changes.Create(secret);
            }
            else
            {
                changes.Replace(secret);
            }

            await txn.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TransactionConflictException)
        {
            return false;
        }

        Refresh();
        return true;
    }
}
