using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;
using static ThunderDb.Core.Sql.SystemViews.V;

namespace ThunderDb.Core.Sql.SystemViews;

/// <summary>
/// pg_database, pg_am, pg_collation,
/// pg_tablespace, pg_settings, and the catalogs of features ThunderDB does not have (empty, with their columns,
/// so clients that read them get no rows instead of an error).
/// </summary>
internal static class PgMisc
{
    public static VirtualTable Database(ViewSource src)
    {
        var t = new VirtualTable("pg_database",
            ("oid", SqlType.Oid), ("datname", SqlType.Name), ("datdba", SqlType.Oid), ("encoding", SqlType.Int4), ("datlocprovider", Char1),
            ("datistemplate", SqlType.Bool), ("datallowconn", SqlType.Bool), ("datconnlimit", SqlType.Int4), ("datfrozenxid", SqlType.Int8),
            ("datminmxid", SqlType.Int8), ("dattablespace", SqlType.Oid), ("datcollate", SqlType.Text), ("datctype", SqlType.Text),
            ("daticulocale", SqlType.Text), ("datcollversion", SqlType.Text), ("datacl", TextArray));
        foreach (DatabaseDef d in src.Catalog.All.OfType<DatabaseDef>().OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            t.Add(Oid(d.Oid), Name(d.Name), Oid(d.OwnerOid == 0 ? CatalogText.SuperuserOid : d.OwnerOid), Int4(6), Char('c'),
                Bool(false), Bool(true), Int4(-1), Int8(0),
                Int8(1), Oid(CatalogText.DefaultTablespace), Text("C"), Text("C"),
                Null, Null, Null);
        }

        return t;
    }

