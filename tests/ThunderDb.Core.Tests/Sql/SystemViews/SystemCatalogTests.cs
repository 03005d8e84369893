using System.Globalization;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.SystemViews;

public class SystemCatalogTests
{
    private const string Schema = """
        CREATE TABLE t1 (id int PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x', n numeric(10,2), created timestamptz);
        CREATE INDEX t1_name ON t1 (name);
        CREATE TABLE t2 (a bigint, b text, CONSTRAINT t2_ab UNIQUE (a, b), CONSTRAINT t2_positive CHECK (a > 0));
        CREATE VIEW v1 AS SELECT id, name FROM t1;
        """;

    private static async Task<(TestDatabase Db, SqlSession Session)> OpenAsync()
    {
        var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await Run(s, Schema);
        return (t, s);
    }

    private static async Task<StatementResult> Run(SqlSession s, string sql)
    {
        BatchResult r = await s.ExecuteAsync(sql);
        if (r.Error is not null)
        {
            throw new InvalidOperationException($"{r.Error.SqlState} {r.Error.Message} in: {sql}");
        }

        return r.Results[^1];
    }

    private static string[][] Text(StatementResult r) => [.. r.Rows!.Select(row => row.Select(v => v.IsNull ? "NULL" : v.ToString()).ToArray())];

    private static async Task<string> OidOf(SqlSession s, string table) =>
        Text(await Run(s, string.Format(CultureInfo.InvariantCulture, "SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname = '{0}'", table)))[0][0];

