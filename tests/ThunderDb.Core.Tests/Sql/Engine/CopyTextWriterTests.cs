using System.Buffers;
using System.Text;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Syntax;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Engine;

public class CopyTextWriterTests
{
    private static string Line(CopyOptions options, params SqlValue[] row)
    {
        var output = new ArrayBufferWriter<byte>();
        new CopyTextWriter(options, row.Length).WriteRow(row, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static CopyOptions Parse(string with) =>
        CopyOptions.Parse(((CopyStatement)SqlParser.Parse($"COPY t TO STDOUT {with}")[0]).Options, isFrom: false);

    [Test]
    public async Task Text_output_escapes_backslash_delimiter_and_control_characters()
    {
        CopyOptions text = CopyOptions.Of(CopyFormat.Text);
        string line = Line(text, SqlValue.FromInt4(-7), SqlValue.FromText("a\tb\nc\\d\re\b\f\v"), SqlValue.Null, SqlValue.FromText(""), SqlValue.FromBool(true));
        await Assert.That(line).IsEqualTo("-7\ta\\tb\\nc\\\\d\\re\\b\\f\\v\t\\N\t\tt\n");
        await Assert.That(Line(Parse("(DELIMITER '|')"), SqlValue.FromText("x|y\tz"))).IsEqualTo("x\\|y\\tz\n");
        // the reader reads back what the writer wrote
        await Assert.That(CopyTextReaderTests.Rows(line, text).Single()).IsEqualTo("-7|a\tb\nc\\d\re\b\f\v|<null>||t");
    }

    [Test]
    public async Task Csv_quotes_only_what_needs_it_and_doubles_quotes_inside()
    {
        CopyOptions csv = CopyOptions.Of(CopyFormat.Csv);
        string line = Line(csv, SqlValue.FromText("plain"), SqlValue.FromText("a,b"), SqlValue.FromText("say \"hi\""), SqlValue.FromText("two\nlines"),
            SqlValue.FromText(""), SqlValue.Null, SqlValue.FromInt8(42));
        await Assert.That(line).IsEqualTo("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"\",,42\n");
        await Assert.That(CopyTextReaderTests.Rows(line, CopyOptions.Of(CopyFormat.Csv)).Single()).IsEqualTo("plain|a,b|say \"hi\"|two\nlines||<null>|42");
        // \. alone in a one-column copy is quoted so it cannot end the data; a value equal to the NULL string too
        await Assert.That(Line(csv, SqlValue.FromText("\\."))).IsEqualTo("\"\\.\"\n");
        await Assert.That(Line(Parse("(FORMAT csv, NULL 'NA')"), SqlValue.FromText("NA"), SqlValue.Null)).IsEqualTo("\"NA\",NA\n");
        await Assert.That(Line(Parse("(FORMAT csv, FORCE_QUOTE *)"), SqlValue.FromText("x"), SqlValue.FromInt4(1), SqlValue.Null)).IsEqualTo("\"x\",\"1\",\n");
        await Assert.That(Line(Parse("(FORMAT csv, QUOTE '''', ESCAPE '\\')"), SqlValue.FromText("it's \\ ok,"))).IsEqualTo("'it\\'s \\\\ ok,'\n");
    }

    [Test]
    public async Task Header_names_are_escaped_like_values()
    {
        var output = new ArrayBufferWriter<byte>();
        new CopyTextWriter(CopyOptions.Of(CopyFormat.Csv), 2).WriteHeader(["id", "a,b"], output);
        await Assert.That(Encoding.UTF8.GetString(output.WrittenSpan)).IsEqualTo("id,\"a,b\"\n");
    }
}
