using ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Tests.Sql.Syntax;

/// <summary>
/// The statements real clients send (../shared/clients/postgres.md and mysql.md): psql's catalog queries,
/// Npgsql's connect-time batch and reset, pgbench's init and run scripts, the mysql CLI, MySqlConnector
/// and sysbench. Each must parse, and the PostgreSQL ones must survive a print/reparse round trip.
/// </summary>
public class SqlClientQueryTests
{
    private const string NpgsqlStartupBatch = """
        SELECT pg_catalog.version();

        -- Load types
        SELECT ns.nspname, t.oid, t.typname, t.typtype, t.typnotnull, t.elemtypoid
        FROM (
            -- Arrays have typtype=b - this subquery identifies them by their typreceive and converts their typtype to a
            SELECT
                typ.oid, typ.typnamespace, typ.typname, typ.typtype, typ.typrelid, typ.typnotnull, typ.relkind,
                elemtyp.oid AS elemtypoid, elemtyp.typname AS elemtypname, elemcls.relkind AS elemrelkind,
                CASE WHEN elemproc.proname='array_recv' THEN 'a' ELSE elemtyp.typtype END AS elemtyptype
            FROM (
                SELECT typ.oid, typnamespace, typname, typrelid, typnotnull, relkind, typelem AS elemoid,
                    CASE WHEN proc.proname='array_recv' THEN 'a' ELSE typ.typtype END AS typtype,
                    CASE
                        WHEN proc.proname='array_recv' THEN typ.typelem
                        WHEN typ.typtype='r' THEN rngsubtype
                        WHEN typ.typtype='m' THEN (SELECT rngtypid FROM pg_range WHERE rngmultitypid = typ.oid)
                        WHEN typ.typtype='d' THEN typ.typbasetype
                    END AS elemtypoid
                FROM pg_catalog.pg_type AS typ
                LEFT JOIN pg_catalog.pg_class AS cls ON (cls.oid = typ.typrelid)
                LEFT JOIN pg_catalog.pg_proc AS proc ON proc.oid = typ.typreceive
                LEFT JOIN pg_catalog.pg_range AS rng ON (rng.rngtypid = typ.oid)
            ) AS typ
            LEFT JOIN pg_catalog.pg_type AS elemtyp ON elemtyp.oid = elemtypoid
            LEFT JOIN pg_catalog.pg_class AS elemcls ON (elemcls.oid = elemtyp.typrelid)
            LEFT JOIN pg_catalog.pg_proc AS elemproc ON elemproc.oid = elemtyp.typreceive
        ) AS t
        JOIN pg_catalog.pg_namespace AS ns ON (ns.oid = typnamespace)
        WHERE
            typtype IN ('b', 'r', 'm', 'e', 'd') OR -- Base, range, multirange, enum, domain
            (typtype = 'c' AND relkind='c') OR
            (typtype = 'p' AND typname IN ('record', 'void')) OR
            (typtype = 'a' AND (
                elemtyptype IN ('b', 'r', 'm', 'e', 'd') OR
                (elemtyptype = 'p' AND elemtypname IN ('record', 'void')) OR
                (elemtyptype = 'c' AND elemrelkind='c')
            ))
        ORDER BY CASE
               WHEN typtype IN ('b', 'e', 'p') THEN 0
               WHEN typtype = 'r' THEN 1
               WHEN typtype = 'm' THEN 2
               WHEN typtype = 'c' THEN 3
               WHEN typtype = 'd' AND elemtyptype <> 'a' THEN 4
               WHEN typtype = 'a' THEN 5
               WHEN typtype = 'd' AND elemtyptype = 'a' THEN 6
        END;

        -- Load field definitions for (free-standing) composite types
        SELECT typ.oid, att.attname, att.atttypid
        FROM pg_catalog.pg_type AS typ
        JOIN pg_catalog.pg_namespace AS ns ON (ns.oid = typ.typnamespace)
        JOIN pg_catalog.pg_class AS cls ON (cls.oid = typ.typrelid)
        JOIN pg_catalog.pg_attribute AS att ON (att.attrelid = typ.typrelid)
        WHERE
          (typ.typtype = 'c' AND cls.relkind='c') AND
          attnum > 0 AND     -- Don't load system attributes
          NOT attisdropped
        ORDER BY typ.oid, att.attnum;

        -- Load enum fields
        SELECT pg_type.oid, enumlabel
        FROM pg_catalog.pg_enum
        JOIN pg_catalog.pg_type ON pg_type.oid=enumtypid
        ORDER BY oid, enumsortorder;
        """;

