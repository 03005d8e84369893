using ThunderDb.Core.Sql.Syntax;
using static ThunderDb.Core.Tests.Sql.Syntax.SqlTestHelpers;

namespace ThunderDb.Core.Tests.Sql.Syntax;

public class SqlMySqlDialectTests
{
    private const SqlDialect My = SqlDialect.MySql;

    [Test]
    public async Task Backquotes_limit_offset_comma_and_question_mark_parameters()
    {
        var s = (SelectStatement)Parse("SELECT `my col`, c FROM `Tab` WHERE id = ? AND k BETWEEN ? AND ? LIMIT 5, 10", My);
        await Assert.That(SqlPrinter.Print(s.Query.Offset!)).IsEqualTo("5");
        await Assert.That(SqlPrinter.Print(s.Query.Limit!)).IsEqualTo("10");
        var select = (SelectQuery)s.Query.Body;
        await Assert.That(((ColumnRefExpr)select.Targets[0].Expr).Name).IsEqualTo("my col");
        await Assert.That(((NamedTableRef)select.From[0]).Name.Name).IsEqualTo("Tab");
        // Markers are numbered in order, like $1..$3.
        await Assert.That(SqlPrinter.Print(select.Where!)).IsEqualTo("((id = $1) AND (k BETWEEN $2 AND $3))");
        await Assert.That(Print("select @@version_comment limit 1", My)).IsEqualTo("SELECT @@version_comment LIMIT 1");
    }

    [Test]
    public async Task Double_quoted_strings_hash_comments_and_mysql_operators()
    {
        var s = (SelectQuery)((SelectStatement)Parse("SELECT \"a\\\"b\" # trailing comment\n, 'it\\'s', 7 DIV 2, 7 MOD 2, a <=> b, x || y, NOT z", My)).Query.Body;
        await Assert.That(SqlPrinter.Print(s.Targets[0].Expr)).IsEqualTo("'a\"b'");
        await Assert.That(SqlPrinter.Print(s.Targets[1].Expr)).IsEqualTo("'it''s'");
        await Assert.That(SqlPrinter.Print(s.Targets[2].Expr)).IsEqualTo("(7 div 2)");
        await Assert.That(SqlPrinter.Print(s.Targets[3].Expr)).IsEqualTo("(7 % 2)");
        await Assert.That(s.Targets[4].Expr).IsTypeOf<IsDistinctFromExpr>();
        await Assert.That(((BoolExpr)s.Targets[5].Expr).Operator).IsEqualTo(BoolOperator.Or);
        await Assert.That(s.Targets.Count).IsEqualTo(7);
    }

    [Test]
    public async Task Show_use_and_set_names()
    {
        await Assert.That(((MySqlShowStatement)Parse("show databases", My)).What).IsEqualTo("databases");
        var tables = (MySqlShowStatement)Parse("SHOW FULL TABLES FROM shop LIKE 'sb%'", My);
        await Assert.That(tables.Full).IsTrue();
        await Assert.That(tables.Database).IsEqualTo("shop");
        await Assert.That(tables.Like).IsTypeOf<LiteralExpr>();
        var columns = (MySqlShowStatement)Parse("SHOW COLUMNS FROM sbtest1", My);
        await Assert.That(columns.What).IsEqualTo("columns");
        await Assert.That(columns.Target!.Name).IsEqualTo("sbtest1");
        await Assert.That(((MySqlShowStatement)Parse("SHOW CREATE TABLE t", My)).Target!.Name).IsEqualTo("t");
        await Assert.That(((MySqlShowStatement)Parse("SHOW SESSION VARIABLES LIKE 'auto%'", My)).Scope).IsEqualTo(SetScope.Session);
        await Assert.That(((UseStatement)Parse("use shop", My)).Database).IsEqualTo("shop");
        var names = (SetStatement)Parse("SET NAMES utf8mb4 COLLATE utf8mb4_general_ci", My);
        await Assert.That(names.Name).IsEqualTo("names");
        await Assert.That(SqlPrinter.Print(names.Values[0])).IsEqualTo("'utf8mb4'");
        var multi = (SetVariablesStatement)Parse("SET autocommit = 1, @x := 2, @@global.max_connections = 10, sql_mode = 'ANSI'", My);
        await Assert.That(multi.Assignments.Select(a => (a.Scope, a.Name))).IsEquivalentTo(new[]
        {
            (SetScope.Session, "autocommit"), (SetScope.User, "x"), (SetScope.Global, "max_connections"), (SetScope.Session, "sql_mode"),
        });
        await Assert.That(((SetTransactionStatement)Parse("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", My)).Modes.Isolation).IsEqualTo(IsolationLevel.ReadCommitted);
    }

    [Test]
    public async Task Sysbench_ddl_and_upserts()
    {
        var t = (CreateTableStatement)Parse(
            "CREATE TABLE sbtest1(id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, " +
            "pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id)) /*! ENGINE = innodb */", My);
        await Assert.That(t.Columns.Count).IsEqualTo(4);
        await Assert.That(t.Columns[0].Constraints.Select(c => c.Kind)).IsEquivalentTo(new[] { ColumnConstraintKind.NotNull, ColumnConstraintKind.AutoIncrement });
        await Assert.That(t.Constraints[0].Kind).IsEqualTo(TableConstraintKind.PrimaryKey);
        await Assert.That(t.Options[0]).IsEqualTo(new GenericOption("engine", "innodb"));
        var withKeys = (CreateTableStatement)Parse(
            "CREATE TABLE `t` (`id` int(11) unsigned NOT NULL, `name` varchar(32) CHARACTER SET utf8mb4 COMMENT 'n', KEY `ix_name` (`name`(10)), UNIQUE KEY `u` (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", My);
        await Assert.That(withKeys.Columns[0].Type.Unsigned).IsTrue();
        await Assert.That(withKeys.Constraints.Select(c => c.Kind)).IsEquivalentTo(new[] { TableConstraintKind.Index, TableConstraintKind.Unique });
        await Assert.That(withKeys.Options.Select(o => o.Name)).IsEquivalentTo(new[] { "engine", "charset" });
        var upsert = (InsertStatement)Parse("INSERT INTO t (a, b) VALUES (?, ?) ON DUPLICATE KEY UPDATE b = VALUES(b) + 1", My);
        await Assert.That(upsert.OnDuplicateKeyUpdate!.Count).IsEqualTo(1);
        await Assert.That(((InsertStatement)Parse("REPLACE INTO t VALUES (1)", My)).Replace).IsTrue();
        await Assert.That(((InsertStatement)Parse("INSERT IGNORE INTO t VALUES (1)", My)).Ignore).IsTrue();
        await Assert.That(((DropStatement)Parse("DROP INDEX k_1 ON sbtest1", My)).OnTable!.Name).IsEqualTo("sbtest1");
        var types = (CreateTableStatement)Parse("CREATE TABLE t (a FLOAT(10,2), b DATETIME(6), d ENUM('x','y'))", My);
        await Assert.That(types.Columns.Select(c => c.Type.Name)).IsEquivalentTo(new[] { "float8", "DATETIME", "ENUM" });
        await Assert.That(types.Columns[2].Type.Modifiers.Count).IsEqualTo(2);
        var describe = (MySqlShowStatement)Parse("DESCRIBE sbtest1", My);
        await Assert.That(describe.What).IsEqualTo("columns");
        await Assert.That(describe.Target!.Name).IsEqualTo("sbtest1");
        await Assert.That(((SelectQuery)((SelectStatement)Parse("SELECT 1 FROM Dual", My)).Query.Body).From.Count).IsEqualTo(0);
    }
}
