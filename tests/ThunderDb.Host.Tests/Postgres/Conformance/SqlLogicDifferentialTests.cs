using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Postgres.Differential;
using ThunderDb.Host.Tests.Resp;
using ThunderDb.SqlLogicTest;

namespace ThunderDb.Host.Tests.Postgres.Conformance;

/// <summary>
/// The whole sqllogictest corpus (shared/conformance/sqllogictest) over the PostgreSQL protocol, against a private
/// PostgreSQL 15 (a fresh database per file) and the published ThunderDB binary (a fresh server per file), with the same
/// runner and engine name <c>postgresql</c>: every record PostgreSQL passes, ThunderDB must pass too. Files run two at a
/// time, and each file on both engines at once; the per-file counts it prints are docs/conformance.md's wire columns.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class SqlLogicDifferentialTests
{
    private static readonly TimeSpan FileBudget = TimeSpan.FromMinutes(4);

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(900_000)]
    public async Task ThunderDb_over_the_wire_passes_every_record_PostgreSQL_15_passes(CancellationToken ct)
    {
        await using var reference = await ReferencePostgres.StartAsync();
        string root = SltCorpus.Directory();
        // Largest files first, so the two lanes finish together.
        string[] files = [.. SltCorpus.Files().OrderByDescending(f => new FileInfo(Path.Combine(root, f)).Length)];
        var results = new ConcurrentDictionary<string, (SltFileResult Pg, SltFileResult Thunder)>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        int next = 0;
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (file, token) =>
        {
            int n = Interlocked.Increment(ref next);
            string path = Path.Combine(root, file);
            Task<SltFileResult> pg = RunOnPostgresAsync(reference, $"slt_{n}", path, file, token);
            Task<SltFileResult> thunder = RunOnThunderDbAsync(path, file, token);
            results[file] = (await pg, await thunder);
        });

        var regressions = new List<string>();
        Console.WriteLine($"sqllogictest over the wire, {files.Length} files in {clock.Elapsed.TotalSeconds:0} s");
        Console.WriteLine("| file | records | PostgreSQL 15 | ThunderDB (wire) |");
        foreach (string file in SltCorpus.Files())
        {
            (SltFileResult pg, SltFileResult thunder) = results[file];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {file} | {pg.Records.Count} | {pg.Passed} | {thunder.Passed} | ({pg.Elapsed.TotalSeconds:0.0} s / {thunder.Elapsed.TotalSeconds:0.0} s)"));
            var thunderByLine = thunder.Records.ToDictionary(r => r.Line);
            foreach (SltRecordResult p in pg.Records.Where(r => r.Passed))
            {
                if (!thunderByLine.TryGetValue(p.Line, out SltRecordResult? t) || !t.Passed)
                {
                    regressions.Add($"{file}:{t?.ToString() ?? $"{p.Line}: not run"}");
                }
            }
        }

        // What PostgreSQL itself fails, by reason (the records ThunderDB is not held to).
        foreach (var g in results.Values.SelectMany(r => r.Pg.Failures).GroupBy(f => Reason(f.Reason)).OrderByDescending(g => g.Count()))
        {
            Console.WriteLine($"PostgreSQL 15 fails {g.Count()}: {g.Key} (e.g. {g.First()})");
        }

        foreach (string r in regressions.Take(40))
        {
            Console.WriteLine("PostgreSQL passes, ThunderDB fails: " + r);
        }

        await Assert.That(regressions).IsEmpty();
    }

    /// <summary>A failure reason without its values, to group failures.</summary>
    private static string Reason(string? reason) => reason is null ? "" : reason.StartsWith("expected", StringComparison.Ordinal) ? "wrong result" : reason[..Math.Min(60, reason.Length)];

    private static async Task<SltFileResult> RunOnPostgresAsync(ReferencePostgres reference, string database, string path, string file, CancellationToken ct)
    {
        string server = $"Host=127.0.0.1;Port={reference.Port};Username={reference.User};Timeout=10;Command Timeout=60;Pooling=false";
        await using (var admin = new NpgsqlConnection(server + ";Database=postgres"))
        {
            await admin.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync(ct);
        }

        await using var connection = new NpgsqlConnection(server + $";Database={database}");
        await connection.OpenAsync(ct);
        return await SltRunner.RunFileAsync(path, file, "postgresql", new NpgsqlSltExecutor(connection), FileBudget, ct);
    }

    private static async Task<SltFileResult> RunOnThunderDbAsync(string path, string file, CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={server.PgPort};Username=thunder;Database=postgres;Timeout=10;Command Timeout=60;Pooling=false");
        await connection.OpenAsync(ct);
        return await SltRunner.RunFileAsync(path, file, "postgresql", new NpgsqlSltExecutor(connection), FileBudget, ct);
    }
}
