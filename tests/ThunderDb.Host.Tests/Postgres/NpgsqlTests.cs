using System.Collections;
using Npgsql;
using NpgsqlTypes;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>Npgsql 10 with its default connection string against the published binary: types, parameters, batches, transactions, errors.</summary>
[NotInParallel("thunderdb-process")]
public sealed class NpgsqlTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    internal static string ConnectionString(RunningServer server, string extra = "") =>
        $"Host=127.0.0.1;Port={server.PgPort};Username=thunder;Database=postgres;Timeout=10;Command Timeout=30;Include Error Detail=true{extra}";

    internal static async Task<NpgsqlConnection> OpenAsync(RunningServer server, CancellationToken ct, string extra = "")
    {
        var conn = new NpgsqlConnection(ConnectionString(server, extra));
        await conn.OpenAsync(ct);
        return conn;
    }

    internal static async Task<object?> ScalarAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync(ct);
    }

    internal static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static readonly DateTime Timestamp = new(2024, 2, 29, 13, 14, 15, 123, DateTimeKind.Unspecified);
    private static readonly DateTime TimestampUtc = new(2024, 2, 29, 13, 14, 15, 456, DateTimeKind.Utc);

    /// <summary>One value per column; each row inserted once with binary parameters and once with literals (text).</summary>
    private static readonly (string Column, string Type, object Value, string Literal)[] Columns =
    [
        ("c_int2", "int2", (short)-12345, "-12345"),
        ("c_int4", "int4", int.MinValue, "-2147483648"),
        ("c_int8", "int8", long.MaxValue, "9223372036854775807"),
        ("c_float4", "float4", 1.5f, "1.5"),
        ("c_float8", "float8", -2.25e300, "'-2.25e300'"),
        ("c_numeric", "numeric", 12345678901234567.8901234567m, "12345678901234567.8901234567"),
        ("c_small", "numeric", 0.0000000000000000000000000001m, "0.0000000000000000000000000001"),
        ("c_bool", "bool", true, "true"),
        ("c_text", "text", "h\u00e9llo \u2603 'quoted'", "'h\u00e9llo \u2603 ''quoted'''"),
        ("c_varchar", "varchar(10)", "short", "'short'"),
        ("c_char", "char(3)", "ab ", "'ab'"),
        ("c_bytea", "bytea", new byte[] { 0, 1, 2, 254, 255 }, "'\\x000102feff'"),
        ("c_date", "date", new DateOnly(2024, 2, 29), "'2024-02-29'"),
        ("c_time", "time", new TimeOnly(23, 59, 58, 123), "'23:59:58.123'"),
        ("c_ts", "timestamp", Timestamp, "'2024-02-29 13:14:15.123'"),
        ("c_tstz", "timestamptz", TimestampUtc, "'2024-02-29 13:14:15.456+00'"),
        ("c_interval", "interval", new NpgsqlInterval(14, 3, 4_005_006), "'1 year 2 mons 3 days 00:00:04.005006'"),
        ("c_uuid", "uuid", Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), "'0f8fad5b-d9cb-469f-a165-70867728950e'"),
        ("c_json", "json", "{\"a\": [1, 2]}", "'{\"a\": [1, 2]}'"),
        ("c_oid", "oid", 4_000_000_000u, "4000000000"),
        ("c_int4s", "int4[]", new int?[] { 1, null, -3 }, "'{1,NULL,-3}'"),
        ("c_texts", "text[]", new string?[] { "a b", null, "\"q\"", "" }, "ARRAY['a b', NULL, '\"q\"', '']"),
        ("c_empty", "int8[]", Array.Empty<long>(), "'{}'"),
    ];

    [Test]
    [Timeout(120_000)]
    public async Task Every_type_round_trips_through_binary_parameters_and_text_literals(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var conn = await OpenAsync(server, ct);
        await ExecAsync(conn, "CREATE TABLE t (id int PRIMARY KEY, " + string.Join(", ", Columns.Select(c => $"{c.Column} {c.Type}")) + ", c_jsonb jsonb)", ct);

        await using (var insert = new NpgsqlCommand(
            "INSERT INTO t VALUES (1, " + string.Join(", ", Columns.Select((_, i) => $"${i + 1}")) + $", ${Columns.Length + 1})", conn))
        {
            foreach (var c in Columns)
            {
                insert.Parameters.Add(c.Type == "oid" ? new NpgsqlParameter { Value = c.Value, NpgsqlDbType = NpgsqlDbType.Oid } : new NpgsqlParameter { Value = c.Value });
            }

            insert.Parameters.Add(new NpgsqlParameter { Value = "{\"k\": true}", NpgsqlDbType = NpgsqlDbType.Jsonb });
            await insert.ExecuteNonQueryAsync(ct);
        }

        await ExecAsync(conn, "INSERT INTO t VALUES (2, " + string.Join(", ", Columns.Select(c => c.Literal)) + ", '{\"k\": true}')", ct);
        await ExecAsync(conn, "INSERT INTO t (id) VALUES (3)", ct);

        // binary results (Npgsql's default)
        await using (var select = new NpgsqlCommand("SELECT * FROM t ORDER BY id", conn))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            for (int row = 1; row <= 2; row++)
            {
                await Assert.That(await reader.ReadAsync(ct)).IsTrue();
                for (int i = 0; i < Columns.Length; i++)
                {
                    // an interval with months has no TimeSpan: read it as NpgsqlInterval
                    // and an int4[] with NULLs as int?[]
                    object got = Columns[i].Value switch
                    {
                        NpgsqlInterval => reader.GetFieldValue<NpgsqlInterval>(i + 1),
                        int?[] => reader.GetFieldValue<int?[]>(i + 1),
                        _ => reader.GetValue(i + 1),
                    };
                    object expected = Columns[i].Value;
                    await Assert.That(Same(got, expected)).IsTrue().Because($"row {row} {Columns[i].Column}: got {Show(got)}, expected {Show(expected)}");
                }

                await Assert.That(reader.GetString(Columns.Length + 1)).IsEqualTo("{\"k\": true}");
            }

            await Assert.That(await reader.ReadAsync(ct)).IsTrue();
            for (int i = 1; i < reader.FieldCount; i++)
            {
                await Assert.That(reader.IsDBNull(i)).IsTrue();
            }
        }

        // text results: every column read as the server's text output
        await using (var text = new NpgsqlCommand("SELECT c_numeric, c_interval, c_int4s, c_texts, c_bytea, c_tstz, c_jsonb FROM t WHERE id = 1", conn) { AllResultTypesAreUnknown = true })
        await using (var reader = await text.ExecuteReaderAsync(ct))
        {
            await Assert.That(await reader.ReadAsync(ct)).IsTrue();
            await Assert.That(reader.GetString(0)).IsEqualTo("12345678901234567.8901234567");
            await Assert.That(reader.GetString(1)).IsEqualTo("1 year 2 mons 3 days 00:00:04.005006");
            await Assert.That(reader.GetString(2)).IsEqualTo("{1,NULL,-3}");
            await Assert.That(reader.GetString(3)).IsEqualTo("{\"a b\",NULL,\"\\\"q\\\"\",\"\"}");
            await Assert.That(reader.GetString(4)).IsEqualTo("\\x000102feff");
            await Assert.That(reader.GetString(5)).IsEqualTo("2024-02-29 13:14:15.456+00");
            await Assert.That(reader.GetString(6)).IsEqualTo("{\"k\": true}");
        }

        // numeric beyond what ThunderDB holds, NaN, and array lower bounds other than 1: clear errors, the connection stays
        var nan = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "SELECT 'NaN'::numeric", ct));
        await Assert.That(nan!.SqlState).IsIn("0A000", "22P02");
        var huge = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "SELECT 1e40::numeric", ct));
        await Assert.That(huge!.SqlState).IsEqualTo("22003");
        var bounds = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "SELECT '[0:1]={1,2}'::int[]", ct));
        await Assert.That(bounds!.SqlState).IsEqualTo("0A000");
        await Assert.That(bounds.MessageText).Contains("lower bounds");
        // two dimensions work (ArrayDifferentialTests covers them)
        await using (var cmd = new NpgsqlCommand("SELECT $1", conn) { Parameters = { new NpgsqlParameter { Value = new[,] { { 1, 2 }, { 3, 4 } } } } })
        {
            await Assert.That(((int[,])(await cmd.ExecuteScalarAsync(ct))!)[1, 0]).IsEqualTo(3);
        }

        await Assert.That(await ScalarAsync(conn, "SELECT count(*) FROM t", ct)).IsEqualTo(3L);
    }

    private static bool Same(object got, object expected) => (got, expected) switch
    {
        (IEnumerable a, IEnumerable b) when got is not string => a.Cast<object?>().Select(x => x is DBNull ? null : x).SequenceEqual(b.Cast<object?>()),
        _ => Equals(got, expected),
    };

    private static string Show(object o) => o is IEnumerable e and not string ? "[" + string.Join(",", e.Cast<object?>()) + "] " + o.GetType().Name : $"{o} ({o.GetType().Name})";

    [Test]
    [Timeout(90_000)]
    public async Task Parameters_prepared_statements_and_sql_prepare(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var conn = await OpenAsync(server, ct);
        await ExecAsync(conn, "CREATE TABLE kv (k int PRIMARY KEY, v text)", ct);

        await using (var insert = new NpgsqlCommand("INSERT INTO kv VALUES ($1, $2)", conn))
        {
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 0 });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "" });
            await insert.PrepareAsync(ct);
            await Assert.That(insert.IsPrepared).IsTrue();
            for (int i = 1; i <= 20; i++)
            {
                ((NpgsqlParameter<int>)insert.Parameters[0]).TypedValue = i;
                ((NpgsqlParameter<string>)insert.Parameters[1]).TypedValue = "v" + i;
                await Assert.That(await insert.ExecuteNonQueryAsync(ct)).IsEqualTo(1);
            }
        }

        // an untyped parameter: its type is inferred from the column it is compared with
        await using (var inferred = new NpgsqlCommand("SELECT v FROM kv WHERE k = $1", conn) { Parameters = { new NpgsqlParameter { Value = "7", NpgsqlDbType = NpgsqlDbType.Unknown } } })
        {
            await Assert.That(await inferred.ExecuteScalarAsync(ct)).IsEqualTo("v7");
        }

        // named parameters with @ (Npgsql rewrites them to $n)
        await using (var named = new NpgsqlCommand("SELECT count(*) FROM kv WHERE k > @low AND v <> @skip", conn))
        {
            named.Parameters.AddWithValue("low", 10);
            named.Parameters.AddWithValue("skip", "v11");
            await Assert.That(await named.ExecuteScalarAsync(ct)).IsEqualTo(9L);
        }

        await ExecAsync(conn, "PREPARE pick (int) AS SELECT v FROM kv WHERE k = $1", ct);
        await Assert.That(await ScalarAsync(conn, "EXECUTE pick(3)", ct)).IsEqualTo("v3");
        await Assert.That(await ScalarAsync(conn, "EXECUTE pick('4')", ct)).IsEqualTo("v4");
        var duplicate = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "PREPARE pick AS SELECT 1", ct));
        await Assert.That(duplicate!.SqlState).IsEqualTo("42P05");
        var wrongCount = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "EXECUTE pick(1, 2)", ct));
        await Assert.That(wrongCount!.SqlState).IsEqualTo("42601");
        await ExecAsync(conn, "DEALLOCATE pick", ct);
        var gone = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "EXECUTE pick(3)", ct));
        await Assert.That(gone!.SqlState).IsEqualTo("26000");
        await ExecAsync(conn, "PREPARE up (int, text) AS UPDATE kv SET v = $2 WHERE k = $1", ct);
        await ExecAsync(conn, "EXECUTE up(5, 'five')", ct);
        await Assert.That(await ScalarAsync(conn, "SELECT v FROM kv WHERE k = 5", ct)).IsEqualTo("five");
        await ExecAsync(conn, "DEALLOCATE ALL", ct);
    }

    [Test]
    [Timeout(90_000)]
    public async Task A_batch_is_one_round_trip_and_one_implicit_transaction(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var conn = await OpenAsync(server, ct);
        await ExecAsync(conn, "CREATE TABLE b (id int PRIMARY KEY, v int)", ct);

        await using (var batch = new NpgsqlBatch(conn)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("INSERT INTO b VALUES (1, 10), (2, 20)"),
                new NpgsqlBatchCommand("UPDATE b SET v = v + 1 WHERE id = $1") { Parameters = { new NpgsqlParameter { Value = 2 } } },
                new NpgsqlBatchCommand("SELECT sum(v) FROM b"),
            },
        })
        {
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await Assert.That(await reader.ReadAsync(ct)).IsTrue();
            await Assert.That(reader.GetInt64(0)).IsEqualTo(31L);
            await reader.CloseAsync();
            await Assert.That(batch.BatchCommands[0].RecordsAffected).IsEqualTo(2);
            await Assert.That(batch.BatchCommands[1].RecordsAffected).IsEqualTo(1);
        }

        // statement 2 fails: statement 1 of the same batch rolls back with it (the implicit transaction lasts until Sync)
        await using (var failing = new NpgsqlBatch(conn)
        {
            BatchCommands = { new NpgsqlBatchCommand("INSERT INTO b VALUES (3, 30)"), new NpgsqlBatchCommand("INSERT INTO b VALUES (1, 0)"), new NpgsqlBatchCommand("INSERT INTO b VALUES (4, 40)") },
        })
        {
            var e = await Assert.ThrowsAsync<PostgresException>(async () => await failing.ExecuteNonQueryAsync(ct));
            await Assert.That(e!.SqlState).IsEqualTo("23505");
            await Assert.That(e.MessageText).IsEqualTo("duplicate key value violates unique constraint \"b_pkey\"");
        }

        await Assert.That(await ScalarAsync(conn, "SELECT count(*) FROM b", ct)).IsEqualTo(2L);

        // BEGIN inside a batch makes the earlier statements part of the block; the batch leaves it open
        await using (var open = new NpgsqlBatch(conn) { BatchCommands = { new NpgsqlBatchCommand("INSERT INTO b VALUES (5, 50)"), new NpgsqlBatchCommand("BEGIN"), new NpgsqlBatchCommand("INSERT INTO b VALUES (6, 60)") } })
        {
            await open.ExecuteNonQueryAsync(ct);
        }

        await ExecAsync(conn, "ROLLBACK", ct);
        await Assert.That(await ScalarAsync(conn, "SELECT count(*) FROM b", ct)).IsEqualTo(2L);
    }

    [Test]
    [Timeout(90_000)]
    public async Task Transactions_and_savepoints(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var conn = await OpenAsync(server, ct);
        await ExecAsync(conn, "CREATE TABLE s (id int PRIMARY KEY)", ct);

        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await ExecAsync(conn, "INSERT INTO s VALUES (1)", ct);
            await tx.SaveAsync("a", ct);
            await ExecAsync(conn, "INSERT INTO s VALUES (2)", ct);
            await tx.SaveAsync("b", ct);
            await ExecAsync(conn, "INSERT INTO s VALUES (3)", ct);
            await tx.RollbackAsync("b", ct);
            await Assert.That(await ScalarAsync(conn, "SELECT count(*) FROM s", ct)).IsEqualTo(2L);
            await tx.ReleaseAsync("a", ct);
            var released = await Assert.ThrowsAsync<PostgresException>(async () => await tx.RollbackAsync("a", ct));
            await Assert.That(released!.SqlState).IsEqualTo("3B001");
            await Assert.That(released.MessageText).IsEqualTo("savepoint \"a\" does not exist");
            await tx.RollbackAsync(ct);
        }

        await Assert.That(await ScalarAsync(conn, "SELECT count(*) FROM s", ct)).IsEqualTo(0L);

        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await ExecAsync(conn, "INSERT INTO s VALUES (10)", ct);
            await tx.SaveAsync("before_error", ct);
            var dup = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "INSERT INTO s VALUES (10)", ct));
            await Assert.That(dup!.SqlState).IsEqualTo("23505");
            var aborted = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "SELECT 1", ct));
            await Assert.That(aborted!.SqlState).IsEqualTo("25P02");
            // ROLLBACK TO ends the failed state; the work before the savepoint stays
            await tx.RollbackAsync("before_error", ct);
            await ExecAsync(conn, "INSERT INTO s VALUES (11)", ct);
            await tx.CommitAsync(ct);
        }

        await Assert.That(await ScalarAsync(conn, "SELECT sum(id) FROM s", ct)).IsEqualTo(21L);
        var outside = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "SAVEPOINT x", ct));
        await Assert.That(outside!.SqlState).IsEqualTo("25P01");
        await Assert.That(outside.MessageText).IsEqualTo("SAVEPOINT can only be used in transaction blocks");
    }

    [Test]
    [Timeout(90_000)]
    public async Task Errors_carry_sqlstate_message_detail_and_position(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var conn = await OpenAsync(server, ct);
        await ExecAsync(conn, "CREATE TABLE e (id int PRIMARY KEY)", ct);
        await ExecAsync(conn, "INSERT INTO e VALUES (1)", ct);

        var dup = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "INSERT INTO e VALUES (1)", ct));
        await Assert.That(dup!.SqlState).IsEqualTo("23505");
        await Assert.That(dup.MessageText).IsEqualTo("duplicate key value violates unique constraint \"e_pkey\"");
        await Assert.That(dup.Detail).IsEqualTo("Key (id)=(1) already exists.");
        await Assert.That(dup.Severity).IsEqualTo("ERROR");

        var syntax = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "SELECT * FRM e", ct));
        await Assert.That(syntax!.SqlState).IsEqualTo("42601");
        await Assert.That(syntax.Position).IsEqualTo(10);

        var missing = await Assert.ThrowsAsync<PostgresException>(async () => await ScalarAsync(conn, "SELECT nope FROM e", ct));
        await Assert.That(missing!.SqlState).IsEqualTo("42703");
        await Assert.That(missing.Position).IsEqualTo(8);
        await Assert.That(await ScalarAsync(conn, "SELECT count(*) FROM e", ct)).IsEqualTo(1L);
    }

    [Test]
    [Timeout(90_000)]
    public async Task Cancel_and_cancellation_token_stop_pg_sleep_with_57014(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var conn = await OpenAsync(server, ct);

        await using (var cmd = new NpgsqlCommand("SELECT pg_sleep(10)", conn))
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            _ = Task.Delay(300, ct).ContinueWith(_ => cmd.Cancel(), ct, TaskContinuationOptions.None, TaskScheduler.Default);
            var e = await Assert.ThrowsAsync<OperationCanceledException>(async () => await cmd.ExecuteNonQueryAsync(ct));
            await Assert.That(e!.InnerException is PostgresException { SqlState: "57014" }).IsTrue().Because(e.ToString());
            await Assert.That(started.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
        }

        await Assert.That(await ScalarAsync(conn, "SELECT 1 + 1", ct)).IsEqualTo(2);

        using (var token = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            token.CancelAfter(300);
            var started = System.Diagnostics.Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<OperationCanceledException>(async () => await ScalarAsync(conn, "SELECT pg_sleep(10)", token.Token));
            await Assert.That(e!.InnerException is PostgresException { SqlState: "57014" }).IsTrue().Because(e.ToString());
            await Assert.That(started.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
        }

        await Assert.That(await ScalarAsync(conn, "SELECT 'still here'", ct)).IsEqualTo("still here");
        var started2 = System.Diagnostics.Stopwatch.StartNew();
        await ExecAsync(conn, "SELECT pg_sleep(0.2)", ct);
        await Assert.That(started2.Elapsed).IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190));
    }
}