    private static readonly string[] PostgresStatements =
    [
        "SELECT version()",
        NpgsqlStartupBatch,
        "DISCARD ALL",
        "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL; UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD SEQUENCES; DISCARD TEMP",
        // psql \dt
        """
        SELECT n.nspname as "Schema",
          c.relname as "Name",
          CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
          pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
        FROM pg_catalog.pg_class c
             LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
        WHERE c.relkind IN ('r','p','')
              AND n.nspname <> 'pg_catalog'
              AND n.nspname !~ '^pg_toast'
              AND n.nspname <> 'information_schema'
          AND pg_catalog.pg_table_is_visible(c.oid)
        ORDER BY 1,2;
        """,
        // psql \d foo, first query
        """
        SELECT c.oid,
          n.nspname,
          c.relname
        FROM pg_catalog.pg_class c
             LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname OPERATOR(pg_catalog.~) '^(foo)$' COLLATE pg_catalog.default
          AND pg_catalog.pg_table_is_visible(c.oid)
        ORDER BY 2, 3;
        """,
        """
        SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', ')
        , c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname
        FROM pg_catalog.pg_class c
         LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)
        LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)
        WHERE c.oid = '16454';
        """,
        """
        SELECT a.attname,
          pg_catalog.format_type(a.atttypid, a.atttypmod),
          (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
           FROM pg_catalog.pg_attrdef d
           WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
          a.attnotnull,
          (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
           WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
          a.attidentity,
          a.attgenerated
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = '16454' AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum;
        """,
        """
        SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),
          pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident, c2.reltablespace
        FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
          LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))
        WHERE c.oid = '16454' AND c.oid = i.indrelid AND i.indexrelid = c2.oid
        ORDER BY i.indisprimary DESC, c2.relname;
        """,
        """
        SELECT pol.polname, pol.polpermissive,
          CASE WHEN pol.polroles = '{0}' THEN NULL ELSE pg_catalog.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = any (pol.polroles) order by 1),',') END,
          pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),
          pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid),
          CASE pol.polcmd
            WHEN 'r' THEN 'SELECT'
            WHEN 'a' THEN 'INSERT'
            WHEN 'w' THEN 'UPDATE'
            WHEN 'd' THEN 'DELETE'
            END AS cmd
        FROM pg_catalog.pg_policy pol
        WHERE pol.polrelid = '16454' ORDER BY 1;
        """,
        """
        SELECT c.oid::pg_catalog.regclass
        FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i
        WHERE c.oid = i.inhparent AND i.inhrelid = '16454'
          AND c.relkind != 'p' AND c.relkind != 'I'
        ORDER BY inhseqno;
        """,
        // psql \l
        """
        SELECT d.datname as "Name",
               pg_catalog.pg_get_userbyid(d.datdba) as "Owner",
               pg_catalog.pg_encoding_to_char(d.encoding) as "Encoding",
               CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS "Locale Provider",
               d.datcollate as "Collate",
               d.datctype as "Ctype",
               d.daticulocale as "ICU Locale",
               pg_catalog.array_to_string(d.datacl, E'\n') AS "Access privileges"
        FROM pg_catalog.pg_database d
        ORDER BY 1;
        """,
        // psql \du
        """
        SELECT r.rolname, r.rolsuper, r.rolinherit,
          r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
          r.rolconnlimit, r.rolvaliduntil,
          ARRAY(SELECT b.rolname
                FROM pg_catalog.pg_auth_members m
                JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid)
                WHERE m.member = r.oid) as memberof
        , r.rolreplication
        , r.rolbypassrls
        FROM pg_catalog.pg_roles r
        WHERE r.rolname !~ '^pg_'
        ORDER BY 1;
        """,
        "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_namespace n WHERE substring(pg_catalog.quote_ident(n.nspname),1,2)='pu' LIMIT 1000",
        // pgbench -i
        "drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
        "create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22))",
        "create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100)",
        "create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)",
        "create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100)",
        "begin",
        "truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
        "copy pgbench_branches from stdin with (freeze on)",
        "copy pgbench_accounts from stdin",
        "commit",
        "vacuum analyze pgbench_branches",
        "vacuum analyze pgbench_tellers",
        "alter table pgbench_branches add primary key (bid)",
        "alter table pgbench_accounts add primary key (aid)",
        "alter table pgbench_tellers add constraint pgbench_tellers_bid_fkey foreign key (bid) references pgbench_branches",
        "alter table pgbench_accounts add constraint pgbench_accounts_bid_fkey foreign key (bid) references pgbench_branches",
        "insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, 1) as bid",
        "insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0 from generate_series(1, 10) as tid",
        "insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' from generate_series(1, 100000) as aid",
        // pgbench run
        "select count(*) from pgbench_branches",
        "select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1",
        "vacuum pgbench_branches",
        "vacuum pgbench_tellers",
        "truncate pgbench_history",
        "BEGIN;",
        "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;",
        "SELECT abalance FROM pgbench_accounts WHERE aid = $1;",
        "UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2;",
        "UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2;",
        "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);",
        "END;",
        // pgjdbc / psycopg / node-postgres connect and metadata chatter
        "SET extra_float_digits = 3",
        "SET application_name = 'PostgreSQL JDBC Driver'",
        "SHOW TRANSACTION ISOLATION LEVEL",
        "SELECT typname, typtype FROM pg_catalog.pg_type WHERE oid = $1",
        "SELECT current_schema(), current_database(), current_setting('server_version_num')::int",
    ];

