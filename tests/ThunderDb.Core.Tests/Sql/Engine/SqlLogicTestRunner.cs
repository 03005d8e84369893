using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>The outcome of one sqllogictest record that did not pass.</summary>
internal sealed record SltFailure(string File, int Line, string Sql, string Reason);

/// <summary>
/// Runs sqllogictest scripts (the format in shared/conformance/sqllogictest/README.md) against a <see cref="SqlSession"/>
/// as the engine "postgresql": statements must succeed or fail as recorded, query results must match value for
/// value (I = integer, R = %.3f, T = text, NULL, (empty)), after rowsort/valuesort, with MD5 hashing above the threshold.
/// </summary>
internal sealed class SqlLogicTestRunner(SqlSession session)
{
    public int Passed { get; private set; }

    public List<SltFailure> Failures { get; } = [];

    public async Task RunFileAsync(string path, TimeSpan budget)
    {
        string[] lines = await File.ReadAllLinesAsync(path);
        var started = DateTime.UtcNow;
        int hashThreshold = 0;
        int i = 0;
        string name = Path.GetFileName(path);
        while (i < lines.Length)
        {
            if (DateTime.UtcNow - started > budget)
            {
                Failures.Add(new SltFailure(name, i + 1, "", $"time budget of {budget} used up"));
                return;
            }

            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                i++;
                continue;
            }

            int recordLine = i + 1;
            bool skip = false;
            while (line.StartsWith("skipif ", StringComparison.Ordinal) || line.StartsWith("onlyif ", StringComparison.Ordinal))
            {
                string engine = line[7..].Trim();
                skip |= line.StartsWith("skipif", StringComparison.Ordinal) ? engine == "postgresql" : engine != "postgresql";
                line = lines[++i].Trim();
            }

            if (line == "halt")
            {
                if (!skip)
                {
                    return;
                }

                i++;
                continue;
            }

            if (line.StartsWith("hash-threshold", StringComparison.Ordinal))
            {
                hashThreshold = int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                i++;
                continue;
            }

            string header = line;
            i++;
            var sql = new StringBuilder();
            while (i < lines.Length && lines[i].Trim().Length > 0 && lines[i].Trim() != "----")
            {
                sql.AppendLine(lines[i]);
                i++;
            }

            var expected = new List<string>();
            if (i < lines.Length && lines[i].Trim() == "----")
            {
                i++;
                while (i < lines.Length && lines[i].Trim().Length > 0)
                {
                    expected.Add(lines[i].Trim());
                    i++;
                }
            }

            if (skip)
            {
                continue;
            }

            string text = sql.ToString().Trim();
            if (header.StartsWith("statement", StringComparison.Ordinal))
            {
                bool shouldFail = header.Contains("error", StringComparison.Ordinal);
                BatchResult r = await session.ExecuteAsync(text);
                if ((r.Error is not null) != shouldFail)
                {
                    Failures.Add(new SltFailure(name, recordLine, text, shouldFail ? "statement succeeded but should fail" : $"statement failed: {r.Error!.SqlState} {r.Error.Message}"));
                }
                else
                {
                    Passed++;
                }

                continue;
            }

            if (header.StartsWith("query", StringComparison.Ordinal))
            {
                string[] parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string types = parts.Length > 1 ? parts[1] : "";
                string sort = parts.Length > 2 ? parts[2] : "nosort";
                BatchResult r = await session.ExecuteAsync(text);
                if (r.Error is not null)
                {
                    Failures.Add(new SltFailure(name, recordLine, text, $"query failed: {r.Error.SqlState} {r.Error.Message}"));
                    continue;
                }

                StatementResult result = r.Results[^1];
                List<string[]> rows = [.. result.Rows!.Select(row => row.Select((v, c) => Format(v, c < types.Length ? types[c] : 'T')).ToArray())];
                if (sort == "rowsort")
                {
                    rows.Sort((a, b) => string.CompareOrdinal(string.Join('\u0001', a), string.Join('\u0001', b)));
                }

                List<string> values = [.. rows.SelectMany(row => row)];
                if (sort == "valuesort")
                {
                    values.Sort(string.CompareOrdinal);
                }

                List<string> actual = values;
                if (expected.Count == 1 && expected[0].Contains("values hashing to", StringComparison.Ordinal))
                {
                    actual = [$"{values.Count} values hashing to {Hash(values)}"];
                }
                else if (hashThreshold > 0 && values.Count > hashThreshold && expected.Count == 1)
                {
                    actual = [$"{values.Count} values hashing to {Hash(values)}"];
                }

                if (actual.SequenceEqual(expected))
                {
                    Passed++;
                }
                else
                {
                    Failures.Add(new SltFailure(name, recordLine, text, $"expected [{string.Join(' ', expected.Take(12))}] got [{string.Join(' ', actual.Take(12))}]"));
                }
            }
        }
    }

    private static string Hash(List<string> values)
    {
        var sb = new StringBuilder();
        foreach (string v in values)
        {
            sb.Append(v).Append('\n');
        }

        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>The reference runner reads text in an I or R column as its leading number (0 when there is none), as SQLite converts.</summary>
    private static double LeadingNumber(string s)
    {
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || (end == 0 && s[end] is '-' or '+') || s[end] == '.'))
        {
            end++;
        }

        return double.TryParse(s.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : 0;
    }

    private static string Format(SqlValue v, char type)
    {
        if (v.IsNull)
        {
            return "NULL";
        }

        switch (type)
        {
            case 'I':
                return v.Kind switch
                {
                    SqlTypeKind.Float4 or SqlTypeKind.Float8 => ((long)Math.Truncate(v.AsDouble)).ToString(CultureInfo.InvariantCulture),
                    SqlTypeKind.Numeric => decimal.Truncate(v.AsDecimal).ToString(CultureInfo.InvariantCulture),
                    SqlTypeKind.Bool => v.AsBool ? "1" : "0",
                    _ when SqlCompare.IsInteger(v.Kind) => v.AsInt64.ToString(CultureInfo.InvariantCulture),
                    _ => ((long)LeadingNumber(SqlText.Format(v))).ToString(CultureInfo.InvariantCulture),
                };
            case 'R':
                return (SqlCompare.IsNumber(v.Kind) ? v.ToDouble() : LeadingNumber(SqlText.Format(v))).ToString("0.000", CultureInfo.InvariantCulture);
            default:
                string s = SqlText.Format(v);
                return s.Length == 0 ? "(empty)" : s;
        }
    }
}