    [Test]
    public async Task Psql_dt_lists_the_tables_with_their_owner()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string[][] rows = Text(await Run(s, PsqlQueries.ListTables));
        await Assert.That(rows.Length).IsEqualTo(2);
        await Assert.That(string.Join("|", rows[0])).IsEqualTo("public|t1|table|thunder");
        await Assert.That(string.Join("|", rows[1])).IsEqualTo("public|t2|table|thunder");
    }

    [Test]
    public async Task Psql_di_lists_the_indexes_with_their_tables()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string[][] rows = Text(await Run(s, PsqlQueries.ListIndexes));
        string[] names = [.. rows.Select(r => $"{r[1]}:{r[2]}:{r[4]}")];
        await Assert.That(names).Contains("t1_name:index:t1");
        await Assert.That(names.Any(n => n.EndsWith(":index:t2", StringComparison.Ordinal))).IsTrue();
        await Assert.That(rows.Length).IsEqualTo(3);
    }

    [Test]
    public async Task Psql_d_table_finds_the_table_and_describes_columns_and_indexes()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string[][] found = Text(await Run(s, PsqlQueries.DescribeFind));
        await Assert.That(found.Length).IsEqualTo(1);
        await Assert.That(found[0][2]).IsEqualTo("t1");
        string oid = found[0][0];

        string[][] table = Text(await Run(s, PsqlQueries.DescribeTable.Replace("{0}", oid, StringComparison.Ordinal)));
        await Assert.That(string.Join("|", table[0])).IsEqualTo("0|r|t|f|f|f|f|f|f||0||p|d|heap");

        string[][] columns = Text(await Run(s, PsqlQueries.DescribeColumns.Replace("{0}", oid, StringComparison.Ordinal)));
        await Assert.That(columns.Select(c => $"{c[0]}:{c[1]}:{c[3]}").ToArray()).IsEquivalentTo(
            ["id:integer:t", "name:character varying(20):t", "n:numeric(10,2):f", "created:timestamp with time zone:f"]);
        await Assert.That(columns[1][2]).Contains("'x'");
        await Assert.That(columns[0][4]).IsEqualTo("NULL"); // same collation as the type: not shown

        string[][] indexes = Text(await Run(s, PsqlQueries.DescribeIndexes.Replace("{0}", oid, StringComparison.Ordinal)));
        await Assert.That(indexes.Length).IsEqualTo(2);
        await Assert.That(indexes[0][1]).IsEqualTo("t"); // primary key first
        await Assert.That(indexes[0][5]).IsEqualTo($"CREATE UNIQUE INDEX {indexes[0][0]} ON public.t1 USING btree (id)");
        await Assert.That(indexes[0][6]).IsEqualTo("PRIMARY KEY (id)");
        await Assert.That(indexes[0][7]).IsEqualTo("p");
        await Assert.That(indexes[1][5]).IsEqualTo("CREATE INDEX t1_name ON public.t1 USING btree (name)");
        await Assert.That(indexes[1][6]).IsEqualTo("NULL");

        string[][] inherits = Text(await Run(s, PsqlQueries.DescribeInherits.Replace("{0}", oid, StringComparison.Ordinal)));
        await Assert.That(inherits.Length).IsEqualTo(0);
    }

    [Test]
    public async Task Psql_l_lists_the_database_in_utf8()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string[][] rows = Text(await Run(s, PsqlQueries.ListDatabases));
        await Assert.That(string.Join("|", rows.Single(r => r[0] == "postgres"))).IsEqualTo("postgres|thunder|UTF8|C|C|NULL|libc|NULL");
    }

    [Test]
    public async Task Constraints_print_as_postgresql_does()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string oid = await OidOf(s, "t2");
        string[][] rows = Text(await Run(s,
            $"SELECT conname, contype, pg_catalog.pg_get_constraintdef(oid, true), conkey, confkey FROM pg_constraint WHERE conrelid = '{oid}' ORDER BY conname"));
        await Assert.That(rows.Select(r => string.Join("|", r)).ToArray()).IsEquivalentTo(
            ["t2_ab|u|UNIQUE (a, b)|{1,2}|NULL", "t2_positive|c|CHECK (a > 0)|NULL|NULL"]);
    }

    [Test]
    public async Task Npgsql_type_loading_finds_base_types_and_their_arrays()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        BatchResult batch = await s.ExecuteAsync("SELECT version();\n" + NpgsqlQueries.LoadTypes + "\n" + NpgsqlQueries.LoadComposites + "\n" + NpgsqlQueries.LoadEnums);
        await Assert.That(batch.Error).IsNull();
        await Assert.That(batch.Results.Count).IsEqualTo(4);
        string[][] types = Text(batch.Results[1]);
        string[] int4 = types.Single(r => r[2] == "int4");
        await Assert.That(string.Join("|", int4)).IsEqualTo("pg_catalog|23|int4|b|f|NULL");
        string[] int4Array = types.Single(r => r[2] == "_int4");
        await Assert.That(string.Join("|", int4Array)).IsEqualTo("pg_catalog|1007|_int4|a|f|23");
        await Assert.That(types.Any(r => r[2] == "_text" && r[3] == "a" && r[5] == "25")).IsTrue();
        await Assert.That(types.Any(r => r[2] == "record" && r[3] == "p")).IsTrue();
        // base types come before the arrays that reference them
        int lastBase = Array.FindLastIndex(types, r => r[3] is "b" or "p");
        int firstArray = Array.FindIndex(types, r => r[3] == "a");
        await Assert.That(lastBase).IsLessThan(firstArray);
        // table row types are not loaded by default (relkind is 'r', not 'c')
        await Assert.That(types.Any(r => r[2] == "t1")).IsFalse();
        await Assert.That(batch.Results[2].Rows!.Count).IsEqualTo(0);
        await Assert.That(batch.Results[3].Rows!.Count).IsEqualTo(0);
    }

    [Test]
    public async Task Information_schema_describes_tables_and_columns()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string[][] tables = Text(await Run(s, "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"));
        await Assert.That(tables.Select(r => string.Join("|", r)).ToArray()).IsEquivalentTo(["t1|BASE TABLE", "t2|BASE TABLE", "v1|VIEW"]);
        string[][] columns = Text(await Run(s,
            "SELECT column_name, data_type, is_nullable, character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_name = 't1' ORDER BY ordinal_position"));
        await Assert.That(string.Join("|", columns[1])).IsEqualTo("name|character varying|NO|20|NULL|NULL");
        await Assert.That(string.Join("|", columns[2])).IsEqualTo("n|numeric|YES|NULL|10|2");
        string[][] view = Text(await Run(s, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'v1' ORDER BY ordinal_position"));
        await Assert.That(view.Select(r => string.Join("|", r)).ToArray()).IsEquivalentTo(["id|integer", "name|character varying"]);
        string[][] schemata = Text(await Run(s, "SELECT schema_name FROM information_schema.schemata ORDER BY 1"));
        await Assert.That(schemata.Select(r => r[0]).ToArray()).Contains("public");
    }

    [Test]
    public async Task Unqualified_pg_names_resolve_to_pg_catalog_and_unknown_ones_are_undefined()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string[][] rows = Text(await Run(s, "SELECT tablename, hasindexes FROM pg_tables ORDER BY 1"));
        await Assert.That(rows.Select(r => string.Join("|", r)).ToArray()).IsEquivalentTo(["t1|t", "t2|t"]);
        string[][] indexes = Text(await Run(s, "SELECT indexdef FROM pg_indexes WHERE indexname = 't1_name'"));
        await Assert.That(indexes[0][0]).IsEqualTo("CREATE INDEX t1_name ON public.t1 USING btree (name)");
        BatchResult missing = await s.ExecuteAsync("SELECT * FROM pg_catalog.pg_nonexistent");
        await Assert.That(missing.Error!.SqlState).IsEqualTo("0A000");
        BatchResult notSystem = await s.ExecuteAsync("SELECT * FROM information_schema.pg_class");
        await Assert.That(notSystem.Error!.SqlState).IsEqualTo("0A000");
    }

    [Test]
    public async Task Regex_operators_match_as_postgresql()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string[][] rows = Text(await Run(s, "SELECT 'abc' ~ '^a', 'abc' !~ '^a', 'ABC' ~* 'b', 'ABC' !~* 'b', 'abc' OPERATOR(pg_catalog.~) 'c$', NULL::text ~ 'a'"));
        await Assert.That(string.Join("|", rows[0])).IsEqualTo("t|f|t|f|t|NULL");
    }

    [Test]
    public async Task Catalog_functions_answer_from_the_snapshot()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string oid = await OidOf(s, "t1");
        string[][] rows = Text(await Run(s, $"SELECT pg_catalog.format_type(23, -1), format_type(1043, 24), format_type(1007, NULL), pg_table_is_visible({oid}), "
            + "pg_get_userbyid(10), pg_encoding_to_char(6), obj_description(1), has_table_privilege('t1', 'SELECT'), array_to_string(current_schemas(true), ',')"));
        await Assert.That(string.Join("|", rows[0])).IsEqualTo("integer|character varying(20)|integer[]|t|thunder|UTF8|NULL|t|pg_catalog,public");
    }

    [Test]
    public async Task Psql_du_lists_the_superuser_and_the_empty_footers_of_d_run()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string[][] roles = Text(await Run(s, PsqlQueries.ListRoles));
        await Assert.That(string.Join("|", roles.Single())).IsEqualTo("thunder|t|t|t|t|t|-1|NULL|{}|t|t");
        string oid = await OidOf(s, "t1");
        await Assert.That(Text(await Run(s, PsqlQueries.DescribePolicies.Replace("{0}", oid, StringComparison.Ordinal).Replace("{{0}}", "{0}", StringComparison.Ordinal))).Length).IsEqualTo(0);
        await Assert.That(Text(await Run(s, PsqlQueries.DescribeStatistics.Replace("{0}", oid, StringComparison.Ordinal))).Length).IsEqualTo(0);
    }

    [Test]
    public async Task Any_over_arrays_array_subqueries_and_regclass_literals()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        await Run(s, "CREATE SEQUENCE s1");
        string oid = await OidOf(s, "t1");
        string[][] rows = Text(await Run(s, "SELECT 2 = ANY('{1,2}'), 3 = ANY(ARRAY(SELECT id FROM t1)), 'x' <> ALL('{a,b}'), NULL::int = ANY('{1}'), "
            + "'t1'::regclass, 'public.t1'::pg_catalog.regclass = " + oid + ", nextval('s1'::regclass)"));
        await Assert.That(string.Join("|", rows[0])).IsEqualTo($"t|f|t|NULL|{oid}|t|1");
        BatchResult missing = await s.ExecuteAsync("SELECT 'nope'::regclass");
        await Assert.That(missing.Error!.SqlState).IsEqualTo("42P01");
    }

    [Test]
    public async Task Psql_d_publication_and_partition_footers_run_and_are_empty()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string oid = await OidOf(s, "t1");
        await Assert.That(Text(await Run(s, PsqlQueries.DescribePublications.Replace("{0}", oid, StringComparison.Ordinal))).Length).IsEqualTo(0);
        await Assert.That(Text(await Run(s, PsqlQueries.DescribePartitions.Replace("{0}", oid, StringComparison.Ordinal))).Length).IsEqualTo(0);
    }

    [Test]
    public async Task Set_functions_in_from_and_array_subscripts()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string[][] rows = Text(await Run(s, "SELECT g, ('{10,20,30}'::int[])[g] FROM generate_series(0, 4) g ORDER BY g"));
        await Assert.That(rows.Select(r => string.Join("|", r)).ToArray()).IsEquivalentTo(["0|NULL", "1|10", "2|20", "3|30", "4|NULL"]);
        string[][] down = Text(await Run(s, "SELECT string_agg(x::text, ',') FROM pg_catalog.generate_series(5, 1, -2) AS s(x)"));
        await Assert.That(down[0][0]).IsEqualTo("5,3,1");
        string[][] unnest = Text(await Run(s, "SELECT count(*) FROM unnest('{a,b,c}'::text[])"));
        await Assert.That(unnest[0][0]).IsEqualTo("3");
        // correlated: the arguments see the enclosing row
        string[][] correlated = Text(await Run(s, "SELECT n, (SELECT count(*) FROM generate_series(1, n)) FROM (VALUES (2), (3)) v(n) ORDER BY n"));
        await Assert.That(correlated.Select(r => string.Join("|", r)).ToArray()).IsEquivalentTo(["2|2", "3|3"]);
    }

    [Test]
    public async Task Psql_d_sequence_finds_the_owning_column_through_pg_depend()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        await Run(s, "CREATE TABLE counted (id serial PRIMARY KEY)");
        string[][] seq = Text(await Run(s, "SELECT oid, relkind FROM pg_class WHERE relname = 'counted_id_seq'"));
        await Assert.That(seq[0][1]).IsEqualTo("S");
        string[][] owner = Text(await Run(s, PsqlQueries.SequenceOwner.Replace("{0}", seq[0][0], StringComparison.Ordinal)));
        await Assert.That(string.Join("|", owner.Single())).IsEqualTo("public.counted.id|a");
        string[][] defaults = Text(await Run(s, "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'counted'::regclass"));
        await Assert.That(defaults[0][0]).StartsWith("nextval(");
    }

    [Test]
    public async Task Pgbench_partition_probe_runs_through_a_lateral_join()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        await Run(s, "CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))");
        const string probe = "select o.n, p.partstrat, pg_catalog.count(i.inhparent) "
            + "from pg_catalog.pg_class as c "
            + "join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) "
            + "cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) "
            + "left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) "
            + "left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) "
            + "where c.relname = 'pgbench_accounts' and o.n is not null "
            + "group by 1, 2 "
            + "order by 1 asc "
            + "limit 1";
        string[][] rows = Text(await Run(s, probe));
        // public is second in current_schemas(true) (pg_catalog first); not partitioned: NULL strategy, 0 partitions
        await Assert.That(string.Join("|", rows.Single())).IsEqualTo("2|NULL|0");
        string[][] lateral = Text(await Run(s, "SELECT v.x, l.y FROM (VALUES (1), (2)) v(x) LEFT JOIN LATERAL (SELECT v.x * 10 AS y WHERE v.x > 1) l ON true ORDER BY 1"));
        await Assert.That(lateral.Select(r => string.Join("|", r)).ToArray()).IsEquivalentTo(["1|NULL", "2|20"]);
    }

    [Test]
    public async Task Pgjdbc_type_lookup_by_oid_runs()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        // pgjdbc TypeInfoCache: the type of an OID it does not know statically, with its search-path rank
        const string query = "SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid "
            + "  FROM pg_catalog.pg_type "
            + "  LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r "
            + "          from pg_namespace as ns "
            + "          join ( select s.r, (current_schemas(false))[s.r] as nspname "
            + "                   from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r "
            + "         using ( nspname ) "
            + "       ) as sp "
            + "    ON sp.nspoid = typnamespace "
            + " WHERE pg_type.oid = {0} "
            + " ORDER BY sp.r, pg_type.oid DESC";
        string[][] array = Text(await Run(s, query.Replace("{0}", "1007", StringComparison.Ordinal)));
        await Assert.That(string.Join("|", array.Single())).IsEqualTo("t|b|_int4|1007");
        string[][] scalar = Text(await Run(s, query.Replace("{0}", "23", StringComparison.Ordinal)));
        await Assert.That(string.Join("|", scalar.Single())).IsEqualTo("f|b|int4|23");
        BatchResult missing = await s.ExecuteAsync("SELECT 'no_such_fn'::regproc");
        await Assert.That(missing.Error!.SqlState).IsEqualTo("42883");
    }

    [Test]
    public async Task A_view_over_the_catalog_describes_itself_without_recursing()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        await Run(s, "CREATE VIEW cols AS SELECT attname, attnum FROM pg_catalog.pg_attribute");
        string[][] rows = Text(await Run(s, "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = 'cols' ORDER BY a.attnum"));
        await Assert.That(rows.Select(r => r[0]).ToArray()).IsEquivalentTo(["attname", "attnum"]);
        string[][] info = Text(await Run(s, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'cols'"));
        await Assert.That(info[0][0]).IsEqualTo("2");
    }

    [Test]
    public async Task Reg_types_cast_to_text_print_names()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        string oid = await OidOf(s, "t1");
        string[][] rows = Text(await Run(s, $"SELECT {oid}::regclass::text, 'pg_class'::regclass::text, 1043::oid::pg_catalog.regtype::pg_catalog.text, "
            + "2200::oid::regnamespace::text, 999999::oid::regclass::text"));
        await Assert.That(string.Join("|", rows[0])).IsEqualTo("t1|pg_class|character varying|public|999999");
    }
}

