using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// Views depend on what their query reads: a table or view cannot be dropped from under a view (2BP01) unless CASCADE
/// drops the views too, and a column cannot be dropped while a view still needs it. A view's dependencies are found by
/// binding its stored query (the relations it names itself; views of views follow through their own dependencies).
/// </summary>
internal sealed partial class DdlExecutor
{
    /// <summary>Views that read <paramref name="relation"/>, directly or through other views, each with what it reads; none of <paramref name="spared"/>.</summary>
    private List<(ViewDef View, CatalogObject On)> DependentViews(CatalogObject relation, IReadOnlySet<uint> spared)
    {
        var found = new List<(ViewDef, CatalogObject)>();
        List<(ViewDef View, HashSet<uint> Reads)> views = [.. Catalog.All.OfType<ViewDef>()
            .Where(v => Catalog.Find<SchemaDef>(v.ParentOid)?.DatabaseOid == binder.Session.DatabaseOid && !spared.Contains(v.Oid))
            .OrderBy(v => v.Oid).Select(v => (v, ReadsOf(v)))];

        // depth first, as PostgreSQL reports them: a view, then the views that read it
        void Visit(CatalogObject on)
        {
            foreach ((ViewDef view, HashSet<uint> reads) in views)
            {
                if (reads.Contains(on.Oid) && view.Oid != relation.Oid && !found.Exists(f => f.Item1.Oid == view.Oid))
                {
                    found.Add((view, on));
                    Visit(view);
                }
            }
        }

        Visit(relation);
        return found;
    }

    /// <summary>The relations a view's query names; none when it no longer binds (what it read is already gone).</summary>
    private HashSet<uint> ReadsOf(ViewDef view)
    {
        try
        {
            return new Binder(Catalog, binder.Session).RelationsReadBy(QueryOf(view));
        }
        catch (SqlException)
        {
            return [];
        }
    }

    /// <summary>A view's query bound against the catalog as this DDL has left it (SqlException when it no longer binds).</summary>
    private PlanNode BindView(ViewDef view) => new Binder(Catalog, binder.Session).BindSelect(QueryOf(Catalog.Find<ViewDef>(view.Oid) ?? view));

    private static Ast.Query QueryOf(ViewDef view) => Ast.SqlParser.ParseSingle(view.QuerySql) is Ast.SelectStatement select
        ? select.Query
        : throw new SqlException(SqlState.InternalError, $"view \"{view.Name}\" does not hold a query");

    /// <summary>DROP of a table or view: its dependent views go with CASCADE (a notice), or the drop fails as PostgreSQL's does.</summary>
    private void DropDependentViews(CatalogObject relation, bool cascade, IReadOnlySet<uint> spared)
    {
        List<(ViewDef View, CatalogObject On)> dependents = DependentViews(relation, spared);
        if (dependents.Count == 0)
        {
            return;
        }

        if (!cascade)
        {
            throw new SqlException(SqlState.DependentObjectsStillExist,
                $"cannot drop {Noun(relation)} {relation.Name} because other objects depend on it",
                detail: string.Join('\n', dependents.Select(d => $"view {d.View.Name} depends on {Noun(d.On)} {d.On.Name}")),
                hint: "Use DROP ... CASCADE to drop the dependent objects too.");
        }

        CascadeNotice([.. dependents.Select(d => $"view {d.View.Name}")]);
        foreach ((ViewDef view, _) in Enumerable.Reverse(dependents))
        {
            changes.Drop(view.Oid);
        }
    }

    /// <summary>
    /// After DROP COLUMN: a view that read the column no longer binds; with CASCADE it goes (with the views that read it,
    /// <paramref name="before"/> being the dependents found before the column went), else the drop fails.
    /// </summary>
    private void DropViewsOfColumn(TableDef table, string column, bool cascade, List<(ViewDef View, CatalogObject On)> before)
    {
        var gone = new HashSet<uint>();
        for (int i = 0; i < before.Count; i++)
        {
            (ViewDef view, CatalogObject on) = before[i];
            if (on.Oid != table.Oid)
            {
                continue;
            }

            try
            {
                BindView(view);
            }
            catch (SqlException e) when (e.SqlState == SqlState.UndefinedColumn)
            {
                if (!cascade)
                {
                    // the view, then the views that read it (they follow it in depth-first order)
                    IEnumerable<string> through = before.Skip(i + 1).TakeWhile(d => d.On.Oid != table.Oid).Select(d => $"view {d.View.Name} depends on {Noun(d.On)} {d.On.Name}");
                    throw new SqlException(SqlState.DependentObjectsStillExist, $"cannot drop column {column} of table {table.Name} because other objects depend on it",
                        detail: string.Join('\n', [$"view {view.Name} depends on column {column} of table {table.Name}", .. through]),
                        hint: "Use DROP ... CASCADE to drop the dependent objects too.");
                }

                gone.Add(view.Oid);
            }
        }

        // the views of dropped views go too, most dependent first
        foreach ((ViewDef view, CatalogObject on) in before)
        {
            if (gone.Contains(on.Oid))
            {
                gone.Add(view.Oid);
            }
        }

        foreach ((ViewDef view, _) in Enumerable.Reverse(before).Where(d => gone.Contains(d.View.Oid)))
        {
            _notices.Add($"drop cascades to view {view.Name}");
            changes.Drop(view.Oid);
        }
    }

    /// <summary>
    /// RENAME of a table or of its column: the views that read it are respelt to follow, as PostgreSQL's views (which hold
    /// parsed trees) do; a view the respelling cannot keep whole (a name clash) stops the rename with an error.
    /// </summary>
    private void FollowRename(List<(ViewDef View, CatalogObject On)> before, uint renamed, Func<string, string> respell, string what)
    {
        foreach ((ViewDef view, CatalogObject on) in before.Where(d => d.On.Oid == renamed))
        {
            string sql = respell(view.QuerySql);
            if (sql != view.QuerySql)
            {
                changes.Replace(view with { QuerySql = sql });
            }
        }

        foreach ((ViewDef view, _) in before)
        {
            try
            {
                if (BindView(view).Columns.Count != view.ColumnNames.Count)
                {
                    throw new SqlException(SqlState.InternalError, "the view's columns changed");
                }
            }
            catch (SqlException e)
            {
                throw new SqlException(SqlState.FeatureNotSupported, $"cannot rename {what}: view {view.Name} could not follow the rename ({e.Message})",
                    hint: "Drop the view, rename, and create the view again.");
            }
        }
    }

    /// <summary>How PostgreSQL's dependency messages name an object's kind.</summary>
    private static string Noun(CatalogObject obj) => obj switch
    {
        ViewDef => "view",
        SequenceDef => "sequence",
        EnumTypeDef => "type",
        IndexDef => "index",
        _ => "table",
    };
}
