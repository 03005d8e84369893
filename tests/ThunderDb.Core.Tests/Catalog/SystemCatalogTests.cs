using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Tests.Catalog;

public class SystemCatalogTests
{
    private static TableDef Accounts(uint oid, string name = "accounts") => new(
        oid, WellKnownOids.PublicSchema, name,
        [
            new ColumnDef(1, "aid", SqlType.Int4, NotNull: true),
            new ColumnDef(2, "abalance", SqlType.Int4, DefaultSql: "0"),
            new ColumnDef(3, "filler", SqlType.Char(84)),
            new ColumnDef(4, "doubled", SqlType.Int4, GeneratedSql: "abalance * 2"),
        ],
        [new ConstraintDef($"{name}_pkey", ConstraintKind.PrimaryKey, [1], IndexOid: oid + 1)],
        PrimaryIndexOid: oid + 1,
        FillFactor: 90);

    [Test]
    public async Task A_new_store_is_bootstrapped_and_committed_ddl_survives_a_crash()
    {
        using var t = new TestDatabase();
        var catalog = new SystemCatalog(t.Db);
        await catalog.OpenAsync();
        await Assert.That(catalog.Current.FindDatabase("postgres")!.Oid).IsEqualTo(WellKnownOids.PostgresDatabase);
        await Assert.That(catalog.Current.FindSchema(WellKnownOids.PostgresDatabase, "public")!.Oid).IsEqualTo(WellKnownOids.PublicSchema);

        uint oid = catalog.AllocateOid();
        catalog.AllocateOid();
        using (IKvTransaction txn = t.Db.Begin())
        {
            CatalogChanges changes = catalog.Change(txn, catalog.Current);
            TableDef table = Accounts(oid);
            changes.Create(table);
            changes.Create(new IndexDef(oid + 1, oid, WellKnownOids.PublicSchema, "accounts_pkey", [new IndexColumn(1)], IsUnique: true, IsPrimary: true));
            changes.Create(new CommentDef(catalog.AllocateOid(), oid, 1259, 2, "the balance"));
            // the transaction sees its own DDL; other sessions do not until commit
            await Assert.That(changes.Snapshot.FindRelation(WellKnownOids.PublicSchema, "accounts")).IsNotNull();
            await Assert.That(catalog.Current.FindRelation(WellKnownOids.PublicSchema, "accounts")).IsNull();
            await txn.CommitAsync();
        }

        catalog.Refresh();
        t.CrashAndRestart();
        var reopened = new SystemCatalog(t.Db);
        await reopened.OpenAsync();
        var stored = reopened.Current.FindRelation(WellKnownOids.PublicSchema, "accounts") as TableDef;
        await Assert.That(stored).IsNotNull();
        await Assert.That(stored!.Columns.Count).IsEqualTo(4);
        await Assert.That(stored.Columns[3].GeneratedSql).IsEqualTo("abalance * 2"); // stored after the statistics, read back by column number
        await Assert.That(stored.Columns[1].IsGenerated).IsFalse();
        await Assert.That(stored.Columns[2].Type).IsEqualTo(SqlType.Char(84));
        await Assert.That(stored.Columns[1].DefaultSql).IsEqualTo("0");
        await Assert.That(stored.FillFactor).IsEqualTo(90);
        await Assert.That(stored.PrimaryKey!.Name).IsEqualTo("accounts_pkey");
        await Assert.That(reopened.Current.IndexesOf(oid).Count).IsEqualTo(1);
        await Assert.That(reopened.Current.FindComment(oid, 1259, 2)?.Text).IsEqualTo("the balance");
        // OIDs resume above what is stored
        await Assert.That(reopened.AllocateOid()).IsGreaterThan(oid + 1);
    }

    [Test]
    public async Task Rolled_back_ddl_leaves_nothing()
    {
        using var t = new TestDatabase();
        var catalog = new SystemCatalog(t.Db);
        await catalog.OpenAsync();
        using (IKvTransaction txn = t.Db.Begin())
        {
            catalog.Change(txn, catalog.Current).Create(Accounts(catalog.AllocateOid()));
            txn.Rollback();
        }

        catalog.Refresh();
        await Assert.That(catalog.Current.FindRelation(WellKnownOids.PublicSchema, "accounts")).IsNull();
        using IKvTransaction again = t.Db.Begin();
        catalog.Change(again, catalog.Current).Create(Accounts(catalog.AllocateOid()));
        await again.CommitAsync();
    }

    [Test]
    public async Task Duplicate_names_fail_in_one_transaction_and_across_concurrent_ones()
    {
        using var t = new TestDatabase();
        var catalog = new SystemCatalog(t.Db);
        await catalog.OpenAsync();
        using (IKvTransaction txn = t.Db.Begin())
        {
            CatalogChanges changes = catalog.Change(txn, catalog.Current);
            changes.Create(Accounts(catalog.AllocateOid()));
            var e = Assert.Throws<SqlException>(() => changes.Create(Accounts(catalog.AllocateOid())));
            await Assert.That(e.SqlState).IsEqualTo("42P07");
            await Assert.That(e.Message).IsEqualTo("relation \"accounts\" already exists");
        }

        // two sessions create the same name at once: both write the name record, the second commit conflicts
        using IKvTransaction a = t.Db.Begin();
        using IKvTransaction b = t.Db.Begin();
        catalog.Change(a, catalog.Current).Create(Accounts(catalog.AllocateOid(), "dup"));
        catalog.Change(b, catalog.Current).Create(Accounts(catalog.AllocateOid(), "dup"));
        await a.CommitAsync();
        await Assert.ThrowsAsync<TransactionConflictException>(async () => await b.CommitAsync());
    }

    [Test]
    public async Task Rename_moves_the_name_and_drop_frees_it()
    {
        using var t = new TestDatabase();
        var catalog = new SystemCatalog(t.Db);
        await catalog.OpenAsync();
        uint oid = catalog.AllocateOid();
        using (IKvTransaction txn = t.Db.Begin())
        {
            CatalogChanges changes = catalog.Change(txn, catalog.Current);
            changes.Create(Accounts(oid));
            changes.Replace(Accounts(oid) with { Name = "renamed" });
            changes.Create(Accounts(catalog.AllocateOid())); // the old name is free again
            await txn.CommitAsync();
        }

        catalog.Refresh();
        await Assert.That(catalog.Current.FindRelation(WellKnownOids.PublicSchema, "renamed")!.Oid).IsEqualTo(oid);
        using (IKvTransaction txn = t.Db.Begin())
        {
            catalog.Change(txn, catalog.Current).Drop(oid);
            await txn.CommitAsync();
        }

        catalog.Refresh();
        await Assert.That(catalog.Current.FindRelation(WellKnownOids.PublicSchema, "renamed")).IsNull();
        await Assert.That(catalog.Current.FindRelation(WellKnownOids.PublicSchema, "accounts")).IsNotNull();
    }
}