public class CatalogSystemColumnTests
{
    private static async Task<BatchResult> Run(string sql)
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        return await engine.OpenSession("thunder").ExecuteAsync(sql);
    }

    [Test]
    public async Task A_catalog_tables_tableoid_is_found_by_name_but_not_in_star_or_natural_joins()
    {
        BatchResult star = await Run("SELECT * FROM pg_language ORDER BY oid");
        await Assert.That(star.Results[0].Columns!.Count).IsEqualTo(9);
        await Assert.That(star.Results[0].Rows!.Select(r => r[1].ToString())).IsEquivalentTo(new[] { "internal", "c", "sql" });

        BatchResult named = await Run("SELECT l.tableoid, tableoid, 'pg_language'::regclass::oid FROM pg_language l LIMIT 1");
        await Assert.That(named.Results[0].Rows![0].Select(v => v.ToString())).IsEquivalentTo(new[] { "2612", "2612", "2612" });

        // both sides have tableoid, but a natural join compares the catalogs' own columns only
        BatchResult natural = await Run("SELECT count(*) FROM pg_am a NATURAL JOIN pg_am b");
        await Assert.That(natural.Results[0].Rows![0][0].ToString()).IsEqualTo("2");

        BatchResult ambiguous = await Run("SELECT tableoid FROM pg_am, pg_language");
        await Assert.That(ambiguous.Error?.SqlState).IsEqualTo("42702");
    }

    [Test]
    public async Task A_system_view_has_no_tableoid_and_absent_features_list_no_rows()
    {
        BatchResult view = await Run("SELECT tableoid FROM pg_roles");
        await Assert.That(view.Error?.SqlState).IsEqualTo("42703");

        foreach (string catalog in new[] { "pg_conversion", "pg_foreign_server", "pg_foreign_data_wrapper", "pg_db_role_setting", "pg_ts_config",
            "pg_event_trigger", "pg_largeobject_metadata", "pg_default_acl", "pg_shdescription" })
        {
            BatchResult empty = await Run($"SELECT count(*) FROM {catalog}");
            await Assert.That(empty.Error).IsNull().Because(catalog);
            await Assert.That(empty.Results[0].Rows![0][0].ToString()).IsEqualTo("0").Because(catalog);
        }

        BatchResult location = await Run("SELECT spcname, pg_tablespace_location(oid) FROM pg_tablespace ORDER BY 1");
        await Assert.That(location.Results[0].Rows!.Select(r => $"{r[0]}:{r[1]}")).IsEquivalentTo(new[] { "pg_default:", "pg_global:" });

        BatchResult role = await Run("SELECT pg_has_role('pg_read_all_stats', 'USAGE'), pg_has_role('thunder', 'thunder', 'MEMBER WITH ADMIN OPTION, set')");
        await Assert.That(role.Results[0].Rows![0].Select(v => v.AsBool)).IsEquivalentTo(new[] { true, true });
        BatchResult badPrivilege = await Run("SELECT pg_has_role('thunder', 'OWN')");
        await Assert.That(badPrivilege.Error?.SqlState).IsEqualTo("22023");
        await Assert.That(badPrivilege.Error?.Message).IsEqualTo("unrecognized privilege type: \"OWN\"");
    }
}
