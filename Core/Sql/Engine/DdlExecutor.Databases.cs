using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Functions;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// CREATE DATABASE and DROP DATABASE. A database is a namespace of the one store: its record, its <c>public</c> schema
/// (pg_catalog and information_schema are every database's), and the schemas, tables, indexes, views and sequences
/// made in it. Both run outside a transaction block, as in PostgreSQL (the session checks that before they get here).
/// </summary>
internal sealed partial class DdlExecutor
{
    /// <summary>The templates PostgreSQL clones from; here every database starts empty, as template0 and template1 would make it.</summary>
    private static readonly string[] Templates = ["template0", "template1"];

    private string CreateDatabase(Ast.CreateDatabaseStatement create)
    {
        RequireCreateDb();
        if (Catalog.FindDatabase(create.Name) is not null)
        {
            if (create.IfNotExists)
            {
                _notices.Add($"database \"{create.Name}\" already exists, skipping");
                return "CREATE DATABASE";
            }

            throw new SqlException(SqlState.DuplicateDatabase, $"database \"{create.Name}\" already exists");
        }

        uint owner = 0;
        foreach (Ast.GenericOption option in create.Options)
        {
            string? value = option.Value;
            switch (option.Name)
            {
                case "owner" when value is not null && !IsDefault(value):
                    owner = value == binder.Session.SuperuserName ? 0
                        : Catalog.FindRole(value)?.Oid ?? throw new SqlException(SqlState.UndefinedObject, $"role \"{value}\" does not exist");
                    break;
                case "template" when value is not null && !IsDefault(value) && !Templates.Contains(value) && Catalog.FindDatabase(value) is null:
                    throw new SqlException(SqlState.InvalidCatalogName, $"template database \"{value}\" does not exist");
                case "template" when value is not null && Catalog.FindDatabase(value) is not null:
                    throw SqlException.NotSupported("CREATE DATABASE with TEMPLATE of an existing database (copying one)");
                case "encoding" when value is not null && !IsDefault(value) && !IsUtf8(value):
                    throw SqlException.NotSupported($"encoding \"{value}\": every database stores UTF8");
                case "locale" or "lc_collate" or "lc_ctype" when value is not null && !IsDefault(value) && !IsCLocale(value):
                    throw SqlException.NotSupported($"locale \"{value}\": strings sort and compare as in the C locale");
                case "locale_provider" when value is not null && !IsDefault(value) && !value.Equals("libc", StringComparison.OrdinalIgnoreCase):
                    throw SqlException.NotSupported($"locale provider \"{value}\": only libc's C locale is");
                case "connection_limit" when value is not null && value != "-1":
                    throw SqlException.NotSupported("CONNECTION LIMIT (only -1, no limit, is supported)");
                case "is_template" when value is not null && !IsFalse(value):
                    throw SqlException.NotSupported("template databases");
                case "allow_connections" when value is not null && IsFalse(value):
                    throw SqlException.NotSupported("ALLOW_CONNECTIONS false");
                case "tablespace" when value is not null && !IsDefault(value) && value != "pg_default":
                    throw new SqlException(SqlState.UndefinedObject, $"tablespace \"{value}\" does not exist");
                case "oid":
                    throw SqlException.NotSupported("CREATE DATABASE with a chosen OID");
                case "owner" or "template" or "encoding" or "locale" or "lc_collate" or "lc_ctype" or "locale_provider" or "connection_limit"
                    or "is_template" or "allow_connections" or "tablespace" or "strategy" or "icu_locale" or "collation_version":
                    break; // the value is what this server does anyway
                default:
                    throw new SqlException(SqlState.SyntaxError, $"option \"{option.Name}\" not recognized");
            }
        }

        uint database = changes.AllocateOid();
        changes.Create(new DatabaseDef(database, create.Name, owner));
        changes.Create(new SchemaDef(changes.AllocateOid(), database, "public"));
        return "CREATE DATABASE";
    }

    private void DropDatabase(string name, Ast.DropStatement drop)
    {
        DatabaseDef? database = Catalog.FindDatabase(name);
        if (database is null)
        {
            if (drop.IfExists)
            {
                _notices.Add($"database \"{name}\" does not exist, skipping");
                return;
            }

            throw new SqlException(SqlState.InvalidCatalogName, $"database \"{name}\" does not exist");
        }

        if (name == binder.Session.Database)
        {
            throw new SqlException(SqlState.ObjectInUse, "cannot drop the currently open database");
        }

        if (!IsSuperuser && (database.OwnerOid == 0 || Catalog.FindRole(binder.Session.User)?.Oid != database.OwnerOid))
        {
            throw new SqlException(SqlState.InsufficientPrivilege, $"must be owner of database {name}");
        }

        // as PostgreSQL's CountOtherDBBackends: sessions that are just ending (psql's \c) get up to 5 s to go
        IReadOnlyList<BackendActivity> Others() => [.. (binder.Session.Services?.Activity() ?? []).Where(a => a.Database == name)];
        IReadOnlyList<BackendActivity> others = Others();
        for (int wait = 0; wait < 50 && others.Count > 0 && !drop.Force; wait++)
        {
            runtime.Cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100));
            runtime.Cancellation.ThrowIfCancellationRequested();
            others = Others();
        }

        if (others.Count > 0)
        {
            if (!drop.Force)
            {
                throw new SqlException(SqlState.ObjectInUse, $"database \"{name}\" is being accessed by other users",
                    detail: others.Count == 1 ? "There is 1 other session using the database." : $"There are {others.Count} other sessions using the database.");
            }

            foreach (BackendActivity other in others)
            {
                binder.Session.Services!.TerminateBackend(other.ProcessId);
            }
        }

        List<SchemaDef> schemas = [.. Catalog.SchemasOf(database.Oid)];
        HashSet<uint> tables = [.. schemas.SelectMany(s => Catalog.RelationsOf(s.Oid)).OfType<TableDef>().Select(t => t.Oid)];
        foreach (SchemaDef schema in schemas)
        {
            DropSchemaContents(schema, tables);
        }

        changes.Drop(database.Oid);
    }

    private bool IsSuperuser => binder.Session.IsSuperuser;

    /// <summary>PostgreSQL: only a superuser or a role with CREATEDB may create a database.</summary>
    private void RequireCreateDb()
    {
        if (!IsSuperuser && Catalog.FindRole(binder.Session.User)?.CreateDb != true)
        {
            throw new SqlException(SqlState.InsufficientPrivilege, "permission denied to create database");
        }
    }

    private static bool IsDefault(string value) => value.Equals("default", StringComparison.OrdinalIgnoreCase);

    private static bool IsFalse(string value) => value.ToLowerInvariant() is "false" or "off" or "no" or "0" or "f";

    private static bool IsUtf8(string value) => value.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant() is "UTF8" or "UNICODE" or "6";

    private static bool IsCLocale(string value) => value.ToUpperInvariant() is "C" or "POSIX" or "C.UTF8" or "C.UTF-8";
}
