using System.Globalization;
using System.Text;

namespace ThunderDb.Core.Sql.Types;

public static partial class SqlText
{
    /// <summary>
    /// Array input as array_in reads it: <c>{1,2,NULL}</c>, <c>{"a b","c\"d"}</c>, nested braces for more
    /// dimensions (<c>{{1,2},{3,4}}</c>, every sub-array the same length), optionally after a dimension
    /// decoration (<c>[1:2][1:2]=</c>; lower bounds other than 1 are not supported).
    /// </summary>
    public static SqlValue ParseArray(string text, SqlType elementType)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ArrayLiteral(text, elementType).Parse();
    }

    /// <summary><c>{1,2,NULL,"a b"}</c>, nested for more dimensions: elements quoted when empty, "NULL", or holding braces, quotes, commas, backslashes or spaces.</summary>
    public static string FormatArray(SqlArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        var sb = new StringBuilder();
        int at = 0;
        if (array.Rank == 0)
        {
            return "{}";
        }

        FormatLevel(sb, array, 1, ref at);
        return sb.ToString();
    }

    private static void FormatLevel(StringBuilder sb, SqlArray array, int dimension, ref int at)
    {
        sb.Append('{');
        for (int i = 0; i < array.Length(dimension); i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            if (dimension < array.Rank)
            {
                FormatLevel(sb, array, dimension + 1, ref at);
                continue;
            }

            SqlValue item = array.Items[at++];
            if (item.IsNull)
            {
                sb.Append("NULL");
                continue;
            }

            string text = Format(item);
            bool quote = text.Length == 0 || text.Equals("NULL", StringComparison.OrdinalIgnoreCase)
                || text.AsSpan().IndexOfAny("{},\"\\ \t\n\r\v\f") >= 0;
            if (!quote)
            {
                sb.Append(text);
                continue;
            }

            AppendQuoted(sb, text, escape: '\\');
        }

        sb.Append('}');
    }

    /// <summary>
    /// <paramref name="text"/> in double quotes with each quote and backslash escaped by <paramref name="escape"/>: a
    /// backslash in array_out, the character itself (doubled) in record_out.
    /// </summary>
    internal static void AppendQuoted(StringBuilder sb, string text, char? escape)
    {
        sb.Append('"');
        foreach (char c in text)
        {
            if (c is '"' or '\\')
            {
                sb.Append(escape ?? c);
            }

            sb.Append(c);
        }

        sb.Append('"');
    }

    /// <summary>One array literal being read: the elements in order and the length seen at each nesting depth.</summary>
    private sealed class ArrayLiteral(string text, SqlType elementType)
    {
        private readonly List<SqlValue> _items = [];
        private readonly int[] _lengths = new int[SqlArray.MaxDimensions];
        private readonly StringBuilder _element = new();
        private int _at;
        private int _rank = -1; // the depth at which elements sit, once the first one is seen

        public SqlValue Parse()
        {
            SkipSpace();
            int[]? declared = _at < text.Length && text[_at] == '[' ? ReadDecoration() : null;
            if (_at >= text.Length || text[_at] != '{')
            {
                throw Malformed("Array value must start with \"{\" or dimension information.");
            }

            ReadLevel(1);
            SkipSpace();
            if (_at < text.Length)
            {
                throw Malformed("Junk after closing right brace.");
            }

            int rank = Math.Max(_rank, 0);
            int[] lengths = _lengths[..rank];
            if (declared is not null && (_items.Count > 0 || declared.Length > 0) && !declared.AsSpan().SequenceEqual(lengths))
            {
                throw Malformed("Specified array dimensions do not match array contents.");
            }

            return SqlValue.FromArray(new SqlArray(elementType, [.. _items], lengths));
        }

        /// <summary><c>[1:2][1:3]=</c> (or <c>[2]</c> for <c>[1:2]</c>): the lengths it declares.</summary>
        private int[] ReadDecoration()
        {
            var lengths = new List<int>();
            while (_at < text.Length && text[_at] == '[')
            {
                _at++;
                int lower = 1;
                int upper = ReadBound();
                if (_at < text.Length && text[_at] == ':')
                {
                    _at++;
                    lower = upper;
                    upper = ReadBound();
                }

                if (_at >= text.Length || text[_at] != ']')
                {
                    throw Malformed("Missing \"]\" after array dimensions.");
                }

                _at++;
                if (upper < lower - 1)
                {
                    throw new SqlException(SqlState.InvalidParameterValue, "upper bound cannot be less than lower bound");
                }

                if (lower != 1)
                {
                    throw SqlException.NotSupported("array lower bounds other than 1");
                }

                lengths.Add(upper);
                if (lengths.Count > SqlArray.MaxDimensions)
                {
                    throw TooManyDimensions(lengths.Count);
                }

                SkipSpace();
            }

            if (_at >= text.Length || text[_at] != '=')
            {
                throw Malformed("Missing \"=\" after array dimensions.");
            }

            _at++;
            SkipSpace();
            return [.. lengths];
        }

        private int ReadBound()
        {
            SkipSpace();
            int start = _at;
            if (_at < text.Length && text[_at] is '-' or '+')
            {
                _at++;
            }

            while (_at < text.Length && char.IsAsciiDigit(text[_at]))
            {
                _at++;
            }

            if (!int.TryParse(text.AsSpan(start, _at - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int bound))
            {
                throw Malformed("\"[\" must introduce explicitly-specified array dimensions.");
            }

            SkipSpace();
            return bound;
        }

        /// <summary>Reads <c>{...}</c> at nesting depth <paramref name="depth"/> (the opening brace is at the cursor).</summary>
        private void ReadLevel(int depth)
        {
            if (depth > SqlArray.MaxDimensions)
            {
                throw TooManyDimensions(depth);
            }

            _at++;
            SkipSpace();
            int count = 0;
            if (_at < text.Length && text[_at] == '}')
            {
                // {} is the empty array; an empty sub-array is not allowed
                if (depth > 1)
                {
                    throw Malformed("Unexpected \"}\" character.");
                }

                _at++;
                return;
            }

            while (true)
            {
                SkipSpace();
                if (_at >= text.Length)
                {
                    throw Malformed("Unexpected end of input.");
                }

                if (text[_at] == '{')
                {
                    if (_rank >= 0 && _rank <= depth)
                    {
                        throw Malformed("Unexpected \"{\" character.");
                    }

                    ReadLevel(depth + 1);
                }
                else
                {
                    if (_rank >= 0 && _rank != depth)
                    {
                        throw Malformed("Unexpected array element.");
                    }

                    _rank = depth;
                    _items.Add(ReadElement());
                }

                count++;
                SkipSpace();
                if (_at >= text.Length)
                {
                    throw Malformed("Unexpected end of input.");
                }

                char c = text[_at++];
                if (c == '}')
                {
                    break;
                }

                if (c != ',')
                {
                    throw Malformed(c == '{' ? "Unexpected \"{\" character." : "Unexpected array element.");
                }
            }

            int slot = depth - 1;
            if (_lengths[slot] == 0)
            {
                _lengths[slot] = count;
            }
            else if (_lengths[slot] != count)
            {
                throw Malformed("Multidimensional arrays must have sub-arrays with matching dimensions.");
            }
        }

        /// <summary>One element: quoted (backslash escapes) or bare (trimmed; <c>NULL</c> is the null element).</summary>
        private SqlValue ReadElement()
        {
            _element.Clear();
            if (text[_at] == '"')
            {
                _at++;
                while (_at < text.Length && text[_at] != '"')
                {
                    if (text[_at] == '\\' && _at + 1 < text.Length)
                    {
                        _at++;
                    }

                    _element.Append(text[_at++]);
                }

                if (_at >= text.Length)
                {
                    throw Malformed("Unexpected end of input.");
                }

                _at++;
                return SqlText.Parse(_element.ToString(), elementType);
            }

            int kept = 0; // the length up to the last escaped or non-space character: trailing spaces are trimmed, escaped ones kept
            bool escaped = false;
            while (_at < text.Length && text[_at] is not (',' or '}'))
            {
                char c = text[_at];
                if (c is '{' or '"')
                {
                    throw Malformed($"Unexpected \"{c}\" character.");
                }

                if (c == '\\' && _at + 1 < text.Length)
                {
                    _at++;
                    _element.Append(text[_at++]);
                    kept = _element.Length;
                    escaped = true;
                    continue;
                }

                _element.Append(c);
                _at++;
                if (!char.IsWhiteSpace(c))
                {
                    kept = _element.Length;
                }
            }

            string value = _element.ToString(0, kept);
            return !escaped && value.Equals("NULL", StringComparison.OrdinalIgnoreCase) ? SqlValue.Null : SqlText.Parse(value, elementType);
        }

        private void SkipSpace()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }

        private SqlException Malformed(string detail) =>
            new(SqlState.InvalidTextRepresentation, $"malformed array literal: \"{text}\"", detail: detail);

        private static SqlException TooManyDimensions(int rank) =>
            new(SqlState.ProgramLimitExceeded, $"number of array dimensions ({rank}) exceeds the maximum allowed ({SqlArray.MaxDimensions})");
    }
}
