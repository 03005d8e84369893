using System.Diagnostics;

namespace ThunderDb.SqlLogicTest;

/// <summary>What a query returned: the number of result columns and the rows, or the error that stopped it.</summary>
public sealed record SltQueryResult(int ColumnCount, IReadOnlyList<SltCell[]> Rows, string? Error = null)
{
    public static SltQueryResult Failed(string error) => new(0, [], error);
}

/// <summary>
/// How the runner reaches an engine: one SQL statement at a time, each on its own (autocommit) as the reference runner's
/// SQLExecDirect. <see cref="ExecuteStatementAsync"/> returns the error text, or null when the statement succeeded.
/// </summary>
public interface ISltExecutor
{
    Task<string?> ExecuteStatementAsync(string sql, CancellationToken ct);

    Task<SltQueryResult> ExecuteQueryAsync(string sql, CancellationToken ct);
}

/// <summary>The outcome of one statement or query record that ran (records skipped for the engine are not counted, as nCmd).</summary>
public sealed record SltRecordResult(int Line, string Sql, bool Passed, string? Reason = null)
{
    public override string ToString() => $"{Line}: {(Passed ? "ok" : Reason)} -- {(Sql.Length > 160 ? Sql[..160] + "..." : Sql).Replace('\n', ' ')}";
}

/// <summary>Every record of one file that ran, in order.</summary>
public sealed class SltFileResult(string file)
{
    public string File { get; } = file;

    public List<SltRecordResult> Records { get; } = [];

    public int Passed => Records.Count(r => r.Passed);

    public IEnumerable<SltRecordResult> Failures => Records.Where(r => !r.Passed);

    public TimeSpan Elapsed { get; internal set; }

    public override string ToString() => $"{File}: {Passed}/{Records.Count} passed in {Elapsed.TotalSeconds:0.0} s";
}

/// <summary>
/// Runs a sqllogictest script in verify mode, as sqllogictest.c does, for the engine named <c>engine</c> (skipif/onlyif
/// match it case-insensitively; <c>halt</c> stops the file). Two deliberate differences from the reference: a result is
/// compared in full (the reference stops at the shorter of result and expected lines, so a query returning no rows
/// matched anything), and a file that runs out of its time budget reports its remaining records as failed.
/// </summary>
public static class SltRunner
{
    /// <summary>sqllogictest.c's DEFAULT_HASH_THRESHOLD, in force until a <c>hash-threshold</c> record.</summary>
    public const int DefaultHashThreshold = 8;

    public static Task<SltFileResult> RunFileAsync(string path, string name, string engine, ISltExecutor executor, TimeSpan budget, CancellationToken ct) =>
        RunAsync(name, SltScript.ParseFile(path), engine, executor, budget, ct);