    private static readonly string[] MySqlStatements =
    [
        "select @@version_comment limit 1",
        "SELECT DATABASE()",
        "show databases",
        "show tables",
        "select DATABASE(), USER() limit 1",
        "select @@character_set_client, @@character_set_connection, @@character_set_server, @@character_set_database limit 1",
        "SET NAMES utf8mb4",
        "use sbtest",
        "CREATE TABLE sbtest1(id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id)) /*! ENGINE = innodb */",
        "INSERT INTO sbtest1(k, c, pad) VALUES(50, '83868641912-28773972837-60736120486', '67847967377-48000963322'),(48, '3-4-5', '6-7')",
        "CREATE INDEX k_1 ON sbtest1(k)",
        "BEGIN",
        "COMMIT",
        "SELECT c FROM sbtest1 WHERE id=?",
        "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ?",
        "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?",
        "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c",
        "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c",
        "UPDATE sbtest1 SET k=k+1 WHERE id=?",
        "UPDATE sbtest1 SET c=? WHERE id=?",
        "DELETE FROM sbtest1 WHERE id=?",
        "INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)",
        "DROP TABLE IF EXISTS sbtest1",
        "SHOW VARIABLES LIKE 'lower_case_table_names'",
        "SET autocommit=1",
        "SELECT @@max_allowed_packet, @@session.transaction_isolation",
    ];

    [Test]
    public async Task Every_postgres_client_statement_parses_and_round_trips()
    {
        int statements = 0;
        foreach (string sql in PostgresStatements)
        {
            IReadOnlyList<SqlStatement> parsed = SqlParser.Parse(sql);
            await Assert.That(parsed.Count).IsGreaterThan(0);
            foreach (SqlStatement s in parsed)
            {
                string printed = SqlPrinter.Print(s);
                await Assert.That(SqlPrinter.Print(SqlParser.ParseSingle(printed))).IsEqualTo(printed);
                statements++;
            }
        }

        await Assert.That(SqlParser.Parse(NpgsqlStartupBatch).Count).IsEqualTo(4);
        await Assert.That(statements).IsEqualTo(PostgresStatements.Length + 3 + 6);
    }

    [Test]
    public async Task Every_mysql_client_statement_parses()
    {
        foreach (string sql in MySqlStatements)
        {
            await Assert.That(SqlParser.Parse(sql, SqlDialect.MySql).Count).IsEqualTo(1);
        }
    }

    [Test]
    public async Task Psql_regex_and_collate_shapes()
    {
        var q = (SelectStatement)SqlParser.ParseSingle("SELECT 1 FROM pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(foo)$' COLLATE pg_catalog.default");
        var where = (BinaryExpr)((SelectQuery)q.Query.Body).Where!;
        await Assert.That(where.Operator).IsEqualTo("~");
        // COLLATE binds tighter than the operator: it applies to the pattern.
        await Assert.That(where.Right).IsTypeOf<CollateExpr>();
    }
}
