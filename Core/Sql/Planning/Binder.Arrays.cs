using System.Globalization;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>Array expressions (ANY/ALL over an array, subscripts) and regclass literals, which the catalog queries of psql and drivers use.</summary>
internal sealed partial class Binder
{
    /// <summary><c>x op ANY/ALL (array)</c>: the comparison over the array's elements; an untyped array literal takes x's type.</summary>
    private BoundExpr BindQuantifiedArray(Ast.QuantifiedExpr q, Scope scope)
    {
        BoundExpr left = BindExpr(q.Left, scope);
        BoundExpr array = BindExpr(q.Array!, scope);
        if (array.Type.Kind == SqlTypeKind.Unknown && !array.Type.IsArray)
        {
            SqlType element = left.Type.Kind == SqlTypeKind.Unknown ? SqlType.Text : left.Type with { Modifier = -1 };
            array = TypeRules.Coerce(array, element.ArrayOf(), Pos(q));
        }

        if (!array.Type.IsArray)
        {
            throw new SqlException(SqlState.WrongObjectType, $"op ANY/ALL (array) requires array on right side", position: Pos(q));
        }

        (left, _) = Comparable(left, new ConstantExpr(SqlValue.Null, array.Type.Element), q.Operator, Pos(q));
        return new QuantifiedSubqueryExpr(left, ComparisonOf(q.Operator, Pos(q)), q.Quantifier == Ast.Quantifier.All, new ArrayElementsNode(array));
    }

    /// <summary>
    /// <c>ARRAY[a, b, ...]</c>: the elements at their common type (untyped literals are text). Elements that are
    /// arrays, or inner bracket lists (<c>ARRAY[[1,2],[3,4]]</c>), make an array of one more dimension.
    /// </summary>
    private BoundExpr BindArrayConstructor(Ast.ArrayExpr a, Scope scope)
    {
        if (a.Elements.Count == 0)
        {
            throw new SqlException("42P18", "cannot determine type of empty array", position: Pos(a),
                hint: "Explicitly cast to the desired type, for example ARRAY[]::integer[].");
        }

        List<BoundExpr> items = [.. a.Elements.Select(e => e is Ast.ArrayExpr inner ? BindArrayConstructor(inner, scope) : BindExpr(e, scope))];
        SqlType element = TypeRules.Common(items.Select(i => i.Type), "ARRAY", Pos(a));
        if (element.IsArray || a.Elements.Any(e => e is Ast.ArrayExpr))
        {
            // every element must be an array (of any shape: the shapes are checked when the value is built)
            if (!element.IsArray)
            {
                throw new SqlException(SqlState.DatatypeMismatch, "multidimensional arrays must have array expressions with matching dimensions", position: Pos(a));
            }

            SqlType subArray = element.Element.Kind == SqlTypeKind.Unknown ? SqlType.Text.ArrayOf() : element with { Modifier = -1 };
            return new ArrayConstructorExpr([.. items.Select(i => TypeRules.Coerce(Infer(i, subArray), subArray, Pos(a)))], subArray, nested: true);
        }

        element = element.Kind == SqlTypeKind.Unknown ? SqlType.Text : element;
        return new ArrayConstructorExpr([.. items.Select(i => TypeRules.Coerce(Infer(i, element), element, Pos(a)))], element.ArrayOf());
    }

    /// <summary><c>ARRAY[]::int[]</c>: the cast gives the empty array its type.</summary>
    private static ConstantExpr EmptyArray(SqlType target) => new(SqlValue.FromArray(new SqlArray(target.Element, [])), target);

    /// <summary>
    /// <c>a[i]</c>, <c>a[i][j]</c>, slices <c>a[l:u]</c>: the chain of subscripts on one array, bound as one
    /// expression (one subscript per dimension); a slice anywhere makes every subscript a slice, as in PostgreSQL.
    /// </summary>
    private BoundExpr BindSubscript(Ast.SubscriptExpr sub, Scope scope)
    {
        var chain = new List<Ast.SubscriptExpr>();
        Ast.SqlExpr operand = sub;
        while (operand is Ast.SubscriptExpr s)
        {
            chain.Insert(0, s);
            operand = s.Operand;
        }

        BoundExpr array = BindExpr(operand, scope);
        if (!array.Type.IsArray)
        {
            throw new SqlException(SqlState.DatatypeMismatch, $"cannot subscript type {array.Type} because it does not support subscripting", position: Pos(sub));
        }

        if (chain.Count > SqlArray.MaxDimensions)
        {
            throw new SqlException(SqlState.ProgramLimitExceeded, $"number of array dimensions ({chain.Count}) exceeds the maximum allowed ({SqlArray.MaxDimensions})", position: Pos(sub));
        }

        bool slice = chain.Any(s => s.IsSlice);
        BoundExpr? Index(Ast.SqlExpr? e) => e is null ? null : TypeRules.Coerce(BindExpr(e, scope), SqlType.Int4, Pos(sub));
        // a plain subscript n among slices is the slice 1:n
        BoundExpr?[] lowers = [.. chain.Select(s => slice && !s.IsSlice ? null : Index(s.Lower))];
        BoundExpr?[] uppers = [.. chain.Select(s => s.IsSlice ? Index(s.Upper) : slice ? Index(s.Lower) : null)];
        return new ArraySubscriptExpr(array, lowers, uppers, slice);
    }

