using System.Buffers;
using System.Text;
using ThunderDb.Core.Keys;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Catalog;

/// <summary>
/// The SQL catalog over the one store: loads every catalog record into a <see cref="CatalogSnapshot"/>,
/// bootstraps an empty store (database <c>postgres</c>, schemas <c>public</c> and <c>pg_catalog</c>), and hands
/// out <see cref="CatalogChanges"/> that write DDL into a transaction. Committed DDL becomes visible to every
/// session through <see cref="Refresh"/>; a rolled-back transaction leaves nothing.
/// <para>
/// Names are claimed with a record per (name space, parent, name), so two sessions creating the same name
/// at once write the same key and the second fails with a serialization error instead of both succeeding.
/// </para>
/// </summary>
public sealed partial class SystemCatalog
{
    private readonly IKvDatabase _db;
    private CatalogSnapshot _current = CatalogSnapshot.Empty;
    private long _nextOid = WellKnownOids.FirstUserOid;
    private long _version;

    public SystemCatalog(IKvDatabase db)
    {
        _db = db;
    }

    /// <summary>The committed catalog every new statement starts from.</summary>
    public CatalogSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Bumped whenever <see cref="Current"/> changes, so caches of bound statements know to bind again.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Loads the catalog, bootstrapping an empty store; call once when the engine opens.</summary>
    public async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        Refresh();
        if (Current.FindDatabase("postgres") is null && !_db.IsReadOnly)
        {
            using IKvTransaction txn = _db.Begin();
            var changes = Change(txn, Current);
            changes.Create(new DatabaseDef(WellKnownOids.PostgresDatabase, "postgres"));
            changes.Create(new SchemaDef(WellKnownOids.PgCatalogSchema, WellKnownOids.PostgresDatabase, "pg_catalog"));
            changes.Create(new SchemaDef(WellKnownOids.PublicSchema, WellKnownOids.PostgresDatabase, "public"));
            await txn.CommitAsync(cancellationToken).ConfigureAwait(false);
            Refresh();
        }
    }

    /// <summary>Reads every committed catalog record again (after a commit that changed the catalog).</summary>
    public void Refresh()
    {
        var objects = new List<CatalogObject>();
        using (IKvTransaction txn = _db.Begin(IsolationLevel.RepeatableRead))
        {
            (byte[] start, byte[] end) = CatalogCodec.Range();
            using IKvCursor cursor = txn.Scan(start, end);
            while (cursor.MoveNext())
            {
                if (cursor.Key.Length == CatalogCodec.KeyLength && cursor.Key[1] != NameRecordTag)
                {
                    objects.Add(CatalogCodec.Decode(cursor.Key, cursor.Value));
                }
            }
        }

        var snapshot = new CatalogSnapshot(objects);
        long floor = Math.Max(WellKnownOids.FirstUserOid, (long)snapshot.MaxOid + 1);
        long seen;
        while ((seen = Interlocked.Read(ref _nextOid)) < floor && Interlocked.CompareExchange(ref _nextOid, floor, seen) != seen)
        {
        }

        Volatile.Write(ref _current, snapshot);
        Interlocked.Increment(ref _version);
    }

    /// <summary>
    /// A new OID. Not transactional (as in PostgreSQL): a rolled-back CREATE wastes one; after a restart the
    /// counter resumes above the largest committed OID.
    /// </summary>
    public uint AllocateOid() => checked((uint)Interlocked.Increment(ref _nextOid) - 1);

    /// <summary>DDL within <paramref name="txn"/>, starting from <paramref name="start"/> (the transaction's own view).</summary>
    public CatalogChanges Change(IKvTransaction txn, CatalogSnapshot start) => new(this, txn, start);

    internal const byte NameRecordTag = (byte)'N';

    internal static byte[] NameKey(char space, uint parent, string name)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(name);
        var key = new byte[1 + 1 + 1 + 4 + utf8.Length];
        key[0] = KeyspaceTag.Catalog;
        key[1] = NameRecordTag;
        key[2] = (byte)space;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(3), parent);
        utf8.CopyTo(key, 7);
        return key;
    }
}

/// <summary>
/// The catalog as one transaction changes it: every change is written into the transaction (so it commits or
/// rolls back with the data) and applied to a private snapshot the transaction's later statements see.
/// </summary>
public sealed class CatalogChanges
{
    private readonly SystemCatalog _catalog;
    private readonly IKvTransaction _txn;

