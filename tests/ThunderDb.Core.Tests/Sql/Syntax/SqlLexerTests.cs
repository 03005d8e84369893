using ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Tests.Sql.Syntax;

public class SqlLexerTests
{
    private static List<SqlToken> Lex(string sql, SqlDialect dialect = SqlDialect.PostgreSql)
    {
        var lexer = new SqlLexer(sql, dialect);
        var tokens = new List<SqlToken>();
        for (SqlToken t = lexer.Next(); t.Kind != TokenKind.EndOfInput; t = lexer.Next())
        {
            tokens.Add(t);
        }

        return tokens;
    }

    private static string[] Texts(string sql, SqlDialect dialect = SqlDialect.PostgreSql) =>
        Lex(sql, dialect).Select(t => sql.Substring(t.Start, t.Length)).ToArray();

    private static SqlSyntaxException LexError(string sql, SqlDialect dialect = SqlDialect.PostgreSql)
    {
        try
        {
            Lex(sql, dialect);
        }
        catch (SqlSyntaxException e)
        {
            return e;
        }

        throw new InvalidOperationException("expected a syntax error for " + sql);
    }

    [Test]
    public async Task Keywords_are_recognised_in_any_case_and_identifiers_are_not()
    {
        List<SqlToken> t = Lex("SeLeCt current_timestamp, foo FROM");
        await Assert.That(t[0].Keyword).IsEqualTo(Keyword.Select);
        await Assert.That(t[1].Keyword).IsEqualTo(Keyword.CurrentTimestamp);
        await Assert.That(t[2].Kind).IsEqualTo(TokenKind.Comma);
        await Assert.That(t[3].Keyword).IsEqualTo(Keyword.None);
        await Assert.That(t[3].Kind).IsEqualTo(TokenKind.Word);
        await Assert.That(t[4].Keyword).IsEqualTo(Keyword.From);
        await Assert.That(Keywords.Spelling(Keyword.AutoIncrement)).IsEqualTo("auto_increment");
        await Assert.That(Keywords.Category(Keyword.Select)).IsEqualTo(KeywordCategory.Reserved);
        await Assert.That(Keywords.Category(Keyword.Join)).IsEqualTo(KeywordCategory.TypeOrFunctionName);
        await Assert.That(Keywords.Category(Keyword.Key)).IsEqualTo(KeywordCategory.Unreserved);
    }

    [Test]
    public async Task Identifiers_fold_to_lower_case_unless_quoted()
    {
        const string sql = "MyTable \"MyTable\" \"a\"\"b\" ÉtÉ";
        List<SqlToken> t = Lex(sql);
        await Assert.That(SqlLiterals.Identifier(sql, t[0], SqlDialect.PostgreSql)).IsEqualTo("mytable");
        await Assert.That(SqlLiterals.Identifier(sql, t[1], SqlDialect.PostgreSql)).IsEqualTo("MyTable");
        await Assert.That(SqlLiterals.Identifier(sql, t[2], SqlDialect.PostgreSql)).IsEqualTo("a\"b");
        await Assert.That(SqlLiterals.Identifier(sql, t[3], SqlDialect.PostgreSql)).IsEqualTo("ÉtÉ");
    }

    [Test]
    public async Task Numbers_integer_decimal_and_exponent()
    {
        List<SqlToken> t = Lex("42 3.14 .5 1e10 2.5E-3 7. 1..5");
        TokenKind[] kinds = t.Select(x => x.Kind).ToArray();
        await Assert.That(kinds).IsEquivalentTo(new[]
        {
            TokenKind.Integer, TokenKind.Numeric, TokenKind.Numeric, TokenKind.Numeric, TokenKind.Numeric,
            TokenKind.Numeric, TokenKind.Integer, TokenKind.Dot, TokenKind.Numeric,
        });
        await Assert.That(LexError("SELECT 123abc").Message).IsEqualTo("trailing junk after numeric literal at or near \"123a\"");
    }

    [Test]
    public async Task Strings_with_doubled_quotes_escapes_dollar_quotes_bits_and_hex()
    {
        const string sql = "'it''s' E'a\\tb\\'c\\x41\\101\\u00e9' $$x'y$$ $tag$a$$b$tag$ B'0101' X'ff' N'nat'";
        List<SqlToken> t = Lex(sql);
        await Assert.That(t.Count).IsEqualTo(7);
        await Assert.That(SqlLiterals.String(sql, t[0])).IsEqualTo("it's");
        await Assert.That(SqlLiterals.String(sql, t[1])).IsEqualTo("a\tb'cAAé");
        await Assert.That(SqlLiterals.String(sql, t[2])).IsEqualTo("x'y");
        await Assert.That(SqlLiterals.String(sql, t[3])).IsEqualTo("a$$b");
        await Assert.That(t[4].Kind).IsEqualTo(TokenKind.BitString);
        await Assert.That(SqlLiterals.BitOrHexDigits(sql, t[4])).IsEqualTo("0101");
        await Assert.That(t[5].Kind).IsEqualTo(TokenKind.HexString);
        await Assert.That(SqlLiterals.BitOrHexDigits(sql, t[5])).IsEqualTo("ff");
        await Assert.That(SqlLiterals.String(sql, t[6])).IsEqualTo("nat");
    }

