using ThunderDb.Core.Sql.Syntax;
using ThunderDb.SqlLogicTest;

namespace ThunderDb.Core.Tests.Sql.Syntax;

/// <summary>
/// Parses every statement and query of the sqllogictest corpus in ../shared/conformance (the records a
/// PostgreSQL run would execute: skipif/onlyif for other engines are honoured) and checks the pass rate
/// and that each parsed statement survives a print/reparse round trip.
/// </summary>
public class SqlCorpusTests
{
    private static string? CorpusDirectory() => SltCorpus.Directory();

    /// <summary>The SQL of every statement/query record that runs on PostgreSQL, with its file and line.</summary>
    internal static IEnumerable<(string File, int Line, string Sql)> Records(string root)
    {
        foreach (string file in SltCorpus.Files())
        {
            foreach (SltRecord r in SltScript.ParseFile(Path.Combine(root, file)))
            {
                if (r.SkippedOn("postgresql"))
                {
                    continue;
                }

                if (r.Kind == SltRecordKind.Halt)
                {
                    break;
                }

                if (r.Kind is SltRecordKind.Statement or SltRecordKind.Query)
                {
                    yield return (file, r.Line, r.Sql);
                }
            }
        }
    }

    [Test]
    public async Task Every_postgresql_record_of_the_corpus_parses_and_round_trips()
    {
        string? root = CorpusDirectory();
        if (root is null)
        {
            throw new InvalidOperationException("the sqllogictest corpus (shared/conformance/sqllogictest) is missing");
        }

        int total = 0;
        var failures = new List<string>();
        int emptyInLists = 0;
        var roundTripFailures = new List<string>();
        foreach ((string file, int line, string sql) in Records(root))
        {
            total++;
            try
            {
                IReadOnlyList<SqlStatement> parsed = SqlParser.Parse(sql);
                string printed = string.Join(";\n", parsed.Select(SqlPrinter.Print));
                string reprinted = string.Join(";\n", SqlParser.Parse(printed).Select(SqlPrinter.Print));
                if (printed != reprinted)
                {
                    roundTripFailures.Add($"{file}:{line}: {printed} => {reprinted}");
                }
            }
            catch (SqlSyntaxException e) when (sql.EndsWith("IN ()", StringComparison.Ordinal) && e.Message == "syntax error at or near \")\"")
            {
                // PostgreSQL rejects an empty IN list the same way (one of the two record kinds it fails).
                emptyInLists++;
            }
            catch (SqlSyntaxException e)
            {
                failures.Add($"{file}:{line}: {e.Message} in: {sql}");
            }
        }

        foreach (string f in failures.Concat(roundTripFailures).Take(30))
        {
            Console.WriteLine(f);
        }

        Console.WriteLine($"corpus: {total} records, {emptyInLists} empty IN lists refused as PostgreSQL does, {failures.Count} other parse failures, {roundTripFailures.Count} round-trip differences");
        await Assert.That(total).IsGreaterThan(10_000);
        await Assert.That(emptyInLists).IsLessThan(100);
        await Assert.That(failures).IsEmpty();
        await Assert.That(roundTripFailures).IsEmpty();
    }
}