    internal CatalogChanges(SystemCatalog catalog, IKvTransaction txn, CatalogSnapshot start)
    {
        _catalog = catalog;
        _txn = txn;
        Snapshot = start;
    }

    /// <summary>The catalog including this transaction's changes so far.</summary>
    public CatalogSnapshot Snapshot { get; private set; }

    public bool HasChanges { get; private set; }

    /// <summary>Back to the state at a savepoint (ROLLBACK TO SAVEPOINT undoes the catalog writes made since with the data's).</summary>
    internal void RestoreTo(CatalogSnapshot snapshot, bool hasChanges)
    {
        Snapshot = snapshot;
        HasChanges = hasChanges;
    }

    public uint AllocateOid() => _catalog.AllocateOid();

    /// <summary>Adds a new object, claiming its name; an existing name is a duplicate-object error.</summary>
    public void Create(CatalogObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        char space = CatalogSnapshot.NameSpaceOf(obj.Kind);
        byte[] nameKey = SystemCatalog.NameKey(space, obj.ParentOid, obj.Name);
        if (NameTaken(space, obj.ParentOid, obj.Name, nameKey))
        {
            throw Duplicate(obj);
        }

        _txn.Put(nameKey, BitConverter.GetBytes(obj.Oid));
        Write(obj);
    }

    /// <summary>Replaces an object (same OID); a renamed object releases its old name and claims the new one.</summary>
    public void Replace(CatalogObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        CatalogObject old = Snapshot.Find(obj.Oid) ?? throw new InvalidOperationException($"catalog object {obj.Oid} does not exist");
        if (old.Name != obj.Name || old.ParentOid != obj.ParentOid)
        {
            char space = CatalogSnapshot.NameSpaceOf(obj.Kind);
            byte[] nameKey = SystemCatalog.NameKey(space, obj.ParentOid, obj.Name);
            if (NameTaken(space, obj.ParentOid, obj.Name, nameKey))
            {
                throw Duplicate(obj);
            }

            _txn.Delete(SystemCatalog.NameKey(CatalogSnapshot.NameSpaceOf(old.Kind), old.ParentOid, old.Name));
            _txn.Put(nameKey, BitConverter.GetBytes(obj.Oid));
        }

        Write(obj);
    }

    /// <summary>Removes an object, and the comments on it.</summary>
    public void Drop(uint oid)
    {
        foreach (CommentDef comment in Snapshot.CommentsOn(oid).ToList())
        {
            Drop(comment.Oid);
        }

        CatalogObject old = Snapshot.Find(oid) ?? throw new InvalidOperationException($"catalog object {oid} does not exist");
        _txn.Delete(SystemCatalog.NameKey(CatalogSnapshot.NameSpaceOf(old.Kind), old.ParentOid, old.Name));
        _txn.Delete(CatalogCodec.Key(old.Kind, oid));
        Snapshot = Snapshot.Without(oid);
        HasChanges = true;
    }

    private void Write(CatalogObject obj)
    {
        _txn.Put(CatalogCodec.Key(obj.Kind, obj.Oid), CatalogCodec.Encode(obj));
        Snapshot = Snapshot.With(obj);
        HasChanges = true;
    }

    private bool NameTaken(char space, uint parent, string name, byte[] nameKey)
    {
        bool inSnapshot = space switch
        {
            'd' => Snapshot.FindDatabase(name) is not null,
            'n' => Snapshot.FindSchema(parent, name) is not null,
            'a' => Snapshot.FindRole(name) is not null,
            'k' => Snapshot.SuperuserSecret is not null,
            'c' => Snapshot.Named(parent, 'c', name) is not null,
            'y' => Snapshot.FindType(parent, name) is not null,
            _ => Snapshot.FindRelation(parent, name) is not null,
        };
        return inSnapshot || _txn.TryGet(nameKey, new ArrayBufferWriter<byte>(8));
    }

    private static Sql.SqlException Duplicate(CatalogObject obj) => obj.Kind switch
    {
        CatalogKind.Database => new(Sql.SqlState.DuplicateDatabase, $"database \"{obj.Name}\" already exists"),
        CatalogKind.Schema => new(Sql.SqlState.DuplicateSchema, $"schema \"{obj.Name}\" already exists"),
        CatalogKind.Role => new(Sql.SqlState.DuplicateObject, $"role \"{obj.Name}\" already exists"),
        CatalogKind.Type => new(Sql.SqlState.DuplicateObject, $"type \"{obj.Name}\" already exists"),
        _ => new(Sql.SqlState.DuplicateTable, $"relation \"{obj.Name}\" already exists"),
    };
}
