using System.Globalization;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

// Type names: the built-in types, then the enum types of the search path (pg_catalog comes first, as in PostgreSQL).
internal sealed partial class Binder
{
    /// <summary>A type as written, built-in or one of the database's enum types; 42704 when there is none.</summary>
    public SqlType ResolveType(Ast.TypeName type, int position)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (FindEnumType(type) is not { } userType)
        {
            return BuiltinType(type, position);
        }

        if (type.Modifiers.Count > 0)
        {
            throw new SqlException(SqlState.SyntaxError, $"type modifier is not allowed for type \"{type.Name}\"", position: position);
        }

        SqlType resolved = SqlType.EnumOf(userType);
        return type.ArrayDimensions > 0 ? resolved.ArrayOf() : resolved;
    }

    /// <summary>A built-in type as written (for code with no catalog at hand: stored expressions, function signatures).</summary>
    public static SqlType BuiltinType(Ast.TypeName type, int position)
    {
        ArgumentNullException.ThrowIfNull(type);
        var modifiers = new List<int>();
        foreach (Ast.SqlExpr m in type.Modifiers)
        {
            if (m is Ast.LiteralExpr { Kind: Ast.LiteralKind.Integer } lit && int.TryParse(lit.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            {
                modifiers.Add(v);
            }
            else
            {
                throw new SqlException(SqlState.SyntaxError, "type modifiers must be simple constants or identifiers", position: position);
            }
        }

        string name = type.Names.Count > 1 && type.Names[0] == "pg_catalog" ? type.Name : string.Join('.', type.Names);
        return SqlTypeInfo.Resolve(name, [.. modifiers], type.ArrayDimensions > 0, position);
    }

    /// <summary>The enum type a name means: qualified, in that schema; otherwise the first on the search path, unless a built-in type has the name.</summary>
    public SqlEnumType? FindEnumType(Ast.TypeName type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return FindTypeDef(type) is { } def ? _catalog.FindEnum(def.Oid) : null;
    }

    /// <summary>The catalog record of the enum type a name means (see <see cref="FindEnumType"/>).</summary>
    public EnumTypeDef? FindTypeDef(Ast.TypeName type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Names.Count > 1)
        {
            return type.Names[^2] == "pg_catalog" ? null
                : _catalog.FindSchema(_session.DatabaseOid, SchemaName(type.Names[^2])) is { } schema ? _catalog.FindType(schema.Oid, type.Name) : null;
        }

        if (SqlTypeInfo.IsBuiltin(type.Name))
        {
            return null;
        }

        foreach (string s in _session.RelationPath)
        {
            if (_catalog.FindSchema(_session.DatabaseOid, s) is { } schema && _catalog.FindType(schema.Oid, type.Name) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// Casts to or from an enum: only from and to the string types (PostgreSQL's I/O conversion casts) and between one
    /// enum type's own values; 42846 otherwise, as there is no cast from mood to color or integer.
    /// </summary>
    /// <param name="written">The target's name where it differs from the type it resolves to (regtype is an oid here).</param>
    private static void CheckEnumCast(SqlType from, SqlType to, int position, string? written = null)
    {
        if (from.IsArray && to.IsArray)
        {
            (from, to) = (from.Element, to.Element);
        }

        if ((from.Enum is null && to.Enum is null) || from.Kind == SqlTypeKind.Unknown || from.IsArray || to.IsArray)
        {
            return;
        }

        bool allowed = Equals(from.Enum, to.Enum) || (from.Enum is null ? from.IsString : to.IsString || to.Kind == SqlTypeKind.Unknown);
        if (!allowed)
        {
            throw new SqlException(SqlState.CannotCoerce, $"cannot cast type {from} to {written ?? to.ToString()}", position: position);
        }
    }

    /// <summary>
    /// enum_first / enum_last / enum_range over an enum argument: only its type matters to the one-argument forms, as in
    /// PostgreSQL (<c>enum_range(NULL::mood)</c>); the two-argument range runs from one label to another, NULL meaning an end.
    /// </summary>
    private static BoundExpr BindEnumFunction(string name, List<BoundExpr> args, int position)
    {
        if (args.Count is 0 or > 2 || (name != "enum_range" && args.Count != 1) || args.Any(a => a.Type.Kind != SqlTypeKind.Unknown && (a.Type.Enum is null || a.Type.IsArray)))
        {
            throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", args.Select(a => a.Type.Kind == SqlTypeKind.Unknown ? "unknown" : a.Type.ToString()))}) does not exist",
                position: position, hint: "No function matches the given name and argument types. You might need to add explicit type casts.");
        }

        SqlEnumType type = args.Select(a => a.Type.Enum).FirstOrDefault(e => e is not null)
            ?? throw new SqlException(SqlState.DatatypeMismatch, "could not determine polymorphic type because input has type unknown", position: position);
        if (args.Count == 2 && args.All(a => a.Type.Enum is not null) && !Equals(args[0].Type.Enum, args[1].Type.Enum))
        {
            throw new SqlException(SqlState.UndefinedFunction, $"function {name}({args[0].Type}, {args[1].Type}) does not exist", position: position,
                hint: "No function matches the given name and argument types. You might need to add explicit type casts.");
        }

        SqlType element = SqlType.EnumOf(type);
        if (name != "enum_range")
        {
            return type.Labels.Count == 0
                ? throw new SqlException(SqlState.ObjectNotInPrerequisiteState, $"enum {type.Name} contains no values")
                : new ConstantExpr(SqlValue.FromEnum(name == "enum_first" ? type.Labels[0] : type.Labels[^1]), element);
        }

        SqlArray Range(SqlValue low, SqlValue high) => new(element, [.. type.Labels.Select(SqlValue.FromEnum)
            .Where(v => (low.IsNull || v.EnumSortOrder >= low.EnumSortOrder) && (high.IsNull || v.EnumSortOrder <= high.EnumSortOrder))]);
        if (args.Count == 1)
        {
            return new ConstantExpr(SqlValue.FromArray(Range(SqlValue.Null, SqlValue.Null)), element.ArrayOf());
        }

        List<BoundExpr> typed = [.. args.Select(a => TypeRules.Coerce(a, element, position))];
        return new FunctionExpr(name, (values, _) => SqlValue.FromArray(Range(values[0], values[1])), typed, element.ArrayOf(), strict: false, volatileResult: false);
    }
}