    /// <summary><c>'name'::regproc</c> for the functions pg_proc lists (the types' I/O functions); others are undefined.</summary>
    private static ConstantExpr RegprocConstant(string text, int position)
    {
        string name = text.StartsWith("pg_catalog.", StringComparison.Ordinal) ? text["pg_catalog.".Length..] : text;
        uint oid = uint.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out uint n) ? n : SystemViews.PgTypes.ProcOid(name);
        return oid != 0 ? new ConstantExpr(SqlValue.FromOid(oid), SqlType.Oid)
            : throw new SqlException(SqlState.UndefinedFunction, $"function \"{text}\" does not exist", position: position);
    }

    /// <summary><c>'name'::regclass</c>: the relation's OID, looked up on the search path as PostgreSQL does; a number is taken as the OID.</summary>
    private ConstantExpr RegclassConstant(string text, int position)
    {
        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint oid))
        {
            return new ConstantExpr(SqlValue.FromOid(oid), SqlType.Oid);
        }

        var name = new Ast.ObjectName([.. text.Split('.').Select(p => p.StartsWith('"') ? p.Trim('"') : p.ToLowerInvariant())]);
        uint found = FindRelation(name)?.Oid
            ?? (name.Schema is null or "pg_catalog" && SystemViews.SystemCatalogViews.RelationOids.TryGetValue(name.Name, out uint system) ? system : 0);
        return found != 0 ? new ConstantExpr(SqlValue.FromOid(found), SqlType.Oid)
            : throw new SqlException(SqlState.UndefinedTable, $"relation \"{text}\" does not exist", position: position);
    }

    /// <summary><c>'name'::regnamespace</c>, <c>::regrole</c>, <c>::regtype</c>: the schema's, role's or type's OID (a number is taken as the OID).</summary>
    private ConstantExpr RegObjectConstant(string kind, string text, int position)
    {
        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint oid))
        {
            return new ConstantExpr(SqlValue.FromOid(oid), SqlType.Oid);
        }

        string name = text.StartsWith('"') ? text.Trim('"') : text.ToLowerInvariant();
        uint found = kind switch
        {
            "regnamespace" => _catalog.FindSchema(_session.DatabaseOid, name)?.Oid
                ?? (name == "pg_catalog" ? ThunderDb.Core.Catalog.WellKnownOids.PgCatalogSchema : 0u),
            "regrole" => name == (_session.SuperuserName ?? _session.User) ? SystemViews.CatalogText.SuperuserOid
                : _catalog.FindRole(name)?.Oid ?? 0,
            _ => TypeOid(text),
        };
        if (found == 0)
        {
            throw kind == "regnamespace" ? new SqlException(SqlState.InvalidSchemaName, $"schema \"{text}\" does not exist", position: position)
                : new SqlException(SqlState.UndefinedObject, $"{(kind == "regrole" ? "role" : "type")} \"{text}\" does not exist", position: position);
        }

        return new ConstantExpr(SqlValue.FromOid(found), SqlType.Oid);

        uint TypeOid(string text)
        {
            try
            {
                return (uint)ResolveType(Ast.SqlParser.ParseType(text), 0).PgOid;
            }
            catch (Exception e) when (e is SqlException or Ast.SqlSyntaxException)
            {
                return 0;
            }
        }
    }

    /// <summary>
    /// <c>oid::regclass::text</c> (and regtype, regnamespace): the object's name, read from the statement's catalog
    /// when evaluated; an OID naming nothing prints as the number, as PostgreSQL does.
    /// </summary>
    private static BoundExpr RegNameText(BoundExpr oid, string kind, SqlType target)
    {
        SqlValue Name(SqlValue[] a, EvalContext context)
        {
            uint value = (uint)a[0].AsInt64;
            ThunderDb.Core.Catalog.CatalogSnapshot? catalog = context.Runtime?.Catalog;
            string? name = kind switch
            {
                "regtype" => catalog is null ? null : SystemViews.CatalogText.FormatType(catalog, value, -1) is { } t && t != "???" ? t : null,
                "regnamespace" => catalog?.Find<ThunderDb.Core.Catalog.SchemaDef>(value)?.Name ?? (value == ThunderDb.Core.Catalog.WellKnownOids.PgCatalogSchema ? "pg_catalog" : null),
                _ => catalog?.Find(value) is { } rel and not ThunderDb.Core.Catalog.DatabaseDef and not ThunderDb.Core.Catalog.SchemaDef ? SystemViews.CatalogText.QuoteIdent(rel.Name)
                    : SystemViews.SystemCatalogViews.RelationOids.FirstOrDefault(kv => kv.Value == value).Key,
            };
            return SqlValue.FromString(target.Kind, name ?? value.ToString(CultureInfo.InvariantCulture));
        }

        return new FunctionExpr(kind + "out", Name, [oid], target, strict: true);
    }

    /// <summary>
    /// <c>||</c> with an array on a side: array_cat of two arrays (an untyped side, NULL included, is an array as in
    /// PostgreSQL), array_append / array_prepend of an array and an element, at the operands' common element type.
    /// </summary>
    private BoundExpr BindArrayConcat(BoundExpr left, BoundExpr right, int position)
    {
        static bool Untyped(BoundExpr e) => e.Type.Kind == SqlTypeKind.Unknown && !e.Type.IsArray;
        if (Untyped(left) || Untyped(right))
        {
            SqlType array = (Untyped(left) ? right : left).Type with { Modifier = -1 };
            left = Untyped(left) ? TypeRules.Coerce(Infer(left, array), array, position) : left;
            right = Untyped(right) ? TypeRules.Coerce(Infer(right, array), array, position) : right;
        }

        string name = left.Type.IsArray && right.Type.IsArray ? "array_cat" : left.Type.IsArray ? "array_append" : "array_prepend";
        List<BoundExpr> args;
        try
        {
            args = CompatibleArrayArguments(name, [left, right], position);
        }
        catch (SqlException e) when (e.SqlState == SqlState.DatatypeMismatch)
        {
            throw new SqlException(SqlState.UndefinedFunction, $"operator does not exist: {left.Type} || {right.Type}", position: position,
                hint: "No operator matches the given name and argument types. You might need to add explicit type casts.");
        }

        return CallScalar(name, args, position);
    }

    /// <summary>
    /// <c>@&gt;</c>, <c>&lt;@</c> and <c>&amp;&amp;</c> of two arrays (anyarray: both of one type; an untyped side takes the
    /// other's), as arraycontains / arraycontained / arrayoverlap.
    /// </summary>
    private BoundExpr BindArrayContainment(Ast.BinaryExpr b, BoundExpr left, BoundExpr right, int position)
    {
        static bool Untyped(BoundExpr e) => e.Type.Kind == SqlTypeKind.Unknown && !e.Type.IsArray;
        BoundExpr l = Untyped(left) && right.Type.IsArray ? TypeRules.Coerce(Infer(left, right.Type with { Modifier = -1 }), right.Type with { Modifier = -1 }, position) : left;
        BoundExpr r = Untyped(right) && l.Type.IsArray ? TypeRules.Coerce(Infer(right, l.Type with { Modifier = -1 }), l.Type with { Modifier = -1 }, position) : right;
        bool sameType = l.Type.IsArray && r.Type.IsArray
            && (l.Type.Kind == r.Type.Kind || r.Type.Kind == SqlTypeKind.Unknown);
        if (!sameType)
        {
            throw NoSuchOperator(b, left, right, position);
        }

        string name = b.Operator switch { "@>" => "arraycontains", "<@" => "arraycontained", _ => "arrayoverlap" };
        ScalarBody body = FunctionCatalog.ResolveScalar(name, [l.Type, l.Type]).Body;
        return new FunctionExpr(name, (values, context) => body(values, context), [l, r], SqlType.Bool, strict: true, volatileResult: false);
    }

    /// <summary>
    /// The arguments of a function PostgreSQL declares over anycompatiblearray / anycompatible (array_cat, array_append,
    /// array_remove...): arrays and elements brought to their common element type, as <c>ARRAY[1] || 2.5</c> is numeric[].
    /// </summary>
    private List<BoundExpr> CompatibleArrayArguments(string name, List<BoundExpr> args, int position)
    {
        int polymorphic = name is "array_cat" or "array_append" or "array_prepend" ? Math.Min(args.Count, 2)
            : name == "array_position" ? Math.Min(args.Count, 2) : args.Count;
        bool IsArrayPosition(int i) => name == "array_cat" || (name == "array_prepend" ? i == 1 : i == 0);
        var elements = new List<SqlType>();
        for (int i = 0; i < polymorphic; i++)
        {
            SqlType t = args[i].Type;
            if (IsArrayPosition(i) && !t.IsArray && t.Kind != SqlTypeKind.Unknown)
            {
                return args; // not an array where one belongs: overload resolution reports it
            }

            elements.Add(IsArrayPosition(i) ? t.Element : t);
        }

        if (elements.All(t => t.Kind == SqlTypeKind.Unknown))
        {
            return args;
        }

        SqlType element = TypeRules.Common(elements, name, position) with { Modifier = -1 };
        List<BoundExpr> result = [.. args];
        for (int i = 0; i < polymorphic; i++)
        {
            SqlType target = IsArrayPosition(i) ? element.ArrayOf() : element;
            result[i] = TypeRules.Coerce(Infer(args[i], target), target, position);
        }

        return result;
    }
}
