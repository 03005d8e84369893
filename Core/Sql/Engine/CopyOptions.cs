using ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

public enum CopyFormat : byte
{
    Text,
    Csv,
    Binary,
}

/// <summary>
/// COPY's options after PostgreSQL's checks (copy.c ProcessCopyOptions): the format, the text and CSV punctuation
/// with their defaults (text: tab and <c>\N</c>; CSV: comma, empty string, double quote, escape = quote), HEADER
/// (true, or MATCH on input), the per-column FORCE options and FREEZE (accepted: every COPY here writes committed
/// rows at commit, there is no hint-bit work to skip).
/// </summary>
public sealed class CopyOptions
{
    private CopyOptions()
    {
    }

    public CopyFormat Format { get; private set; }

    public byte Delimiter { get; private set; } = (byte)'\t';

    public string Null { get; private set; } = "\\N";

    public bool Header { get; private set; }

    /// <summary>HEADER MATCH: the header line's names must equal the columns (COPY FROM only).</summary>
    public bool HeaderMatch { get; private set; }

    public byte Quote { get; private set; } = (byte)'"';

    public byte Escape { get; private set; } = (byte)'"';

    public bool Freeze { get; private set; }

    public bool ForceQuoteAll { get; private set; }

    public IReadOnlyList<string> ForceQuote { get; private set; } = [];

    public IReadOnlyList<string> ForceNotNull { get; private set; } = [];

    public IReadOnlyList<string> ForceNull { get; private set; } = [];

    public bool IsCsv => Format == CopyFormat.Csv;

    /// <summary>The default options of <paramref name="format"/> (tests and the formatters' own use).</summary>
    public static CopyOptions Of(CopyFormat format) => Parse([new GenericOption("format", format.ToString().ToLowerInvariant())], isFrom: true);

    /// <summary>Validates <paramref name="options"/> as PostgreSQL does; errors carry its SQLSTATEs and messages.</summary>
    public static CopyOptions Parse(IReadOnlyList<GenericOption> options, bool isFrom)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = new CopyOptions();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? delimiter = null, nullText = null, quote = null, escape = null;
        foreach (GenericOption option in options)
        {
            if (!seen.Add(option.Name))
            {
                throw new SqlException(SqlState.SyntaxError, "conflicting or redundant options");
            }

            switch (option.Name)
            {
                case "format":
                    o.Format = option.Value?.ToLowerInvariant() switch
                    {
                        "text" => CopyFormat.Text,
                        "csv" => CopyFormat.Csv,
                        "binary" => CopyFormat.Binary,
                        _ => throw new SqlException(SqlState.InvalidParameterValue, $"COPY format \"{option.Value}\" not recognized"),
                    };
                    break;
                case "freeze":
                    o.Freeze = Boolean(option);
                    break;
                case "delimiter":
                    delimiter = StringValue(option);
                    break;
                case "null":
                    nullText = StringValue(option);
                    break;
                case "header":
                    (o.Header, o.HeaderMatch) = option.Value?.ToLowerInvariant() switch
                    {
                        "match" => (true, true),
                        _ => (BooleanOrNull(option) ?? throw new SqlException(SqlState.InvalidParameterValue, "header requires a Boolean value or \"match\""), false),
                    };
                    break;
                case "quote":
                    quote = StringValue(option);
                    break;
                case "escape":
                    escape = StringValue(option);
                    break;
                case "force_quote":
                    o.ForceQuoteAll = option.Value == "*";
                    o.ForceQuote = option.Names ?? (o.ForceQuoteAll ? [] : throw ListRequired(option));
                    break;
                case "force_not_null":
                    o.ForceNotNull = option.Names ?? throw ListRequired(option);
                    break;
                case "force_null":
                    o.ForceNull = option.Names ?? throw ListRequired(option);
                    break;
                case "encoding":
                    string encoding = StringValue(option).Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();
                    if (encoding is not ("UTF8" or "UNICODE" or "SQLASCII"))
                    {
                        throw new SqlException(SqlState.FeatureNotSupported, $"COPY encoding \"{option.Value}\" is not supported: only UTF8");
                    }

                    break;
                case "oids":
                    throw new SqlException(SqlState.SyntaxError, "option \"oids\" not recognized");
                default:
                    throw new SqlException(SqlState.SyntaxError, $"option \"{option.Name}\" not recognized");
            }
        }

