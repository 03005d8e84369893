using System.Text;

namespace ThunderDb.Core.Sql.Types;

public static partial class SqlText
{
    /// <summary>Array input: <c>{1,2,NULL}</c>, <c>{"a b","c\"d"}</c>; one dimension.</summary>
    public static SqlValue ParseArray(string text, SqlType elementType)
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> t = text.AsSpan().Trim();
        if (t.Length < 2 || t[0] != '{' || t[^1] != '}')
        {
            throw new SqlException(SqlState.InvalidTextRepresentation, $"malformed array literal: \"{text}\"",
                detail: "Array value must start with \"{\" or dimension information.");
        }

        var items = new List<SqlValue>();
        ReadOnlySpan<char> body = t[1..^1];
        int i = 0;
        var element = new StringBuilder();
        if (body.Trim().Length == 0)
        {
            return SqlValue.FromArray(new SqlArray(elementType, []));
        }

        while (true)
        {
            while (i < body.Length && char.IsWhiteSpace(body[i]))
            {
                i++;
            }

            element.Clear();
            bool quoted = false;
            if (i < body.Length && body[i] == '"')
            {
                quoted = true;
                i++;
                while (i < body.Length && body[i] != '"')
                {
                    if (body[i] == '\\' && i + 1 < body.Length)
                    {
                        i++;
                    }

                    element.Append(body[i++]);
                }

                if (i >= body.Length)
                {
                    throw new SqlException(SqlState.InvalidTextRepresentation, $"malformed array literal: \"{text}\"", detail: "Unexpected end of input.");
                }

                i++;
            }
            else
            {
                while (i < body.Length && body[i] != ',')
                {
                    if (body[i] is '{' or '}' or '"')
                    {
                        throw new SqlException(SqlState.FeatureNotSupported, "multidimensional arrays are not supported");
                    }

                    if (body[i] == '\\' && i + 1 < body.Length)
                    {
                        i++;
                    }

                    element.Append(body[i++]);
                }
            }

            string value = quoted ? element.ToString() : element.ToString().Trim();
            items.Add(!quoted && value.Equals("NULL", StringComparison.OrdinalIgnoreCase) ? SqlValue.Null : Parse(value, elementType));
            while (i < body.Length && char.IsWhiteSpace(body[i]))
            {
                i++;
            }

            if (i >= body.Length)
            {
                break;
            }

            if (body[i] != ',')
            {
                throw new SqlException(SqlState.InvalidTextRepresentation, $"malformed array literal: \"{text}\"", detail: "Unexpected array element.");
            }

            i++;
        }

        return SqlValue.FromArray(new SqlArray(elementType, [.. items]));
    }
}
