namespace ThunderDb.SqlLogicTest;

/// <summary>What a record is: the first token of its first line.</summary>
public enum SltRecordKind
{
    Statement,
    Query,
    HashThreshold,
    Halt,
}

/// <summary>A <c>skipif</c> / <c>onlyif</c> line before a record.</summary>
public readonly record struct SltCondition(bool OnlyIf, string Engine)
{
    /// <summary>Whether this condition skips the record on <paramref name="engine"/> (names compare case-insensitively, as stricmp).</summary>
    public bool Skips(string engine) => OnlyIf != string.Equals(Engine, engine, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// One record of a sqllogictest script. <see cref="Line"/> is the line of its first token (after any conditions), as the
/// reference runner reports it. For a statement, <see cref="ExpectError"/>; for a query, the type string (one of I, R, T per
/// column), the sort mode, the optional label and the expected lines; for hash-threshold, the threshold.
/// </summary>
public sealed record SltRecord(
    SltRecordKind Kind,
    int Line,
    IReadOnlyList<SltCondition> Conditions,
    string Sql,
    bool ExpectError = false,
    string Types = "",
    string SortMode = "",
    string Label = "",
    IReadOnlyList<string>? Expected = null,
    int Threshold = 0)
{
    public bool SkippedOn(string engine) => Conditions.Any(c => c.Skips(engine));
}

/// <summary>Thrown for a script the reference runner also refuses (unknown record type, bad statement or type string).</summary>
public sealed class SltScriptException(string message) : Exception(message);

/// <summary>
/// The sqllogictest script format as sqllogictest.c reads it (gregrahn/sqllogictest src/sqllogictest.c): lines lose a trailing
/// <c>\r</c>; a line of only white space is blank; a line starting with <c>#</c> is a comment wherever it is (it is dropped
/// even between result lines); records are separated by blank lines; the first line is split into at most four tokens on
/// white space; statement SQL runs to the blank line, query SQL to the <c>----</c> line; expected lines are kept exactly.
/// </summary>
public static class SltScript
{
    public static IReadOnlyList<SltRecord> ParseFile(string path) => Parse(File.ReadAllText(path));

    public static IReadOnlyList<SltRecord> Parse(string text)
    {
        var lines = new List<(int Number, string Text)>();
        string[] raw = text.Split('\n');
        int count = raw.Length > 0 && raw[^1].Length == 0 ? raw.Length - 1 : raw.Length; // a final newline ends the last line
        for (int n = 0; n < count; n++)
        {
            string line = raw[n].EndsWith('\r') ? raw[n][..^1] : raw[n];
            if (string.IsNullOrWhiteSpace(line))
            {
                line = "";
            }

            if (!line.StartsWith('#'))
            {
                lines.Add((n + 1, line));
            }
        }

        var records = new List<SltRecord>();
        int i = 0;
        while (i < lines.Count)
        {
            if (lines[i].Text.Length == 0)
            {
                i++;
                continue;
            }

            var conditions = new List<SltCondition>();
            string[] tokens = Tokens(lines[i].Text);
            while (tokens[0] is "skipif" or "onlyif" && i + 1 < lines.Count)
            {
                conditions.Add(new SltCondition(tokens[0] == "onlyif", tokens[1]));
                tokens = Tokens(lines[++i].Text);
            }

            int line = lines[i].Number;
            i++;
            switch (tokens[0])
            {
                case "statement":
                {
                    string sql = Block(lines, ref i, stopAtDashes: false);
                    bool expectError = tokens[1] switch
                    {
                        "ok" => false,
                        "error" => true,
                        _ => throw new SltScriptException($"line {line}: statement argument should be 'ok' or 'error', not '{tokens[1]}'"),
                    };
                    records.Add(new SltRecord(SltRecordKind.Statement, line, conditions, sql, ExpectError: expectError));
                    break;
                }

                case "query":
                {
                    string sql = Block(lines, ref i, stopAtDashes: true);
                    var expected = new List<string>();
                    if (i < lines.Count && lines[i].Text == "----")
                    {
                        for (i++; i < lines.Count && lines[i].Text.Length > 0; i++)
                        {
                            expected.Add(lines[i].Text);
                        }
                    }

                    records.Add(new SltRecord(SltRecordKind.Query, line, conditions, sql, Types: tokens[1], SortMode: tokens[2], Label: tokens[3], Expected: expected));
                    break;
                }

                case "hash-threshold":
                    records.Add(new SltRecord(SltRecordKind.HashThreshold, line, conditions, "", Threshold: (int)Math.Clamp(CNumbers.StrToLong(tokens[1]), int.MinValue, int.MaxValue)));
                    SkipToBlank(lines, ref i);
                    break;

                case "halt":
                    records.Add(new SltRecord(SltRecordKind.Halt, line, conditions, ""));
                    SkipToBlank(lines, ref i);
                    break;

                default:
                    throw new SltScriptException($"line {line}: unknown record type '{tokens[0]}'");
            }
        }

        return records;
    }

    /// <summary>Up to four white-space separated tokens, missing ones empty (sqllogictest.c's azToken).</summary>
    private static string[] Tokens(string line)
    {
        string[] tokens = ["", "", "", ""];
        string[] parts = line.Split([' ', '\t', '\v', '\f'], 5, StringSplitOptions.RemoveEmptyEntries);
        for (int t = 0; t < Math.Min(4, parts.Length); t++)
        {
            tokens[t] = parts[t];
        }

        return tokens;
    }

    private static string Block(List<(int Number, string Text)> lines, ref int i, bool stopAtDashes)
    {
        var sql = new List<string>();
        for (; i < lines.Count && lines[i].Text.Length > 0 && !(stopAtDashes && lines[i].Text == "----"); i++)
        {
            sql.Add(lines[i].Text);
        }

        return string.Join('\n', sql);
    }

    private static void SkipToBlank(List<(int Number, string Text)> lines, ref int i)
    {
        while (i < lines.Count && lines[i].Text.Length > 0)
        {
            i++;
        }
    }
}
