using System.Globalization;
using System.Text;
using ThunderDb.Core.Sql.Syntax;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// The character-string functions on text (varchar, char and name arguments are cast to text by the binder;
/// untyped literals resolve to text). Positions and lengths count characters, 1-based, as PostgreSQL does.
/// POSITION(a IN b) arrives as position(b, a), SUBSTRING(s FROM a FOR b) as substring(s, a, b) and
/// TRIM([LEADING|TRAILING|BOTH] c FROM s) as ltrim/rtrim/btrim(s, c): the parser's rewrites.
/// </summary>
internal static class StringFunctions
{
    /// <summary>PostgreSQL refuses results over 1 GB (MaxAllocSize), counting 4 bytes per character in UTF-8.</summary>
    private const long MaxResultChars = (1L << 30) / 4;
    private static readonly SqlType T = SqlType.Text, I4 = SqlType.Int4;

    public static void Register(List<ScalarFunction> f)
    {
        foreach (string name in (string[])["length", "char_length", "character_length"])
        {
            f.Add(name, I4, (a, _) => SqlValue.FromInt4(CharCount(a[0].AsString)), T);
        }

        f.Add("length", I4, (a, _) => SqlValue.FromInt4(a[0].AsBytes.Length), SqlType.Bytea);
        f.Add("octet_length", I4, (a, _) => SqlValue.FromInt4(Encoding.UTF8.GetByteCount(a[0].AsString)), T);
        f.Add("octet_length", I4, (a, _) => SqlValue.FromInt4(a[0].AsBytes.Length), SqlType.Bytea);
        f.Add("lower", T, (a, _) => Fn.Text(a[0].AsString.ToLowerInvariant()), T);
        f.Add("upper", T, (a, _) => Fn.Text(a[0].AsString.ToUpperInvariant()), T);
        f.Add("initcap", T, (a, _) => Fn.Text(InitCap(a[0].AsString)), T);
        foreach (string name in (string[])["substr", "substring"])
        {
            f.Add(name, T, (a, _) => Fn.Text(Substring(a[0].AsString, a[1].AsInt64, null)), T, I4);
            f.Add(name, T, (a, _) => Fn.Text(Substring(a[0].AsString, a[1].AsInt64, a[2].AsInt64)), T, I4, I4);
        }

        f.Add("overlay", T, (a, _) => Fn.Text(Overlay(a[0].AsString, a[1].AsString, a[2].AsInt32, CharCount(a[1].AsString))), T, T, I4);
        f.Add("overlay", T, (a, _) => Fn.Text(Overlay(a[0].AsString, a[1].AsString, a[2].AsInt32, a[3].AsInt32)), T, T, I4, I4);
        f.Add("position", I4, (a, _) => SqlValue.FromInt4(Position(a[0].AsString, a[1].AsString)), T, T);
        f.Add("strpos", I4, (a, _) => SqlValue.FromInt4(Position(a[0].AsString, a[1].AsString)), T, T);
        f.Add("left", T, (a, _) => Fn.Text(Left(a[0].AsString, a[1].AsInt32)), T, I4);
        f.Add("right", T, (a, _) => Fn.Text(Right(a[0].AsString, a[1].AsInt32)), T, I4);
        f.Add("lpad", T, (a, _) => Fn.Text(Pad(a[0].AsString, a[1].AsInt32, " ", left: true)), T, I4);
        f.Add("lpad", T, (a, _) => Fn.Text(Pad(a[0].AsString, a[1].AsInt32, a[2].AsString, left: true)), T, I4, T);
        f.Add("rpad", T, (a, _) => Fn.Text(Pad(a[0].AsString, a[1].AsInt32, " ", left: false)), T, I4);
        f.Add("rpad", T, (a, _) => Fn.Text(Pad(a[0].AsString, a[1].AsInt32, a[2].AsString, left: false)), T, I4, T);
        f.Add("ltrim", T, (a, _) => Fn.Text(a[0].AsString.TrimStart(' ')), T);
        f.Add("ltrim", T, (a, _) => Fn.Text(a[0].AsString.AsSpan().TrimStart(a[1].AsString).ToString()), T, T);
        f.Add("rtrim", T, (a, _) => Fn.Text(a[0].AsString.TrimEnd(' ')), T);
        f.Add("rtrim", T, (a, _) => Fn.Text(a[0].AsString.AsSpan().TrimEnd(a[1].AsString).ToString()), T, T);
        f.Add("btrim", T, (a, _) => Fn.Text(a[0].AsString.Trim(' ')), T);
        f.Add("btrim", T, (a, _) => Fn.Text(a[0].AsString.AsSpan().Trim(a[1].AsString).ToString()), T, T);
        f.Add("replace", T, (a, _) => Fn.Text(a[1].AsString.Length == 0 ? a[0].AsString : a[0].AsString.Replace(a[1].AsString, a[2].AsString, StringComparison.Ordinal)), T, T, T);
        f.Add("repeat", T, (a, _) => Fn.Text(Repeat(a[0].AsString, a[1].AsInt32)), T, I4);
        f.Add("reverse", T, (a, _) => Fn.Text(Reverse(a[0].AsString)), T);
        f.Add("split_part", T, (a, _) => Fn.Text(SplitPart(a[0].AsString, a[1].AsString, a[2].AsInt32)), T, T, I4);
        f.Add("translate", T, (a, _) => Fn.Text(Translate(a[0].AsString, a[1].AsString, a[2].AsString)), T, T, T);
        f.Add("starts_with", SqlType.Bool, (a, _) => SqlValue.FromBool(a[0].AsString.StartsWith(a[1].AsString, StringComparison.Ordinal)), T, T);
        f.Add("md5", T, (a, _) => Fn.Text(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(a[0].AsString)))), T);
        f.Add("md5", T, (a, _) => Fn.Text(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(a[0].AsBytes))), SqlType.Bytea);
        // PostgreSQL 11's SHA-2 functions: bytea in, the digest as bytea out
        f.Add("sha256", SqlType.Bytea, (a, _) => SqlValue.FromBytea(System.Security.Cryptography.SHA256.HashData(a[0].AsBytes)), SqlType.Bytea);
        f.Add("sha384", SqlType.Bytea, (a, _) => SqlValue.FromBytea(System.Security.Cryptography.SHA384.HashData(a[0].AsBytes)), SqlType.Bytea);
        f.Add("sha512", SqlType.Bytea, (a, _) => SqlValue.FromBytea(System.Security.Cryptography.SHA512.HashData(a[0].AsBytes)), SqlType.Bytea);
        f.Add("chr", T, (a, _) => Fn.Text(Chr(a[0].AsInt64)), I4);
        f.Add("ascii", I4, (a, _) => SqlValue.FromInt4(a[0].AsString.Length == 0 ? 0 : char.ConvertToUtf32(a[0].AsString, 0)), T);
        f.Add("to_hex", T, (a, _) => Fn.Text(((uint)a[0].AsInt32).ToString("x", CultureInfo.InvariantCulture)), I4);
        f.Add("to_hex", T, (a, _) => Fn.Text(((ulong)a[0].AsInt64).ToString("x", CultureInfo.InvariantCulture)), SqlType.Int8);
        f.Add("quote_ident", T, (a, _) => Fn.Text(QuoteIdent(a[0].AsString)), T);
        f.Add("quote_literal", T, (a, _) => Fn.Text(QuoteLiteral(a[0].AsString)), T);
        f.Add(new ScalarFunction("quote_nullable", [T], T, (a, _) => Fn.Text(a[0].IsNull ? "NULL" : QuoteLiteral(a[0].AsString)), Strict: false));

        f.Add(new ScalarFunction("concat", [], T, (a, _) => Fn.Text(Join("", a)), Strict: false, VariadicElement: FunctionCatalog.AnyElement));
        f.Add(new ScalarFunction("concat_ws", [T], T, (a, _) => a[0].IsNull ? SqlValue.Null : Fn.Text(Join(a[0].AsString, a.AsSpan(1))),
            Strict: false, VariadicElement: FunctionCatalog.AnyElement));
        f.Add("format", T, (a, _) => Fn.Text(SqlFormat.Format(a[0].AsString, [])), T);
        f.Add(new ScalarFunction("format", [T], T, (a, _) => a[0].IsNull ? SqlValue.Null : Fn.Text(SqlFormat.Format(a[0].AsString, a.AsSpan(1))),
            Strict: false, VariadicElement: FunctionCatalog.AnyElement));

        SqlType textArray = T.ArrayOf();
        f.Add(new ScalarFunction("string_to_array", [T, T], textArray, (a, _) => StringToArray(a[0], a[1], SqlValue.Null), Strict: false));
        f.Add(new ScalarFunction("string_to_array", [T, T, T], textArray, (a, _) => StringToArray(a[0], a[1], a[2]), Strict: false));
        f.Add(new ScalarFunction("array_to_string", [FunctionCatalog.AnyArray, T], T, (a, _) => ArrayToString(a[0], a[1], SqlValue.Null)));
        f.Add(new ScalarFunction("array_to_string", [FunctionCatalog.AnyArray, T, T], T, (a, _) => ArrayToString(a[0], a[1], a[2]), Strict: false));
    }

    /// <summary>Characters, not UTF-16 units: a surrogate pair is one character.</summary>
    private static int CharCount(ReadOnlySpan<char> s)
    {
        if (!HasSurrogates(s))
        {
            return s.Length;
        }

        int n = s.Length;
        foreach (char c in s)
        {
            if (char.IsLowSurrogate(c))
            {
                n--;
            }
        }

        return n;
    }

    /// <summary>A value as its output function prints it (what concat and format see).</summary>
    internal static string OutputText(SqlValue v) => SqlCompare.IsString(v.Kind) && !v.IsArray ? v.AsString : SqlText.Format(v);

    private static string Join(string separator, ReadOnlySpan<SqlValue> values)
    {
        var sb = new StringBuilder();
        bool first = true;
        foreach (SqlValue v in values)
        {
            if (v.IsNull)
            {
                continue;
            }

            if (!first)
            {
                sb.Append(separator);
            }

            sb.Append(OutputText(v));
            first = false;
        }

        return sb.ToString();
    }

    private static string InitCap(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool inWord = false;
        foreach (char c in s)
        {
            sb.Append(inWord ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            inWord = char.IsLetterOrDigit(c);
        }

        return sb.ToString();
    }

    private static string Substring(string s, long start, long? count)
    {
        if (count < 0)
        {
            throw new SqlException("22011", "negative substring length not allowed");
        }

        long end = count is long n ? start + n : long.MaxValue; // exclusive, 1-based, in characters
        long from = Math.Max(start, 1);
        int length = CharCount(s);
        if (end <= from || from > length)
        {
            return "";
        }

        long to = Math.Min(end, length + 1L);
        return Slice(s, (int)(from - 1), (int)(to - from));
    }

    /// <summary>OVERLAY(s PLACING r FROM n FOR m): the characters before n, then r, then those from n + m on.</summary>
    private static string Overlay(string s, string replacement, int from, int count)
    {
        // FROM 0 asks for a negative-length head, which substring refuses, as in PostgreSQL
        return Substring(s, 1, from - 1L) + replacement + Substring(s, (long)from + count, null);
    }

    private static int Position(string s, string sub)
    {
        int at = s.IndexOf(sub, StringComparison.Ordinal);
        return at < 0 ? 0 : CharCount(s.AsSpan(0, at)) + 1;
    }

    private static string Left(string s, int n)
    {
        int length = CharCount(s);
        return Slice(s, 0, n >= 0 ? Math.Min(n, length) : Math.Max(0, length + n));
    }

    private static string Right(string s, int n)
    {
        int length = CharCount(s);
        int skip = n >= 0 ? Math.Max(0, length - n) : Math.Min(length, -n);
        return Slice(s, skip, length - skip);
    }

    /// <summary><paramref name="count"/> characters from character <paramref name="start"/> (0-based); a surrogate pair is one character.</summary>
    private static string Slice(string s, int start, int count)
    {
        if (!HasSurrogates(s))
        {
            return s.Substring(start, count);
        }

        int from = Utf16Index(s, 0, start);
        return s[from..Utf16Index(s, from, count)];
    }

    private static int Utf16Index(string s, int from, int characters)
    {
        int i = from;
        for (int c = 0; c < characters && i < s.Length; c++)
        {
            i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
        }

        return i;
    }

    private static bool HasSurrogates(ReadOnlySpan<char> s) => s.IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    private static string Pad(string s, int length, string fill, bool left)
    {
        if (length <= 0)
        {
            return "";
        }

        if (length > MaxResultChars)
        {
            throw TooLong();
        }

        int have = CharCount(s);
        if (have >= length || fill.Length == 0)
        {
            return have >= length ? Slice(s, 0, length) : s;
        }

        string[] fillChars = fill.EnumerateRunes().Select(r => r.ToString()).ToArray();
        var padding = new StringBuilder(length - have);
        for (int i = 0; i < length - have; i++)
        {
            padding.Append(fillChars[i % fillChars.Length]);
        }

        return left ? padding.Append(s).ToString() : s + padding;
    }

    private static SqlException TooLong() => new(SqlState.ProgramLimitExceeded, "requested length too large");

    private static string Repeat(string s, int count)
    {
        if (count <= 0 || s.Length == 0)
        {
            return "";
        }

        if ((long)s.Length * count > MaxResultChars)
        {
            throw TooLong();
        }

        return new StringBuilder(s.Length * count).Insert(0, s, count).ToString();
    }

    private static string Reverse(string s)
    {
        var runes = s.EnumerateRunes().ToArray();
        Array.Reverse(runes);
        var sb = new StringBuilder(s.Length);
        foreach (Rune r in runes)
        {
            sb.Append(r.ToString());
        }

        return sb.ToString();
    }

    private static string SplitPart(string s, string delimiter, int field)
    {
        if (field == 0)
        {
            throw Fn.InvalidParameter("field position must not be zero");
        }

        string[] parts = s.Length == 0 ? [] : delimiter.Length == 0 ? [s] : s.Split(delimiter);
        int index = field > 0 ? field - 1 : parts.Length + field;
        return index >= 0 && index < parts.Length ? parts[index] : "";
    }

    private static string Translate(string s, string from, string to)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            int i = from.IndexOf(c, StringComparison.Ordinal);
            if (i < 0)
            {
                sb.Append(c);
            }
            else if (i < to.Length)
            {
                sb.Append(to[i]);
            }
        }

        return sb.ToString();
    }

    private static string Chr(long code)
    {
        if (code == 0)
        {
            throw new SqlException(SqlState.ProgramLimitExceeded, "null character not permitted");
        }

        if (code < 0 || code > 0x10FFFF)
        {
            throw new SqlException(SqlState.ProgramLimitExceeded, $"requested character too large for encoding: {code}");
        }

        if (code is >= 0xD800 and <= 0xDFFF)
        {
            throw new SqlException(SqlState.ProgramLimitExceeded, $"requested character not valid for encoding: {code}");
        }

        return char.ConvertFromUtf32((int)code);
    }

    /// <summary>Quotes unless the name is lower-case letters, digits and _ (not leading with a digit) and not a keyword other than an unreserved one.</summary>
    internal static string QuoteIdent(string name)
    {
        bool plain = name.Length > 0 && (name[0] is (>= 'a' and <= 'z') or '_');
        foreach (char c in name)
        {
            plain &= c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_';
        }

        if (plain && Keywords.Category(Keywords.Lookup(name)) == KeywordCategory.Unreserved)
        {
            return name;
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    internal static string QuoteLiteral(string s)
    {
        string quoted = "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
        return s.Contains('\\', StringComparison.Ordinal) ? "E" + quoted.Replace("\\", "\\\\", StringComparison.Ordinal) : quoted;
    }

    private static SqlValue StringToArray(SqlValue text, SqlValue delimiter, SqlValue nullString)
    {
        if (text.IsNull)
        {
            return SqlValue.Null;
        }

        string s = text.AsString;
        string[] parts = s.Length == 0 ? []
            : delimiter.IsNull ? s.EnumerateRunes().Select(r => r.ToString()).ToArray()
            : delimiter.AsString.Length == 0 ? [s]
            : s.Split(delimiter.AsString);
        var items = new SqlValue[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            items[i] = !nullString.IsNull && parts[i] == nullString.AsString ? SqlValue.Null : Fn.Text(parts[i]);
        }

        return SqlValue.FromArray(new SqlArray(SqlType.Text, items));
    }

    private static SqlValue ArrayToString(SqlValue array, SqlValue delimiter, SqlValue nullString)
    {
        if (array.IsNull || delimiter.IsNull)
        {
            return SqlValue.Null;
        }

        var sb = new StringBuilder();
        bool first = true;
        foreach (SqlValue item in array.AsArray.Items)
        {
            if (item.IsNull && nullString.IsNull)
            {
                continue;
            }

            if (!first)
            {
                sb.Append(delimiter.AsString);
            }

            sb.Append(item.IsNull ? nullString.AsString : OutputText(item));
            first = false;
        }

        return Fn.Text(sb.ToString());
    }
}
