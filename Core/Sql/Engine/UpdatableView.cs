using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Functions;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// PostgreSQL's automatically updatable views: INSERT, UPDATE and DELETE on a view that selects from one table, without
/// DISTINCT, GROUP BY, HAVING, aggregates, window or set-returning functions, set operations, LIMIT/OFFSET or WITH, act
/// on that table. Each view column that is a plain column of the table maps to it; an UPDATE or DELETE reaches only the
/// rows the view's WHERE shows; an INSERT fills the columns the view leaves out with their defaults (the new row need not
/// satisfy the WHERE: there is no CHECK OPTION). Views over views are refused for now.
/// </summary>
internal sealed record UpdatableView(ViewDef View, Ast.ObjectName Table, string? TableAlias, IReadOnlyList<(string Name, string? Column, Ast.SqlExpr Expr)> Columns,
    Ast.SqlExpr? Where)
{
    /// <summary>Checks that <paramref name="view"/> can take the write; <paramref name="verb"/> is "insert into", "update" or "delete from".</summary>
    public static UpdatableView Of(ViewDef view, string verb, Planning.Binder binder)
    {
        if (Ast.SqlParser.ParseSingle(view.QuerySql) is not Ast.SelectStatement { Query: var query })
        {
            throw new SqlException(SqlState.InternalError, $"view \"{view.Name}\" does not hold a query");
        }

        string? refusal = query switch
        {
            { With: not null } => "Views containing WITH are not automatically updatable.",
            { Limit: not null } or { Offset: not null } => "Views containing LIMIT or OFFSET are not automatically updatable.",
            { Body: Ast.SetOperationQuery } => "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.",
            { Body: not Ast.SelectQuery } => "Views that do not select from a single table or view are not automatically updatable.",
            _ => null,
        };
        var select = query.Body as Ast.SelectQuery;
        refusal ??= select switch
        {
            { Distinct: not Ast.DistinctKind.None } => "Views containing DISTINCT are not automatically updatable.",
            { GroupBy.Count: > 0 } => "Views containing GROUP BY are not automatically updatable.",
            { Having: not null } => "Views containing HAVING are not automatically updatable.",
            { From: not [Ast.NamedTableRef] } => "Views that do not select from a single table or view are not automatically updatable.",
            _ => select!.Targets.Select(t => TargetRefusal(t.Expr)).FirstOrDefault(r => r is not null),
        };
        if (refusal is not null)
        {
            throw NotUpdatable(view, verb, refusal);
        }

        var from = (Ast.NamedTableRef)select!.From[0];
        TableDef table = binder.FindRelation(from.Name) switch
        {
            TableDef t => t,
            ViewDef => throw SqlException.NotSupported($"{verb} view \"{view.Name}\": writing through a view of a view"),
            _ => throw new SqlException(SqlState.UndefinedTable, $"relation \"{from.Name.Name}\" does not exist"),
        };
        string? alias = from.Alias?.Name;
        var columns = new List<(string, string?, Ast.SqlExpr)>();
        foreach (Ast.SelectItem target in select.Targets)
        {
            IEnumerable<(string Derived, string? Column, Ast.SqlExpr Expr)> items = target.Expr switch
            {
                Ast.StarExpr => table.VisibleColumns.Select(c => (c.Name, (string?)c.Name, (Ast.SqlExpr)new Ast.ColumnRefExpr([c.Name]))),
                Ast.ColumnRefExpr c when c.Names.Count == 1 || c.Names[^2] == (alias ?? from.Name.Name) => [(target.Alias ?? c.Name, c.Name, c)],
                var e => [(target.Alias ?? "?column?", null, e)],
            };
            foreach ((string derived, string? column, Ast.SqlExpr expr) in items)
            {
                // the names given at CREATE VIEW v (a, b) come first; the rest keep their derived names
                columns.Add((columns.Count < view.ColumnNames.Count ? view.ColumnNames[columns.Count] : derived, column, expr));
            }
        }

        if (verb != "delete from" && columns.TrueForAll(c => c.Item2 is null))
        {
            throw NotUpdatable(view, verb, "Views that have no updatable columns are not automatically updatable.");
        }

        return new UpdatableView(view, from.Name, alias, columns, select.Where);
    }

    /// <summary>The table column behind view column <paramref name="name"/>; 0A000 for a computed one, as PostgreSQL says it.</summary>
    public string ColumnFor(string name, string verb)
    {
        foreach ((string viewColumn, string? column, _) in Columns)
        {
            if (viewColumn == name)
            {
                return column ?? throw new SqlException(SqlState.FeatureNotSupported, $"cannot {(verb == "update" ? "update" : "insert into")} column \"{name}\" of view \"{View.Name}\"",
                    detail: "View columns that are not columns of their base relation are not updatable.");
            }
        }

        throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" of relation \"{View.Name}\" does not exist");
    }

    private static string? TargetRefusal(Ast.SqlExpr e) => e switch
    {
        Ast.FunctionCallExpr { Over: not null } => "Views that return window functions are not automatically updatable.",
        Ast.FunctionCallExpr f when FunctionCatalog.IsAggregate(f.FunctionName) => "Views that return aggregate functions are not automatically updatable.",
        Ast.FunctionCallExpr f when TableFunctions.IsSetReturning(f.FunctionName) => "Views that return set-returning functions are not automatically updatable.",
        _ => null,
    };

    private static SqlException NotUpdatable(ViewDef view, string verb, string detail)
    {
        string action = verb switch
        {
            "insert into" => "inserting into",
            "update" => "updating",
            _ => "deleting from",
        };
        string command = verb.Split(' ')[0].ToUpperInvariant();
        return new SqlException(SqlState.ObjectNotInPrerequisiteState, $"cannot {verb} view \"{view.Name}\"", detail: detail,
            hint: $"To enable {action} the view, provide an INSTEAD OF {command} trigger or an unconditional ON {command} DO INSTEAD rule.");
    }
}
