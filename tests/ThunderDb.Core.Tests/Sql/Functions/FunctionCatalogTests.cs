using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Functions;

/// <summary>The catalog's API as the binder uses it: errors with PostgreSQL's hints, resolved types, volatility, session functions.</summary>
public class FunctionCatalogTests
{
    private static EvalContext Context(long statementMicros = 0) => new([]) { StatementTimestampMicros = statementMicros };

    [Test]
    public async Task Unknown_function_reports_42883_with_postgres_hint()
    {
        var e = Assert.Throws<SqlException>(() => FunctionCatalog.ResolveScalar("foo", [SqlType.Int4]));
        await Assert.That(e.SqlState).IsEqualTo("42883");
        await Assert.That(e.Message).IsEqualTo("function foo(integer) does not exist");
        await Assert.That(e.Hint).IsEqualTo("No function matches the given name and argument types. You might need to add explicit type casts.");

        var wrongTypes = Assert.Throws<SqlException>(() => FunctionCatalog.ResolveScalar("lpad", [SqlType.Varchar(3), SqlType.Bool]));
        await Assert.That(wrongTypes.Message).IsEqualTo("function lpad(character varying, boolean) does not exist");
    }

    [Test]
    public async Task Ambiguous_call_reports_42725_with_postgres_hint()
    {
        var e = Assert.Throws<SqlException>(() => FunctionCatalog.ResolveScalar("date_trunc", [SqlType.Unknown, SqlType.Unknown]));
        await Assert.That(e.SqlState).IsEqualTo("42725");
        await Assert.That(e.Message).IsEqualTo("function date_trunc(unknown, unknown) is not unique");
        await Assert.That(e.Hint).IsEqualTo("Could not choose a best candidate function. You might need to add explicit type casts.");
    }

    [Test]
    public async Task Resolution_reports_the_casts_the_binder_must_insert()
    {
        ScalarFunction length = FunctionCatalog.ResolveScalar("length", [SqlType.Unknown]);
        await Assert.That(length.Parameters[0]).IsEqualTo(SqlType.Text);
        await Assert.That(length.ReturnType).IsEqualTo(SqlType.Int4);

        ScalarFunction round = FunctionCatalog.ResolveScalar("round", [SqlType.Int4]);
        await Assert.That(round.Parameters[0]).IsEqualTo(SqlType.Float8); // int4 -> float8, PostgreSQL's preferred numeric type

        ScalarFunction concat = FunctionCatalog.ResolveScalar("concat", [SqlType.Int4, SqlType.Unknown, SqlType.Bool]);
        await Assert.That(string.Join(", ", concat.Parameters)).IsEqualTo("integer, text, boolean"); // variadic "any" keeps each type
        await Assert.That(concat.Strict).IsFalse();
    }

    [Test]
    public async Task Aggregates_resolve_by_type_and_others_are_not_aggregates()
    {
        await Assert.That(FunctionCatalog.IsAggregate("sum")).IsTrue();
        await Assert.That(FunctionCatalog.IsAggregate("abs")).IsFalse();
        await Assert.That(FunctionCatalog.ResolveAggregate("abs", [SqlType.Int4])).IsNull();
        await Assert.That(FunctionCatalog.ResolveAggregate("sum", [SqlType.Int4])!.ReturnType).IsEqualTo(SqlType.Int8);
        await Assert.That(FunctionCatalog.ResolveAggregate("count", [])!.ReturnType).IsEqualTo(SqlType.Int8);
        await Assert.That(FunctionCatalog.ResolveAggregate("max", [SqlType.Varchar(10)])!.Parameters[0]).IsEqualTo(SqlType.Text);
        var e = Assert.Throws<SqlException>(() => FunctionCatalog.ResolveAggregate("sum", [SqlType.Text]));
        await Assert.That(e.Message).IsEqualTo("function sum(text) does not exist");
    }

    [Test]
    public async Task Array_agg_of_only_nulls_keeps_the_resolved_element_type()
    {
        AggregateFunction f = FunctionCatalog.ResolveAggregate("array_agg", [SqlType.Int4])!;
        IAggregateState state = f.CreateState();
        state.Step([SqlValue.Null]);
        SqlValue result = state.Result();
        await Assert.That(f.ReturnType).IsEqualTo(SqlType.Int4.ArrayOf());
        await Assert.That(result.AsArray.ElementType).IsEqualTo(SqlType.Int4);
        await Assert.That(SqlText.Format(result)).IsEqualTo("{NULL}");
    }

    [Test]
    public async Task Now_is_the_statement_timestamp_and_clock_functions_are_volatile()
    {
        long statement = SqlDateTime.ParseTimestamp("2024-02-29 12:34:56.789", withTimeZone: true);
        ScalarFunction now = FunctionCatalog.ResolveScalar("now", []);
        await Assert.That(now.IsVolatile).IsFalse();
        await Assert.That(SqlText.Format(now.Body([], Context(statement)))).IsEqualTo("2024-02-29 12:34:56.789+00");

        ScalarFunction clock = FunctionCatalog.ResolveScalar("clock_timestamp", []);
        await Assert.That(clock.IsVolatile).IsTrue();
        await Assert.That(clock.Body([], Context(statement)).AsMicros).IsGreaterThan(statement);
    }