    [Test]
    public async Task Operators_follow_postgres_rules()
    {
        await Assert.That(Texts("a::int||b<>c!=d<=e>=f->g->>h~~i")).IsEquivalentTo(new[]
        {
            "a", "::", "int", "||", "b", "<>", "c", "!=", "d", "<=", "e", ">=", "f", "->", "g", "->>", "h", "~~", "i",
        });
        // A trailing + or - is split off unless the operator has one of ~!@#%^&|`?
        await Assert.That(Texts("a<-1")).IsEquivalentTo(new[] { "a", "<", "-", "1" });
        await Assert.That(Texts("a=-1")).IsEquivalentTo(new[] { "a", "=", "-", "1" });
        await Assert.That(Texts("a@-1")).IsEquivalentTo(new[] { "a", "@-", "1" });
        await Assert.That(Texts("a*/* c */b")).IsEquivalentTo(new[] { "a", "*", "b" });
        await Assert.That(Texts("x[1:2]")).IsEquivalentTo(new[] { "x", "[", "1", ":", "2", "]" });
    }

    [Test]
    public async Task Comments_line_and_nested_block()
    {
        await Assert.That(Texts("a -- c\n b /* x /* y */ z */ c")).IsEquivalentTo(new[] { "a", "b", "c" });
        SqlSyntaxException e = LexError("a /* x /* y */");
        await Assert.That(e.Message).StartsWith("unterminated /* comment");
        await Assert.That(e.Position).IsEqualTo(3);
    }

    [Test]
    public async Task Parameters_dollar_and_mysql_question_mark()
    {
        const string sql = "$1 + $12";
        List<SqlToken> t = Lex(sql);
        await Assert.That(t[0].Kind).IsEqualTo(TokenKind.Parameter);
        await Assert.That(SqlLiterals.ParameterNumber(sql, t[2])).IsEqualTo(12);
        List<SqlToken> m = Lex("id = ? AND k = ?", SqlDialect.MySql);
        await Assert.That(m.Count(x => x.Kind == TokenKind.Parameter)).IsEqualTo(2);
        await Assert.That(Lex("a ? b")[1].Kind).IsEqualTo(TokenKind.Operator);
    }

    [Test]
    public async Task Unterminated_literals_report_postgres_messages_and_positions()
    {
        SqlSyntaxException e = LexError("SELECT 'abc");
        await Assert.That(e.Message).IsEqualTo("unterminated quoted string at or near \"'abc\"");
        await Assert.That(e.Position).IsEqualTo(8);
        await Assert.That(e.SqlState).IsEqualTo("42601");
        await Assert.That(LexError("SELECT \"abc").Message).StartsWith("unterminated quoted identifier");
        await Assert.That(LexError("SELECT $$abc").Message).StartsWith("unterminated dollar-quoted string");
        await Assert.That(LexError("SELECT E'abc\\'").Message).StartsWith("unterminated quoted string");
        await Assert.That(LexError("SELECT \"\"").Message).StartsWith("zero-length delimited identifier");
        // Positions count characters, not UTF-16 units: the emoji is one character.
        await Assert.That(LexError("SELECT '😀', 'x").Position).IsEqualTo(13);
    }

    [Test]
    public async Task MySql_dialect_backquotes_hash_comments_double_quoted_strings_and_executable_comments()
    {
        const string sql = "SELECT `my col`, \"it\\\"s\", 'a\\nb' # comment\n FROM t /*! ENGINE = innodb */ @@session.autocommit @x 0x1F";
        List<SqlToken> t = Lex(sql, SqlDialect.MySql);
        await Assert.That(t[1].Kind).IsEqualTo(TokenKind.QuotedIdentifier);
        await Assert.That(SqlLiterals.Identifier(sql, t[1], SqlDialect.MySql)).IsEqualTo("my col");
        await Assert.That(t[3].Kind).IsEqualTo(TokenKind.String);
        await Assert.That(SqlLiterals.String(sql, t[3])).IsEqualTo("it\"s");
        await Assert.That(SqlLiterals.String(sql, t[5])).IsEqualTo("a\nb");
        string[] rest = t.Skip(6).Select(x => sql.Substring(x.Start, x.Length)).ToArray();
        await Assert.That(rest).IsEquivalentTo(new[] { "FROM", "t", "ENGINE", "=", "innodb", "@@session.autocommit", "@x", "0x1F" });
        await Assert.That(t[^1].Kind).IsEqualTo(TokenKind.HexString);
    }

    [Test]
    public async Task Lexing_allocates_nothing_per_token()
    {
        const string sql = "SELECT abalance, CURRENT_TIMESTAMP FROM pgbench_accounts WHERE aid = $1 AND filler <> 'x''y' -- c\n OR bid::bigint >= 1.5e3";
        static int LexAll(string text)
        {
            var lexer = new SqlLexer(text);
            int n = 0;
            while (lexer.Next().Kind != TokenKind.EndOfInput)
            {
                n++;
            }

            return n;
        }

        int tokens = LexAll(sql);

        // the least of several rounds: tiered compilation installing new code mid-round can allocate on this thread once,
        // a per-token allocation shows in every round
        long allocated = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                LexAll(sql);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        await Assert.That(tokens).IsEqualTo(20);
        await Assert.That(allocated).IsEqualTo(0);
    }
}
