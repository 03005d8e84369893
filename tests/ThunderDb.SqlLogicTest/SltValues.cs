using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ThunderDb.SqlLogicTest;

/// <summary>
/// One result value as an engine hands it over: PostgreSQL's text output of the value (null for SQL NULL), and whether
/// its type is boolean (psqlODBC turns <c>t</c>/<c>f</c> into <c>1</c>/<c>0</c> before any conversion).
/// </summary>
public readonly record struct SltCell(string? Text, bool IsBool = false);

/// <summary>
/// The reference runner's rendering of values and results (sqllogictest.c with the ODBC driver against PostgreSQL):
/// <list type="bullet">
/// <item>NULL is <c>NULL</c> whatever the column type;</item>
/// <item><c>I</c>: the text through <c>strtol</c> (a numeric 2.9 is 2, a float 1e+20 is 1, text without a leading number is 0), printed as an integer;</item>
/// <item><c>R</c>: the text through <c>strtod</c>, printed <c>%.3f</c>;</item>
/// <item><c>T</c>: the text; empty is <c>(empty)</c>, and every byte of its UTF-8 below space or above <c>~</c> becomes <c>@</c>;</item>
/// <item>rowsort orders rows by their values column by column (strcmp), valuesort orders all values;</item>
/// <item>a result is hashed when the record has a label or has more values than the threshold: the MD5 of each value and a
/// newline, shown as <c>N values hashing to md5</c>.</item>
/// </list>
/// </summary>
public static class SltValues
{
    public static string Format(SltCell cell, char type)
    {
        if (cell.Text is null)
        {
            return "NULL";
        }

        string text = cell.IsBool ? (cell.Text is ['f' or 'F' or 'n' or 'N' or '0', ..] ? "0" : "1") : cell.Text;
        switch (type)
        {
            case 'I':
                return CNumbers.StrToLong(text).ToString(CultureInfo.InvariantCulture);
            case 'R':
                return CNumbers.FormatFixed3(CNumbers.StrToDouble(text));
            default:
                if (text.Length == 0)
                {
                    return "(empty)";
                }

                byte[] utf8 = Encoding.UTF8.GetBytes(text);
                bool printable = true;
                foreach (byte b in utf8)
                {
                    printable &= b is >= (byte)' ' and <= (byte)'~';
                }

                if (printable)
                {
                    return text;
                }

                var sb = new StringBuilder(utf8.Length);
                foreach (byte b in utf8)
                {
                    sb.Append(b is >= (byte)' ' and <= (byte)'~' ? (char)b : '@');
                }

                return sb.ToString();
        }
    }

    /// <summary>The values of <paramref name="rows"/> in the order the record's sort mode asks for.</summary>
    public static List<string> Arrange(List<string[]> rows, string sortMode)
    {
        if (sortMode == "rowsort")
        {
            rows.Sort(CompareRows);
        }

        List<string> values = [.. rows.SelectMany(r => r)];
        if (sortMode == "valuesort")
        {
            values.Sort(string.CompareOrdinal);
        }

        return values;
    }

    /// <summary>The MD5 of every value followed by a newline, in lower-case hex.</summary>
    public static string Hash(IReadOnlyList<string> values)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        foreach (string v in values)
        {
            md5.AppendData(Encoding.UTF8.GetBytes(v));
            md5.AppendData("\n"u8);
        }

        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    public static string HashLine(IReadOnlyList<string> values) => $"{values.Count} values hashing to {Hash(values)}";

    private static int CompareRows(string[] a, string[] b)
    {
        for (int i = 0; i < a.Length && i < b.Length; i++)
        {
            int c = string.CompareOrdinal(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }
}