        o.Validate(isFrom, delimiter, nullText, quote, escape);
        return o;
    }

    private void Validate(bool isFrom, string? delimiter, string? nullText, string? quote, string? escape)
    {
        bool binary = Format == CopyFormat.Binary;
        if (binary && delimiter is not null)
        {
            throw new SqlException(SqlState.SyntaxError, "cannot specify DELIMITER in BINARY mode");
        }

        if (binary && nullText is not null)
        {
            throw new SqlException(SqlState.SyntaxError, "cannot specify NULL in BINARY mode");
        }

        if (binary && Header)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "cannot specify HEADER in BINARY mode");
        }

        Delimiter = delimiter is null ? IsCsv ? (byte)',' : (byte)'\t' : OneByte(delimiter, "COPY delimiter must be a single one-byte character");
        Null = nullText ?? (IsCsv ? "" : "\\N");
        if (Delimiter is (byte)'\n' or (byte)'\r')
        {
            throw new SqlException(SqlState.InvalidParameterValue, "COPY delimiter cannot be newline or carriage return");
        }

        if (Null.Contains('\n', StringComparison.Ordinal) || Null.Contains('\r', StringComparison.Ordinal))
        {
            throw new SqlException(SqlState.InvalidParameterValue, "COPY null representation cannot use newline or carriage return");
        }

        if (!IsCsv && "\\.abcdefghijklmnopqrstuvwxyz0123456789".Contains((char)Delimiter, StringComparison.Ordinal))
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"COPY delimiter cannot be \"{(char)Delimiter}\"");
        }

        if (!IsCsv && quote is not null)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "COPY quote available only in CSV mode");
        }

        if (!IsCsv && escape is not null)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "COPY escape available only in CSV mode");
        }

        if (IsCsv)
        {
            Quote = quote is null ? (byte)'"' : OneByte(quote, "COPY quote must be a single one-byte character");
            Escape = escape is null ? Quote : OneByte(escape, "COPY escape must be a single one-byte character");
            if (Delimiter == Quote)
            {
                throw new SqlException(SqlState.InvalidParameterValue, "COPY delimiter and quote must be different");
            }

            if (Null.Contains((char)Quote, StringComparison.Ordinal))
            {
                throw new SqlException(SqlState.InvalidParameterValue, "CSV quote character must not appear in the NULL specification");
            }
        }

        if (HeaderMatch && !isFrom)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "cannot use \"match\" with HEADER in COPY TO");
        }

        if ((ForceQuoteAll || ForceQuote.Count > 0) && (!IsCsv || isFrom))
        {
            throw new SqlException(SqlState.FeatureNotSupported, !IsCsv ? "COPY force quote available only in CSV mode" : "COPY force quote only available using COPY TO");
        }

        if (ForceNotNull.Count > 0 && (!IsCsv || !isFrom))
        {
            throw new SqlException(SqlState.FeatureNotSupported, !IsCsv ? "COPY force not null available only in CSV mode" : "COPY force not null only available using COPY FROM");
        }

        if (ForceNull.Count > 0 && (!IsCsv || !isFrom))
        {
            throw new SqlException(SqlState.FeatureNotSupported, !IsCsv ? "COPY force null available only in CSV mode" : "COPY force null only available using COPY FROM");
        }

        if (Null.Contains((char)Delimiter, StringComparison.Ordinal))
        {
            throw new SqlException(SqlState.FeatureNotSupported, "COPY delimiter must not appear in the NULL specification");
        }
    }

    private static byte OneByte(string value, string message) =>
        value.Length == 1 && value[0] < 0x80 ? (byte)value[0] : throw new SqlException(SqlState.FeatureNotSupported, message);

    private static string StringValue(GenericOption option) =>
        option.Value ?? throw new SqlException(SqlState.SyntaxError, $"{option.Name} requires a parameter");

    private static SqlException ListRequired(GenericOption option) =>
        new(SqlState.SyntaxError, $"argument to option \"{option.Name}\" must be a list of column names");

    private static bool Boolean(GenericOption option) =>
        BooleanOrNull(option) ?? throw new SqlException(SqlState.SyntaxError, $"{option.Name} requires a Boolean value");

    private static bool? BooleanOrNull(GenericOption option) => option.Value?.ToLowerInvariant() switch
    {
        null or "true" or "on" or "1" or "yes" => true,
        "false" or "off" or "0" or "no" => false,
        _ => null,
    };
}