    /// <summary>pg_stat_activity from the server's live sessions (empty for a session of no server).</summary>
    public static VirtualTable Activity(ViewSource src)
    {
        VirtualTable t = Empty("pg_stat_activity")!;
        if (src.Session.Services is not { } services)
        {
            return t;
        }

        static SqlValue Time(DateTimeOffset? at) => at is { } v ? SqlValue.FromTimestampTz((v.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / 10) : SqlValue.Null;
        foreach (Functions.BackendActivity a in services.Activity())
        {
            uint? database = src.Catalog.FindDatabase(a.Database)?.Oid;
            t.Add(database is { } d ? Oid(d) : Null, Name(a.Database), Int4(a.ProcessId), Null,
                Oid(src.Catalog.FindRole(a.User)?.Oid ?? CatalogText.SuperuserOid), Name(a.User), Text(a.ApplicationName), a.ClientAddress is null ? Null : Text(a.ClientAddress),
                Null, a.ClientAddress is null ? Int4(-1) : Null, Time(a.BackendStart), Time(a.TransactionStart),
                Time(a.QueryStart), Time(a.StateChange), Null, Null,
                a.State.Length == 0 ? Null : Text(a.State), Null, Null, Null, Text(a.Query),
                Text("client backend"));
        }

        return t;
    }

    public static VirtualTable Am()
    {
        var t = new VirtualTable("pg_am", ("oid", SqlType.Oid), ("amname", SqlType.Name), ("amhandler", SqlType.Oid), ("amtype", Char1));
        t.Add(Oid(CatalogText.HeapAm), Name("heap"), Oid(3u), Char('t'));
        t.Add(Oid(CatalogText.BtreeAm), Name("btree"), Oid(330u), Char('i'));
        return t;
    }

    public static VirtualTable Collation()
    {
        var t = new VirtualTable("pg_collation",
            ("oid", SqlType.Oid), ("collname", SqlType.Name), ("collnamespace", SqlType.Oid), ("collowner", SqlType.Oid), ("collprovider", Char1),
            ("collisdeterministic", SqlType.Bool), ("collencoding", SqlType.Int4), ("collcollate", SqlType.Text), ("collctype", SqlType.Text),
            ("colliculocale", SqlType.Text), ("collversion", SqlType.Text));
        foreach ((uint oid, string name, char provider, int encoding) in new[] { (CatalogText.DefaultCollation, "default", 'd', -1), (950u, "C", 'c', -1), (951u, "POSIX", 'c', -1) })
        {
            t.Add(Oid(oid), Name(name), Oid(WellKnownOids.PgCatalogSchema), Oid(CatalogText.SuperuserOid), Char(provider),
                Bool(true), Int4(encoding), provider == 'd' ? Null : Text(name), provider == 'd' ? Null : Text(name), Null, Null);
        }

        return t;
    }

    public static VirtualTable Tablespace()
    {
        var t = new VirtualTable("pg_tablespace", ("oid", SqlType.Oid), ("spcname", SqlType.Name), ("spcowner", SqlType.Oid), ("spcacl", TextArray), ("spcoptions", TextArray));
        t.Add(Oid(CatalogText.DefaultTablespace), Name("pg_default"), Oid(CatalogText.SuperuserOid), Null, Null);
        t.Add(Oid(1664u), Name("pg_global"), Oid(CatalogText.SuperuserOid), Null, Null);
        return t;
    }

    public static VirtualTable Settings(ViewSource src)
    {
        var t = new VirtualTable("pg_settings",
            ("name", SqlType.Text), ("setting", SqlType.Text), ("unit", SqlType.Text), ("category", SqlType.Text), ("short_desc", SqlType.Text),
            ("extra_desc", SqlType.Text), ("context", SqlType.Text), ("vartype", SqlType.Text), ("source", SqlType.Text), ("min_val", SqlType.Text),
            ("max_val", SqlType.Text), ("enumvals", TextArray), ("boot_val", SqlType.Text), ("reset_val", SqlType.Text), ("sourcefile", SqlType.Text),
            ("sourceline", SqlType.Int4), ("pending_restart", SqlType.Bool));
        foreach ((string name, string value) in (src.Session.Settings ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            t.Add(Text(name), Text(value), Null, Text("Ungrouped"), Null,
                Null, Text("user"), Text(value is "on" or "off" ? "bool" : "string"), Text("session"), Null,
                Null, Null, Null, Text(value), Null,
                Null, Bool(false));
        }

        return t;
    }

    /// <summary>COMMENT ON's texts: pg_shdescription holds those of shared objects (databases, roles), pg_description the rest.</summary>
    public static VirtualTable Descriptions(ViewSource src, bool shared)
    {
        VirtualTable t = Empty(shared ? "pg_shdescription" : "pg_description")!;
        foreach (CommentDef c in src.Catalog.Comments.Where(c => c.ClassOid is 1262 or 1260 == shared).OrderBy(c => c.ObjectOid).ThenBy(c => c.SubId))
        {
            if (shared)
            {
                t.Add(Oid(c.ObjectOid), Oid(c.ClassOid), Text(c.Text));
            }
            else
            {
                t.Add(Oid(c.ObjectOid), Oid(c.ClassOid), Int4(c.SubId), Text(c.Text));
            }
        }

        return t;
    }

    /// <summary>
    /// The languages functions are written in: PostgreSQL's three built-in ones (every function here is <c>internal</c>);
    /// no procedural language is installed (plpgsql is not supported), so psql's <c>\dL</c> lists none.
    /// </summary>
    public static VirtualTable Language()
    {
        var t = new VirtualTable("pg_language",
            ("oid", SqlType.Oid), ("lanname", SqlType.Name), ("lanowner", SqlType.Oid), ("lanispl", SqlType.Bool), ("lanpltrusted", SqlType.Bool),
            ("lanplcallfoid", SqlType.Oid), ("laninline", SqlType.Oid), ("lanvalidator", SqlType.Oid), ("lanacl", TextArray));
        foreach ((uint oid, string name, bool trusted, uint validator) in new[] { (12u, "internal", false, 2246u), (13u, "c", false, 2247u), (14u, "sql", true, 2248u) })
        {
            t.Add(Oid(oid), Name(name), Oid(CatalogText.SuperuserOid), Bool(false), Bool(trusted), Oid(0u), Oid(0u), Oid(validator), Null);
        }

        return t;
    }

    /// <summary>pg_enum: the labels of the database's enum types, each with its sort position.</summary>
    internal static VirtualTable Enum(ViewSource src)
    {
        var t = new VirtualTable("pg_enum", ("oid", SqlType.Oid), ("enumtypid", SqlType.Oid), ("enumsortorder", SqlType.Float4), ("enumlabel", SqlType.Name));
        foreach (EnumTypeDef type in src.EnumTypes)
        {
            foreach (SqlEnumLabel label in type.Labels.OrderBy(l => l.Oid))
            {
                t.Add(Oid(label.Oid), Oid(type.Oid), Float4(label.SortOrder), Name(label.Label));
            }
        }

        return t;
    }

    /// <summary>Catalogs of features that do not exist here: the right columns, no rows.</summary>
    public static VirtualTable? Empty(string name) => name switch
    {
        "pg_range" => new(name, ("rngtypid", SqlType.Oid), ("rngsubtype", SqlType.Oid), ("rngmultitypid", SqlType.Oid), ("rngcollation", SqlType.Oid),
            ("rngsubopc", SqlType.Oid), ("rngcanonical", SqlType.Oid), ("rngsubdiff", SqlType.Oid)),
        "pg_inherits" => new(name, ("inhrelid", SqlType.Oid), ("inhparent", SqlType.Oid), ("inhseqno", SqlType.Int4), ("inhdetachpending", SqlType.Bool)),
        "pg_trigger" => new(name, ("oid", SqlType.Oid), ("tgrelid", SqlType.Oid), ("tgparentid", SqlType.Oid), ("tgname", SqlType.Name), ("tgfoid", SqlType.Oid),
            ("tgtype", SqlType.Int2), ("tgenabled", Char1), ("tgisinternal", SqlType.Bool), ("tgconstrrelid", SqlType.Oid), ("tgconstrindid", SqlType.Oid),
            ("tgconstraint", SqlType.Oid), ("tgdeferrable", SqlType.Bool), ("tginitdeferred", SqlType.Bool), ("tgnargs", SqlType.Int2), ("tgattr", Int2Array),
            ("tgargs", SqlType.Bytea), ("tgqual", SqlType.Text), ("tgoldtable", SqlType.Name), ("tgnewtable", SqlType.Name)),
        "pg_policy" => new(name, ("oid", SqlType.Oid), ("polname", SqlType.Name), ("polrelid", SqlType.Oid), ("polcmd", Char1), ("polpermissive", SqlType.Bool),
            ("polroles", OidArray), ("polqual", SqlType.Text), ("polwithcheck", SqlType.Text)),
        "pg_statistic_ext" => new(name, ("oid", SqlType.Oid), ("stxrelid", SqlType.Oid), ("stxname", SqlType.Name), ("stxnamespace", SqlType.Oid),
            ("stxowner", SqlType.Oid), ("stxstattarget", SqlType.Int4), ("stxkeys", Int2Array), ("stxkind", TextArray), ("stxexprs", SqlType.Text)),
        "pg_publication" => new(name, ("oid", SqlType.Oid), ("pubname", SqlType.Name), ("pubowner", SqlType.Oid), ("puballtables", SqlType.Bool),
            ("pubinsert", SqlType.Bool), ("pubupdate", SqlType.Bool), ("pubdelete", SqlType.Bool), ("pubtruncate", SqlType.Bool), ("pubviaroot", SqlType.Bool)),
        "pg_publication_rel" => new(name, ("oid", SqlType.Oid), ("prpubid", SqlType.Oid), ("prrelid", SqlType.Oid), ("prqual", SqlType.Text), ("prattrs", Int2Array)),
        "pg_publication_namespace" => new(name, ("oid", SqlType.Oid), ("pnpubid", SqlType.Oid), ("pnnspid", SqlType.Oid)),
        "pg_rewrite" => new(name, ("oid", SqlType.Oid), ("rulename", SqlType.Name), ("ev_class", SqlType.Oid), ("ev_type", Char1), ("ev_enabled", Char1),
            ("is_instead", SqlType.Bool), ("ev_qual", SqlType.Text), ("ev_action", SqlType.Text)),
        "pg_description" => new(name, ("objoid", SqlType.Oid), ("classoid", SqlType.Oid), ("objsubid", SqlType.Int4), ("description", SqlType.Text)),
        "pg_partitioned_table" => new(name, ("partrelid", SqlType.Oid), ("partstrat", Char1), ("partnatts", SqlType.Int2), ("partdefid", SqlType.Oid),
            ("partattrs", Int2Array), ("partclass", OidArray), ("partcollation", OidArray), ("partexprs", SqlType.Text)),
        "pg_auth_members" => new(name, ("roleid", SqlType.Oid), ("member", SqlType.Oid), ("grantor", SqlType.Oid), ("admin_option", SqlType.Bool)),
        "pg_extension" => new(name, ("oid", SqlType.Oid), ("extname", SqlType.Name), ("extowner", SqlType.Oid), ("extnamespace", SqlType.Oid),
            ("extrelocatable", SqlType.Bool), ("extversion", SqlType.Text), ("extconfig", OidArray), ("extcondition", TextArray)),
        // no conversions, foreign data, per-role settings, text search, event triggers, large objects, default ACLs,
        // security labels or shared comments exist here
        "pg_conversion" => new(name, ("oid", SqlType.Oid), ("conname", SqlType.Name), ("connamespace", SqlType.Oid), ("conowner", SqlType.Oid),
            ("conforencoding", SqlType.Int4), ("contoencoding", SqlType.Int4), ("conproc", SqlType.Oid), ("condefault", SqlType.Bool)),
        "pg_foreign_data_wrapper" => new(name, ("oid", SqlType.Oid), ("fdwname", SqlType.Name), ("fdwowner", SqlType.Oid), ("fdwhandler", SqlType.Oid),
            ("fdwvalidator", SqlType.Oid), ("fdwacl", TextArray), ("fdwoptions", TextArray)),
        "pg_foreign_server" => new(name, ("oid", SqlType.Oid), ("srvname", SqlType.Name), ("srvowner", SqlType.Oid), ("srvfdw", SqlType.Oid),
            ("srvtype", SqlType.Text), ("srvversion", SqlType.Text), ("srvacl", TextArray), ("srvoptions", TextArray)),
        "pg_foreign_table" => new(name, ("ftrelid", SqlType.Oid), ("ftserver", SqlType.Oid), ("ftoptions", TextArray)),
        "pg_user_mapping" => new(name, ("oid", SqlType.Oid), ("umuser", SqlType.Oid), ("umserver", SqlType.Oid), ("umoptions", TextArray)),
        "pg_user_mappings" => new(name, ("umid", SqlType.Oid), ("srvid", SqlType.Oid), ("srvname", SqlType.Name), ("umuser", SqlType.Oid),
            ("usename", SqlType.Name), ("umoptions", TextArray)),
        "pg_db_role_setting" => new(name, ("setdatabase", SqlType.Oid), ("setrole", SqlType.Oid), ("setconfig", TextArray)),
        "pg_ts_config" => new(name, ("oid", SqlType.Oid), ("cfgname", SqlType.Name), ("cfgnamespace", SqlType.Oid), ("cfgowner", SqlType.Oid),
            ("cfgparser", SqlType.Oid)),
        "pg_ts_dict" => new(name, ("oid", SqlType.Oid), ("dictname", SqlType.Name), ("dictnamespace", SqlType.Oid), ("dictowner", SqlType.Oid),
            ("dicttemplate", SqlType.Oid), ("dictinitoption", SqlType.Text)),
        "pg_ts_parser" => new(name, ("oid", SqlType.Oid), ("prsname", SqlType.Name), ("prsnamespace", SqlType.Oid), ("prsstart", SqlType.Oid),
            ("prstoken", SqlType.Oid), ("prsend", SqlType.Oid), ("prsheadline", SqlType.Oid), ("prslextype", SqlType.Oid)),
        "pg_ts_template" => new(name, ("oid", SqlType.Oid), ("tmplname", SqlType.Name), ("tmplnamespace", SqlType.Oid), ("tmplinit", SqlType.Oid),
            ("tmpllexize", SqlType.Oid)),
        "pg_event_trigger" => new(name, ("oid", SqlType.Oid), ("evtname", SqlType.Name), ("evtevent", SqlType.Name), ("evtowner", SqlType.Oid),
            ("evtfoid", SqlType.Oid), ("evtenabled", Char1), ("evttags", TextArray)),
        "pg_largeobject_metadata" => new(name, ("oid", SqlType.Oid), ("lomowner", SqlType.Oid), ("lomacl", TextArray)),
        "pg_largeobject" => new(name, ("loid", SqlType.Oid), ("pageno", SqlType.Int4), ("data", SqlType.Bytea)),
        "pg_default_acl" => new(name, ("oid", SqlType.Oid), ("defaclrole", SqlType.Oid), ("defaclnamespace", SqlType.Oid), ("defaclobjtype", Char1),
            ("defaclacl", TextArray)),
        "pg_seclabel" => new(name, ("objoid", SqlType.Oid), ("classoid", SqlType.Oid), ("objsubid", SqlType.Int4), ("provider", SqlType.Text),
            ("label", SqlType.Text)),
        "pg_shdescription" => new(name, ("objoid", SqlType.Oid), ("classoid", SqlType.Oid), ("description", SqlType.Text)),
        "pg_stat_activity" => new(name, ("datid", SqlType.Oid), ("datname", SqlType.Name), ("pid", SqlType.Int4), ("leader_pid", SqlType.Int4),
            ("usesysid", SqlType.Oid), ("usename", SqlType.Name), ("application_name", SqlType.Text), ("client_addr", SqlType.Text),
            ("client_hostname", SqlType.Text), ("client_port", SqlType.Int4), ("backend_start", SqlType.TimestampTz), ("xact_start", SqlType.TimestampTz),
            ("query_start", SqlType.TimestampTz), ("state_change", SqlType.TimestampTz), ("wait_event_type", SqlType.Text), ("wait_event", SqlType.Text),
            ("state", SqlType.Text), ("backend_xid", SqlType.Int8), ("backend_xmin", SqlType.Int8), ("query_id", SqlType.Int8), ("query", SqlType.Text),
            ("backend_type", SqlType.Text)),
        _ => null,
    };
}
