using System.Collections.Frozen;

namespace ThunderDb.Core.Sql.Syntax;

/// <summary>
/// Every word the parser gives a meaning to. The SQL spelling is the member name in lower case with an
/// underscore before each inner capital (<c>CurrentTimestamp</c> = <c>current_timestamp</c>).
/// </summary>
public enum Keyword : short
{
    None = 0,
    // Reserved (PostgreSQL's reserved_keyword list).
    All, Analyse, Analyze, And, Any, Array, As, Asc, Asymmetric, Both, Case, Cast, Check, Collate, Column,
    Constraint, Create, CurrentCatalog, CurrentDate, CurrentRole, CurrentTime, CurrentTimestamp, CurrentUser,
    Default, Deferrable, Desc, Distinct, Do, Else, End, Except, False, Fetch, For, Foreign, From, Grant, Group,
    Having, In, Initially, Intersect, Into, Lateral, Leading, Limit, Localtime, Localtimestamp, Not, Null,
    Offset, On, Only, Or, Order, Placing, Primary, References, Returning, Select, SessionUser, Some, Symmetric,
    Table, Then, To, Trailing, True, Union, Unique, User, Using, Variadic, When, Where, Window, With,
    // Type and function-name keywords (never a bare alias).
    Authorization, Binary, Collation, Concurrently, Cross, CurrentSchema, Freeze, Full, Ilike, Inner, Is,
    Isnull, Join, Left, Like, Natural, Notnull, Outer, Overlaps, Right, Similar, Tablesample, Verbose,
    // Column-name keywords (a column may be called so, a function may not).
    Between, Bigint, Bit, Boolean, Char, Character, Coalesce, Dec, Decimal, Exists, Extract, Float, Greatest,
    Int, Integer, Interval, Least, National, Nchar, Nullif, Numeric, Overlay, Position, Precision, Real,
    Row, Setof, Smallint, Substring, Time, Timestamp, Treat, Trim, Values, Varchar,
    // Unreserved: usable as any name.
    Abort, Action, Add, Alter, Always, At, Begin, By, Cache, Cascade, Chain, Characteristics, Commit,
    Committed, Conflict, Continue, Copy, Csv, Current, Cycle, Data, Database, Day, Deallocate, Deferred,
    Delete, Delimiter, Discard, Double, Drop, Escape, Exclude, Execute, Explain, Filter, First, Following,
    Format, Generated, Global, Groups, Header, Hour, Identity, If, Immediate, Increment, Index, Insert,
    Isolation, Key, Last, Level, Local, Lock, Locked, Match, Materialized, Maxvalue, Minute, Minvalue, Month, Names,
    Next, No, Nothing, Nowait, Nulls, Of, Ordinality, Others, Over, Owned, Partial, Partition, Plans,
    Preceding, Prepare, Range, Read, Recursive, Release, Rename, Repeatable, Replace, Reset, Restart, Restrict,
    Rollback, Rows, Savepoint, Schema, Second, Sequence, Sequences, Serializable, Session, Set, Share, Show,
    Simple, Skip, Start, Stdin, Stdout, Stored, Temp, Temporary, Ties, Transaction, Truncate, Type, Unbounded,
    Uncommitted, Unlogged, Update, Vacuum, Value, Varying, View, Within, Without, Work, Write, Year, Zone,
    // MySQL dialect words (unreserved here; MySQL reserves some of them).
    AutoIncrement, Charset, Columns, Comment, Databases, Div, Duplicate, Engine, Fields, Ignore, Indexes,
    Keys, Mod, Mode, Regexp, Rlike, Signed, Status, Tables, Unsigned, Use, Variables, Xor, Zerofill,
}

/// <summary>How freely a keyword may be used as a name (PostgreSQL's four keyword categories).</summary>
public enum KeywordCategory : byte
{
    Unreserved,
    ColumnName,
    TypeOrFunctionName,
    Reserved,
}

/// <summary>Keyword lookup straight from the query text: no string is allocated to recognise a keyword.</summary>
public static class Keywords
{
    private static readonly FrozenDictionary<string, Keyword> BySpelling = BuildSpellings();
    private static readonly FrozenDictionary<string, Keyword>.AlternateLookup<ReadOnlySpan<char>> BySpan =
        BySpelling.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly string[] Spellings = BuildNames();

    public static int MaxLength { get; } = Spellings.Max(s => s.Length);

    public static Keyword Lookup(ReadOnlySpan<char> word) =>
        word.Length <= MaxLength && BySpan.TryGetValue(word, out Keyword k) ? k : Keyword.None;

    /// <summary>The keyword's SQL spelling in lower case.</summary>
    public static string Spelling(Keyword keyword) => Spellings[(int)keyword];

    public static KeywordCategory Category(Keyword keyword) => keyword switch
    {
        >= Keyword.All and <= Keyword.With => KeywordCategory.Reserved,
        >= Keyword.Authorization and <= Keyword.Verbose => KeywordCategory.TypeOrFunctionName,
        >= Keyword.Between and <= Keyword.Varchar => KeywordCategory.ColumnName,
        _ => KeywordCategory.Unreserved,
    };

    private static string[] BuildNames()
    {
        string[] names = Enum.GetNames<Keyword>();
        Keyword[] values = Enum.GetValues<Keyword>();
        string[] spellings = new string[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            spellings[(int)values[i]] = ToSqlSpelling(names[i]);
        }

        spellings[(int)Keyword.None] = "";
        return spellings;
    }

    private static FrozenDictionary<string, Keyword> BuildSpellings()
    {
        var map = new Dictionary<string, Keyword>(StringComparer.OrdinalIgnoreCase);
        foreach (Keyword k in Enum.GetValues<Keyword>())
        {
            if (k != Keyword.None)
            {
                map[ToSqlSpelling(Enum.GetName(k)!)] = k;
            }
        }

        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static string ToSqlSpelling(string memberName)
    {
        var sb = new System.Text.StringBuilder(memberName.Length + 4);
        for (int i = 0; i < memberName.Length; i++)
        {
            char c = memberName[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
