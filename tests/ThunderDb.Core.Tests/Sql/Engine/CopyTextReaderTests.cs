using System.Text;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Tests.Sql.Engine;

public class CopyTextReaderTests
{
    /// <summary>Every row of <paramref name="input"/>, fields joined by '|' and NULL shown as &lt;null&gt;, fed in pieces of <paramref name="chunk"/> bytes.</summary>
    internal static List<string> Rows(string input, CopyOptions options, int chunk = int.MaxValue)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(input);
        var reader = new CopyTextReader(options);
        var rows = new List<string>();
        var fields = new List<string?>();
        for (int at = 0; at < bytes.Length; at += chunk)
        {
            reader.Append(bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at)));
            while (reader.TryReadRow(fields, final: false))
            {
                rows.Add(string.Join("|", fields.Select(f => f ?? "<null>")));
            }
        }

        while (reader.TryReadRow(fields, final: true))
        {
            rows.Add(string.Join("|", fields.Select(f => f ?? "<null>")));
        }

        return rows;
    }

    private static CopyOptions Text => CopyOptions.Of(CopyFormat.Text);

    private static CopyOptions Csv => CopyOptions.Of(CopyFormat.Csv);

    private static CopyOptions Parse(string with, bool isFrom = true) =>
        CopyOptions.Parse(((CopyStatement)SqlParser.Parse($"COPY t {(isFrom ? "FROM STDIN" : "TO STDOUT")} {with}")[0]).Options, isFrom);

    [Test]
    public async Task Text_format_decodes_backslash_escapes_and_only_the_raw_null_marker_is_null()
    {
        string input = "1\ta\\tb\\nc\\\\d\t\\N\n2\t\\\\N\t\n3\t\\101\\x41\\x4a\\0101\\q\t\\b\\f\\r\\v\n";
        List<string> rows = Rows(input, Text);
        await Assert.That(rows.Count).IsEqualTo(3);
        await Assert.That(rows[0]).IsEqualTo("1|a\tb\nc\\d|<null>");
        await Assert.That(rows[1]).IsEqualTo("2|\\N|"); // an escaped \N is the text, an empty field the empty string
        await Assert.That(rows[2]).IsEqualTo("3|AAJ\b1q|\b\f\r\v"); // octal takes at most three digits: \0101 is \010 then 1
    }

    [Test]
    public async Task Rows_come_out_the_same_whatever_the_chunk_boundaries()
    {
        string text = "1\tx\\ty\\\\\t\\N\r\n22\t\\x41\\101\tz\r\n\\.\r\nignored\n";
        string csv = "1,\"a,b\nc\",\"\"\r\n2,\"x\"\"y\",\r\n";
        List<string> whole = Rows(text, Text);
        List<string> wholeCsv = Rows(csv, Csv);
        await Assert.That(whole).IsEquivalentTo(new[] { "1|x\ty\\|<null>", "22|AA|z" });
        await Assert.That(wholeCsv).IsEquivalentTo(new[] { "1|a,b\nc|", "2|x\"y|<null>" });
        for (int chunk = 1; chunk <= 8; chunk++)
        {
            await Assert.That(Rows(text, Text, chunk)).IsEquivalentTo(whole).Because($"chunk {chunk}");
            await Assert.That(Rows(csv, Csv, chunk)).IsEquivalentTo(wholeCsv).Because($"csv chunk {chunk}");
        }
    }

    [Test]
    public async Task The_end_marker_ends_the_data_and_a_last_line_needs_no_newline()
    {
        await Assert.That(Rows("1\n2\n\\.\n3\n", Text)).IsEquivalentTo(new[] { "1", "2" });
        await Assert.That(Rows("1\n2", Text)).IsEquivalentTo(new[] { "1", "2" });
        await Assert.That(Rows("a,b\n\\.\nc,d\n", Csv)).IsEquivalentTo(new[] { "a|b" });
        // a quoted \. is data in CSV
        await Assert.That(Rows("\"\\.\"\nx\n", Csv)).IsEquivalentTo(new[] { "\\.", "x" });
        SqlException corrupt = Assert.Throws<SqlException>(() => Rows("1\n\\.x\n", Text));
        await Assert.That(corrupt.SqlState).IsEqualTo("22P04");
        await Assert.That(corrupt.Message).IsEqualTo("end-of-copy marker corrupt");
    }

    [Test]
    public async Task Csv_quotes_keep_delimiters_newlines_and_doubled_quotes_and_separate_empty_string_from_null()
    {
        List<string> rows = Rows("a,\"b \"\"q\"\" c\",\"line1\nline2\",,\"\", x \n", Csv);
        await Assert.That(rows.Single()).IsEqualTo("a|b \"q\" c|line1\nline2|<null>|| x ");
        // a custom quote, escape and delimiter
        List<string> custom = Rows("1;'it\\'s';'a;b'\n", Parse("WITH (FORMAT csv, DELIMITER ';', QUOTE '''', ESCAPE '\\')"));
        await Assert.That(custom.Single()).IsEqualTo("1|it's|a;b");
        // NULL 'NA': only the unquoted NA is null
        List<string> na = Rows("NA,\"NA\",\n", Parse("WITH (FORMAT csv, NULL 'NA')"));
        await Assert.That(na.Single()).IsEqualTo("<null>|NA|");
        SqlException open = Assert.Throws<SqlException>(() => Rows("1,\"never closed\n", Csv));
        await Assert.That(open.SqlState).IsEqualTo("22P04");
        await Assert.That(open.Message).IsEqualTo("unterminated CSV quoted field");
    }

    [Test]
    public async Task Mixed_line_endings_and_invalid_utf8_are_refused_as_postgresql_refuses_them()
    {
        SqlException cr = Assert.Throws<SqlException>(() => Rows("1\n2\r3\n", Text));
        await Assert.That(cr.SqlState).IsEqualTo("22P04");
        await Assert.That(cr.Message).IsEqualTo("literal carriage return found in data");
        SqlException lf = Assert.Throws<SqlException>(() => Rows("1\r\n2\n", Csv));
        await Assert.That(lf.Message).IsEqualTo("unquoted newline found in data");
        SqlException utf8 = Assert.Throws<SqlException>(() => Rows("\\xff\n", Text));
        await Assert.That(utf8.SqlState).IsEqualTo("22021");
        SqlException nul = Assert.Throws<SqlException>(() => Rows("a\\0b\n", Text));
        await Assert.That(nul.Message).IsEqualTo("invalid byte sequence for encoding \"UTF8\": 0x00");
    }

    [Test]
    public async Task Options_parse_in_both_syntaxes_and_bad_combinations_get_postgresql_errors()
    {
        CopyOptions legacy = Parse("WITH CSV HEADER DELIMITER AS ';' NULL AS 'x' FORCE NOT NULL a, b");
        await Assert.That(legacy.Format).IsEqualTo(CopyFormat.Csv);
        await Assert.That(legacy.Header).IsTrue();
        await Assert.That((char)legacy.Delimiter).IsEqualTo(';');
        await Assert.That(legacy.Null).IsEqualTo("x");
        await Assert.That(legacy.ForceNotNull).IsEquivalentTo(new[] { "a", "b" });
        CopyOptions modern = Parse("(FORMAT csv, HEADER match, FORCE_NULL (a), FREEZE on, ENCODING 'UTF8')");
        await Assert.That(modern.HeaderMatch).IsTrue();
        await Assert.That(modern.Freeze).IsTrue();
        await Assert.That(Parse("BINARY").Format).IsEqualTo(CopyFormat.Binary);
        await Assert.That(Parse("WITH (FORMAT csv, FORCE_QUOTE *)", isFrom: false).ForceQuoteAll).IsTrue();

        (string With, bool IsFrom, string State, string Message)[] bad =
        [
            ("(FORMAT xml)", true, "22023", "COPY format \"xml\" not recognized"),
            ("(FORMAT binary, DELIMITER ',')", true, "42601", "cannot specify DELIMITER in BINARY mode"),
            ("(DELIMITER ',,')", true, "0A000", "COPY delimiter must be a single one-byte character"),
            ("(QUOTE '\"')", true, "0A000", "COPY quote available only in CSV mode"),
            ("(FORMAT csv, DELIMITER ',', QUOTE ',')", true, "22023", "COPY delimiter and quote must be different"),
            ("(FORMAT csv, HEADER match)", false, "0A000", "cannot use \"match\" with HEADER in COPY TO"),
            ("(FORMAT csv, FORCE_QUOTE (a))", true, "0A000", "COPY force quote only available using COPY TO"),
            ("(HEADER maybe)", true, "22023", "header requires a Boolean value or \"match\""),
            ("(FORMAT text, FORMAT csv)", true, "42601", "conflicting or redundant options"),
            ("(DELIMITER 'a')", true, "22023", "COPY delimiter cannot be \"a\""),
            ("(ENCODING 'LATIN1')", true, "0A000", "COPY encoding \"LATIN1\" is not supported: only UTF8"),
            ("(BOGUS 1)", true, "42601", "option \"bogus\" not recognized"),
        ];
        foreach ((string with, bool isFrom, string state, string message) in bad)
        {
            SqlException e = Assert.Throws<SqlException>(() => Parse(with, isFrom));
            await Assert.That(e.SqlState).IsEqualTo(state).Because(with);
            await Assert.That(e.Message).IsEqualTo(message).Because(with);
        }
    }
}