    public static async Task<SltFileResult> RunAsync(string name, IReadOnlyList<SltRecord> records, string engine, ISltExecutor executor, TimeSpan budget,
        CancellationToken ct)
    {
        var result = new SltFileResult(name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        int threshold = DefaultHashThreshold;
        foreach (SltRecord record in records)
        {
            if (record.SkippedOn(engine))
            {
                RememberSkippedLabel(record, labels);
                continue;
            }

            switch (record.Kind)
            {
                case SltRecordKind.Halt:
                    result.Elapsed = clock.Elapsed;
                    return result;
                case SltRecordKind.HashThreshold:
                    threshold = record.Threshold;
                    continue;
            }

            if (clock.Elapsed > budget)
            {
                result.Records.Add(new SltRecordResult(record.Line, record.Sql, false, $"not run: the file's time budget of {budget} was used up"));
                continue;
            }

            result.Records.Add(record.Kind == SltRecordKind.Statement
                ? await StatementAsync(record, executor, ct).ConfigureAwait(false)
                : await QueryAsync(record, executor, threshold, labels, ct).ConfigureAwait(false));
        }

        result.Elapsed = clock.Elapsed;
        return result;
    }

    private static async Task<SltRecordResult> StatementAsync(SltRecord record, ISltExecutor executor, CancellationToken ct)
    {
        string? error = await executor.ExecuteStatementAsync(record.Sql, ct).ConfigureAwait(false);
        return (error is not null) == record.ExpectError
            ? new SltRecordResult(record.Line, record.Sql, true)
            : new SltRecordResult(record.Line, record.Sql, false, record.ExpectError ? "statement succeeded but should fail" : $"statement failed: {error}");
    }

    private static async Task<SltRecordResult> QueryAsync(SltRecord record, ISltExecutor executor, int threshold, Dictionary<string, string> labels, CancellationToken ct)
    {
        if (record.Types.Length == 0 || record.Types.Any(c => c is not ('I' or 'R' or 'T')))
        {
            return new SltRecordResult(record.Line, record.Sql, false, $"bad type string '{record.Types}'");
        }

        if (record.SortMode is not ("" or "nosort" or "rowsort" or "valuesort"))
        {
            return new SltRecordResult(record.Line, record.Sql, false, $"unknown sort method '{record.SortMode}'");
        }

        SltQueryResult q = await executor.ExecuteQueryAsync(record.Sql, ct).ConfigureAwait(false);
        if (q.Error is not null)
        {
            return new SltRecordResult(record.Line, record.Sql, false, $"query failed: {q.Error}");
        }

        if (q.ColumnCount != record.Types.Length)
        {
            return new SltRecordResult(record.Line, record.Sql, false, $"wrong number of result columns: expected {record.Types.Length} but got {q.ColumnCount}");
        }

        List<string[]> rows = [.. q.Rows.Select(row => row.Select((cell, c) => SltValues.Format(cell, record.Types[c])).ToArray())];
        List<string> values = SltValues.Arrange(rows, record.SortMode);
        IReadOnlyList<string> expected = record.Expected ?? [];
        bool hashed = threshold > 0 && values.Count > threshold;
        List<string> actual = hashed ? [SltValues.HashLine(values)] : values;
        string? labelError = null;
        if (record.Label.Length > 0)
        {
            string hash = SltValues.Hash(values);
            string key = LabelKey(record.Label);
            if (labels.TryGetValue(key, out string? earlier) && earlier != hash)
            {
                labelError = $"labeled result [{record.Label}] does not agree with previous values";
            }

            labels.TryAdd(key, hash);
        }

        if (!actual.SequenceEqual(expected))
        {
            return new SltRecordResult(record.Line, record.Sql, false,
                $"expected [{string.Join(' ', expected.Take(12))}{(expected.Count > 12 ? " ..." : "")}] got [{string.Join(' ', actual.Take(12))}{(actual.Count > 12 ? " ..." : "")}]");
        }

        return labelError is null ? new SltRecordResult(record.Line, record.Sql, true) : new SltRecordResult(record.Line, record.Sql, false, labelError);
    }

    /// <summary>
    /// A labeled query skipped for this engine still records its expected result under the label (sqllogictest.c in verify
    /// mode hashes the expected lines, or takes the hash of a hashed result), so the variants of one query for different
    /// engines must agree.
    /// </summary>
    private static void RememberSkippedLabel(SltRecord record, Dictionary<string, string> labels)
    {
        if (record.Kind != SltRecordKind.Query || record.Label.Length == 0 || record.Expected is not [_, ..] expected)
        {
            return;
        }

        string[] words = expected[0].Split(' ');
        string hash = expected.Count == 1 && words.Length == 5 && words[1] == "values" && words[2] == "hashing" && words[3] == "to" ? words[4] : SltValues.Hash(expected);
        labels.TryAdd(LabelKey(record.Label), hash);
    }

    /// <summary>sqllogictest.c keeps the first 20 characters of a label.</summary>
    private static string LabelKey(string label) => label.Length > 20 ? label[..20] : label;
}
