using System.Text;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;
using static ThunderDb.Core.Tests.Sql.Engine.ForeignKeyTests;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>COPY through the session API with an in-memory channel; VACUUM and ANALYZE.</summary>
public class CopySessionTests
{
    /// <summary>A client in memory: its input cut into chunks, its output collected.</summary>
    private sealed class MemoryChannel(params string[] chunks) : ICopyChannel
    {
        private readonly Queue<byte[]> _input = new(chunks.Select(Encoding.UTF8.GetBytes));

        public StringBuilder Output { get; } = new();

        public List<string> Events { get; } = [];

        public string? FailWith { get; init; }

        public ValueTask BeginCopyInAsync(CopyFormat format, int columns, CancellationToken cancellationToken)
        {
            Events.Add($"in {format} {columns}");
            return ValueTask.CompletedTask;
        }

        public ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken) =>
            _input.Count > 0 ? ValueTask.FromResult<ReadOnlyMemory<byte>>(_input.Dequeue())
            : FailWith is not null ? throw new SqlException(SqlState.QueryCanceled, "COPY from stdin failed: " + FailWith)
            : ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);

        public void AbandonCopyIn() => Events.Add("abandoned");

        public void BeginCopyOut(CopyFormat format, int columns) => Events.Add($"out {format} {columns}");

        public void Write(ReadOnlySpan<byte> data) => Output.Append(Encoding.UTF8.GetString(data));

        public void WriteBinaryRow(ReadOnlySpan<SqlValue> row, IReadOnlyList<SqlType> types) => throw new NotSupportedException();

        public ValueTask FlushIfLargeAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void EndCopyOut() => Events.Add("done");

        public SqlValue DecodeBinary(ReadOnlySpan<byte> field, SqlType type) => throw new NotSupportedException();

        public bool HasBinaryFormat(SqlType type) => false;
    }

    /// <summary>A simple Query's client: each result as it ends, into the channel's event list.</summary>
    private sealed class EventStream(List<string> events) : IStatementStream
    {
        public void Begin(IReadOnlyList<ThunderDb.Core.Sql.Execution.PlanColumn> columns) => events.Add($"columns {columns.Count}");

        public void Row(ReadOnlySpan<SqlValue> row) => events.Add("row");

        public void Completed(StatementResult result) => events.Add(result.CommandTag);
    }

    [Test]
    public async Task Copy_from_applies_defaults_serials_and_checks_like_insert()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int DEFAULT 5 CHECK (qty >= 0), note varchar(4))");
        s.CopyChannel = new MemoryChannel("apple\t1\t\\N\npear", "\t\\N\tok\n\\.\n");
        StatementResult r = await Ok(s, "COPY items (name, qty, note) FROM STDIN");
        await Assert.That(r.CommandTag).IsEqualTo("COPY 2");
        s.CopyChannel = new MemoryChannel("plum\n");
        await Ok(s, "COPY items (name) FROM STDIN");
        await Assert.That(await Query(s, "SELECT id, name, qty, note FROM items ORDER BY id")).IsEqualTo("1,apple,1,null;2,pear,null,ok;3,plum,5,null");
    }

    [Test]
    public async Task A_bad_line_fails_the_whole_copy_with_postgresql_context_and_leaves_nothing()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE t (k int PRIMARY KEY, x int CHECK (x < 100), s varchar(3))");
        (string Data, string State, string Message, string Where)[] cases =
        [
            ("1\t1\ta\n2\t2\tb\n3\tzz\tc\n", "22P02", "invalid input syntax for type integer: \"zz\"", "COPY t, line 3, column x: \"zz\""),
            ("1\t1\ta\n1\t2\tb\n", "23505", "duplicate key value violates unique constraint \"t_pkey\"", "COPY t, line 2"), // PostgreSQL's buffered insert shows no line text
            ("1\t500\ta\n", "23514", "new row for relation \"t\" violates check constraint \"t_x_check\"", "COPY t, line 1: \"1\t500\ta\""),
            ("\\N\t1\ta\n", "23502", "null value in column \"k\" of relation \"t\" violates not-null constraint", "COPY t, line 1: \"\\N\t1\ta\""),
            ("1\t1\n", "22P04", "missing data for column \"s\"", "COPY t, line 1: \"1\t1\""),
            ("1\t1\ta\tb\n", "22P04", "extra data after last expected column", "COPY t, line 1: \"1\t1\ta\tb\""),
            ("1\t1\tlong\n", "22001", "value too long for type character varying(3)", "COPY t, line 1, column s: \"long\""),
        ];
        foreach ((string data, string state, string message, string where) in cases)
        {
            var channel = new MemoryChannel(data);
            s.CopyChannel = channel;
            SqlException e = await Err(s, "COPY t FROM STDIN");
            await Assert.That(e.SqlState).IsEqualTo(state).Because(data);
            await Assert.That(e.Message).IsEqualTo(message).Because(data);
            await Assert.That(e.Where).IsEqualTo(where).Because(data);
            await Assert.That(channel.Events).Contains("abandoned");
            await Assert.That(await Query(s, "SELECT count(*) FROM t")).IsEqualTo("0");
        }

        s.CopyChannel = new MemoryChannel("1\t1\ta\n") { FailWith = "user gave up" };
        SqlException failed = await Err(s, "COPY t FROM STDIN");
        await Assert.That(failed.SqlState).IsEqualTo("57014");
        await Assert.That(failed.Message).IsEqualTo("COPY from stdin failed: user gave up");
        await Assert.That(await Query(s, "SELECT count(*) FROM t")).IsEqualTo("0");
    }

    [Test]
    public async Task Csv_header_match_force_options_and_copy_to_round_trip()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE c (id int, a text, b text)");
        s.CopyChannel = new MemoryChannel("id,a,b\n1,,\"\"\n2,\"x,\"\"y\"\"\",\"multi\nline\"\n");
        await Ok(s, "COPY c FROM STDIN WITH (FORMAT csv, HEADER match, FORCE_NOT_NULL (a), FORCE_NULL (b))");
        await Assert.That(await Query(s, "SELECT id, a IS NULL, b IS NULL, a FROM c ORDER BY id")).IsEqualTo("1,f,t,;2,f,f,x,\"y\"");

        s.CopyChannel = new MemoryChannel("id,b,a\n");
        SqlException mismatch = await Err(s, "COPY c FROM STDIN (FORMAT csv, HEADER match)");
        await Assert.That(mismatch.Message).IsEqualTo("column name mismatch in header line field 2: got \"b\", expected \"a\"");
        SqlException forceUnknown = await Err(s, "COPY c (id) FROM STDIN (FORMAT csv, FORCE_NULL (a))");
        await Assert.That(forceUnknown.SqlState).IsEqualTo("42P10");

        var output = new MemoryChannel();
        s.CopyChannel = output;
        StatementResult r = await Ok(s, "COPY c TO STDOUT WITH CSV HEADER");
        await Assert.That(r.CommandTag).IsEqualTo("COPY 2");
        await Assert.That(output.Output.ToString()).IsEqualTo("id,a,b\n1,\"\",\n2,\"x,\"\"y\"\"\",\"multi\nline\"\n");
        await Assert.That(output.Events).IsEquivalentTo(new[] { "out Csv 3", "done" });

        var query = new MemoryChannel();
        s.CopyChannel = query;
        await Ok(s, "COPY (SELECT id * 10, b FROM c ORDER BY id DESC) TO STDOUT");
        await Assert.That(query.Output.ToString()).IsEqualTo("20\tmulti\\nline\n10\t\\N\n");

        // a COPY after other statements in one batch: their results go out first
        var batch = new MemoryChannel("3\tq\tr\n");
        s.CopyChannel = batch;
        BatchResult streamed = await s.ExecuteAsync("SELECT 1; COPY c FROM STDIN; SELECT 2", new EventStream(batch.Events));
        await Assert.That(streamed.Error).IsNull();
        await Assert.That(streamed.Sent).IsEqualTo(3);
        await Assert.That(string.Join(" | ", batch.Events)).IsEqualTo("columns 1 | row | SELECT 1 | in Text 3 | COPY 1 | columns 1 | row | SELECT 1");
    }

    [Test]
    public async Task Copy_from_a_server_file_or_program_and_without_a_channel_is_refused()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE f (id int)");
        SqlException none = await Err(s, "COPY f FROM STDIN");
        await Assert.That(none.SqlState).IsEqualTo("0A000");
        SqlException file = await Err(s, "COPY f FROM '/etc/passwd'");
        await Assert.That(file.SqlState).IsEqualTo("0A000");
        await Assert.That(file.Message).IsEqualTo("COPY from a file on the server is not supported");
        SqlException program = await Err(s, "COPY f TO PROGRAM 'cat'");
        await Assert.That(program.Message).IsEqualTo("COPY to a program on the server is not supported");
        s.CopyChannel = new MemoryChannel();
        SqlException missing = await Err(s, "COPY nope FROM STDIN");
        await Assert.That(missing.SqlState).IsEqualTo("42P01");
    }

    [Test]
    public async Task Vacuum_and_analyze_record_live_rows_and_vacuum_refuses_a_transaction_block()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Ok(s, "CREATE TABLE v (id int PRIMARY KEY, x int)");
        await Ok(s, "INSERT INTO v SELECT g, g FROM generate_series(1, 50) g");
        await Ok(s, "UPDATE v SET x = x + 1");
        await Ok(s, "DELETE FROM v WHERE id > 40");
        await Assert.That(await Query(s, "SELECT reltuples FROM pg_class WHERE relname = 'v'")).IsEqualTo("-1");
        StatementResult verbose = await Ok(s, "VACUUM (VERBOSE, ANALYZE) v");
        await Assert.That(verbose.CommandTag).IsEqualTo("VACUUM");
        await Assert.That(verbose.Notices!.Single()).StartsWith("vacuuming \"public.v\": removed ");
        await Assert.That(await Query(s, "SELECT reltuples FROM pg_class WHERE relname = 'v'")).IsEqualTo("40");
        await Assert.That(await Query(s, "SELECT n_live_tup, vacuum_count, analyze_count, last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'v'"))
            .IsEqualTo("40,1,1,t");
        IReadOnlyList<MaintenanceOutcome> outcomes = await s.VacuumAsync([new ThunderDb.Core.Sql.Syntax.ObjectName(["v"])], analyze: false);
        await Assert.That(outcomes.Single().LiveRows).IsEqualTo(40);

        await Ok(s, "INSERT INTO v VALUES (100, 1)");
        await Assert.That((await Ok(s, "ANALYZE v")).CommandTag).IsEqualTo("ANALYZE");
        await Assert.That(await Query(s, "SELECT reltuples FROM pg_class WHERE relname = 'v'")).IsEqualTo("41");
        await Ok(s, "VACUUM");
        await Ok(s, "VACUUM FULL FREEZE VERBOSE ANALYZE v");

        SqlException unknown = await Err(s, "VACUUM nope");
        await Assert.That(unknown.SqlState).IsEqualTo("42P01");
        await Ok(s, "BEGIN");
        SqlException inBlock = await Err(s, "VACUUM v");
        await Assert.That(inBlock.SqlState).IsEqualTo("25001");
        await Assert.That(inBlock.Message).IsEqualTo("VACUUM cannot run inside a transaction block");
        await Ok(s, "ROLLBACK");
        await Ok(s, "BEGIN");
        await Ok(s, "ANALYZE v");
        await Ok(s, "COMMIT");
    }
}
