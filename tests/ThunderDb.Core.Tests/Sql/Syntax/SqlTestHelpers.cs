using ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Tests.Sql.Syntax;

internal static class SqlTestHelpers
{
    /// <summary>Parses one statement and checks that printing and reparsing it gives the same tree.</summary>
    public static SqlStatement Parse(string sql, SqlDialect dialect = SqlDialect.PostgreSql)
    {
        SqlStatement statement = SqlParser.ParseSingle(sql, dialect);
        string printed = SqlPrinter.Print(statement);
        if (dialect == SqlDialect.PostgreSql)
        {
            string reprinted = SqlPrinter.Print(SqlParser.ParseSingle(printed));
            if (reprinted != printed)
            {
                throw new InvalidOperationException($"round trip changed the tree: {printed} => {reprinted}");
            }
        }

        return statement;
    }

    /// <summary>The canonical (fully parenthesized) text of one statement.</summary>
    public static string Print(string sql, SqlDialect dialect = SqlDialect.PostgreSql) => SqlPrinter.Print(Parse(sql, dialect));

    /// <summary>The canonical text of one expression (round trip checked).</summary>
    public static string Expr(string sql)
    {
        string printed = SqlPrinter.Print(SqlParser.ParseExpression(sql));
        string reprinted = SqlPrinter.Print(SqlParser.ParseExpression(printed));
        return reprinted == printed ? printed : throw new InvalidOperationException($"round trip changed the tree: {printed} => {reprinted}");
    }

    public static SqlExpr ParseExpr(string sql) => SqlParser.ParseExpression(sql);

    /// <summary>Same node type and same printed tree (record equality is referential for the lists).</summary>
    public static bool Same(SqlExpr actual, SqlExpr expected) =>
        actual.GetType() == expected.GetType() && SqlPrinter.Print(actual) == SqlPrinter.Print(expected);

    public static SqlSyntaxException Error(string sql, SqlDialect dialect = SqlDialect.PostgreSql)
    {
        try
        {
            SqlParser.Parse(sql, dialect);
        }
        catch (SqlSyntaxException e)
        {
            return e;
        }

        throw new InvalidOperationException("expected a syntax error for: " + sql);
    }

    public static SelectQuery Select(string sql) =>
        (SelectQuery)((SelectStatement)Parse(sql)).Query.Body;
}