    [Test]
    public async Task Age_of_one_timestamp_counts_from_midnight_of_the_statement_day()
    {
        // PostgreSQL: age(timestamp '2024-02-29', timestamp '2024-01-01') = 1 mon 28 days
        ScalarFunction age = FunctionCatalog.ResolveScalar("age", [SqlType.Timestamp]);
        long statement = SqlDateTime.ParseTimestamp("2024-02-29 12:34:56", withTimeZone: false);
        SqlValue since = SqlValue.FromTimestamp(SqlDateTime.ParseTimestamp("2024-01-01", withTimeZone: false));
        await Assert.That(SqlText.Format(age.Body([since], Context(statement)))).IsEqualTo("1 mon 28 days");
    }

    [Test]
    public async Task Version_keeps_the_postgresql_prefix_clients_parse()
    {
        ScalarFunction version = FunctionCatalog.ResolveScalar("version", []);
        await Assert.That(version.Body([], Context()).AsString).IsEqualTo("PostgreSQL 15.0 (ThunderDB 0.1.0) on x86_64-pc-linux-gnu, compiled by .NET");
    }

    [Test]
    public async Task Session_functions_read_the_session_when_evaluated()
    {
        var session = new SessionFunctions("postgres", "alice", ["public"], backendPid: 4242);
        ScalarFunction database = session.Resolve("current_database", []);
        ScalarFunction user = session.Resolve("current_user", []);
        ScalarFunction schema = session.Resolve("current_schema", []);
        ScalarFunction schemas = session.Resolve("current_schemas", [SqlType.Bool]);
        await Assert.That(database.ReturnType).IsEqualTo(SqlType.Name);
        await Assert.That(database.Body([], Context()).AsString).IsEqualTo("postgres");
        await Assert.That(user.Body([], Context()).AsString).IsEqualTo("alice");
        await Assert.That(session.Resolve("pg_backend_pid", []).Body([], Context()).AsInt64).IsEqualTo(4242);
        await Assert.That(SqlText.Format(schemas.Body([SqlValue.FromBool(true)], Context()))).IsEqualTo("{pg_catalog,public}");

        session.SearchPath = ["missing", "app"];
        session.SchemaExists = s => s != "missing";
        session.Database = "other";
        await Assert.That(schema.Body([], Context()).AsString).IsEqualTo("app");
        await Assert.That(database.Body([], Context()).AsString).IsEqualTo("other");
        await Assert.That(SqlText.Format(schemas.Body([SqlValue.FromBool(false)], Context()))).IsEqualTo("{app}");

        session.SchemaExists = _ => false;
        await Assert.That(schema.Body([], Context()).IsNull).IsTrue(); // as PostgreSQL when no search_path schema exists

        // other names fall through to the catalog; session names are refused there rather than answered wrongly
        await Assert.That(session.Resolve("abs", [SqlType.Int4]).ReturnType).IsEqualTo(SqlType.Int4);
        await Assert.That(Assert.Throws<SqlException>(() => FunctionCatalog.ResolveScalar("current_database", [])).SqlState).IsEqualTo("XX000");
        await Assert.That(Assert.Throws<SqlException>(() => session.Resolve("current_user", [SqlType.Int4])).SqlState).IsEqualTo("42883");
    }

    [Test]
    public async Task Invalid_regular_expression_reports_2201B()
    {
        ScalarFunction f = FunctionCatalog.ResolveScalar("regexp_replace", [SqlType.Text, SqlType.Text, SqlType.Text]);
        var e = Assert.Throws<SqlException>(() => f.Body([SqlValue.FromText("a"), SqlValue.FromText("("), SqlValue.FromText("b")], Context()));
        await Assert.That(e.SqlState).IsEqualTo("2201B");
        await Assert.That(e.Message).StartsWith("invalid regular expression: ");
    }

    [Test]
    public async Task Timestamps_beyond_year_9999_are_range_errors_not_crashes()
    {
        ScalarFunction f = FunctionCatalog.ResolveScalar("date_part", [SqlType.Text, SqlType.Timestamp]);
        var e = Assert.Throws<SqlException>(() => f.Body([SqlValue.FromText("year"), SqlValue.FromTimestamp(long.MaxValue)], Context()));
        await Assert.That(e.SqlState).IsEqualTo("22008");
        var epoch = Assert.Throws<SqlException>(() => FunctionHarness.Evaluate("to_timestamp('1e20'::float8)"));
        await Assert.That(epoch.Message).IsEqualTo("timestamp out of range: \"1e+20\"");
    }
}

public class SqlValueFunctionTests
{
    [Test]
    // PostgreSQL: '2024-02-29 12:34:56.789'::timestamptz(0) = 2024-02-29 12:34:57+00, ::timestamp(2) of .785 = .79, '12:34:56.789'::time(1) = 12:34:56.8
    [Arguments("current_date", -1, "2024-02-29")]
    [Arguments("current_timestamp", -1, "2024-02-29 12:34:56.789+00")]
    [Arguments("current_timestamp", 0, "2024-02-29 12:34:57+00")]
    [Arguments("localtimestamp", -1, "2024-02-29 12:34:56.789")]
    [Arguments("localtimestamp", 2, "2024-02-29 12:34:56.79")]
    [Arguments("current_time", -1, "12:34:56.789")]
    [Arguments("localtime", 1, "12:34:56.8")]
    public async Task Read_the_statement_timestamp_rounded_to_the_precision(string name, int precision, string expected)
    {
        ScalarFunction f = FunctionCatalog.ResolveScalar(name, precision < 0 ? [] : [SqlType.Int4]);
        SqlValue[] args = precision < 0 ? [] : [SqlValue.FromInt4(precision)];
        var context = new EvalContext([]) { StatementTimestampMicros = FunctionHarness.StatementTimestamp };
        await Assert.That(SqlText.Format(f.Body(args, context))).IsEqualTo(expected);
        await Assert.That(f.IsVolatile).IsFalse();
    }
}
