using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// PostgreSQL's function overload resolution (func_select_candidate in parse_func.c), over the candidates
/// of one name: keep those every argument can be implicitly cast to; then those with the most exact
/// matches; then the most preferred types (float8, text, timestamptz, interval) where a cast is needed;
/// then, for untyped literals, those taking the string category (or the one category all candidates
/// agree on) and its preferred type; finally, untyped literals are assumed to share the known arguments' type.
/// </summary>
internal static class FunctionResolver
{
    public static T Choose<T>(string name, IReadOnlyList<SqlType> args, IReadOnlyList<T> candidates,
        Func<T, (IReadOnlyList<SqlType> Parameters, SqlType? Variadic)> signature, Func<T, SqlType[], T> instantiate)
    {
        var viable = new List<(T Candidate, SqlType[] Params)>();
        foreach (T c in candidates)
        {
            (IReadOnlyList<SqlType> parameters, SqlType? variadic) = signature(c);
            SqlType[]? expanded = Expand(parameters, variadic, args);
            if (expanded is not null && Accepts(expanded, args))
            {
                viable.Add((c, expanded));
            }
        }

        if (viable.Count == 0)
        {
            throw NotFound(name, args);
        }

        if (viable.Count > 1)
        {
            viable = KeepBest(viable, p => Score(p, args, preferred: false));
        }

        if (viable.Count > 1)
        {
            viable = KeepBest(viable, p => Score(p, args, preferred: true));
        }

        if (viable.Count > 1)
        {
            viable = ResolveUnknowns(viable, args);
        }

        if (viable.Count > 1)
        {
            viable = AssumeKnownType(viable, args);
        }

        if (viable.Count > 1)
        {
            throw new SqlException("42725", $"function {Signature(name, args)} is not unique",
                hint: "Could not choose a best candidate function. You might need to add explicit type casts.");
        }

        (T chosen, SqlType[] types) = viable[0];
        return instantiate(chosen, MakeConcrete(types, args));
    }

    public static SqlException NotFound(string name, IReadOnlyList<SqlType> args) =>
        new(SqlState.UndefinedFunction, $"function {Signature(name, args)} does not exist",
            hint: "No function matches the given name and argument types. You might need to add explicit type casts.");

    /// <summary>The return type with polymorphic types replaced by what the arguments made them.</summary>
    public static SqlType Concrete(SqlType returnType, IReadOnlyList<SqlType> declared, IReadOnlyList<SqlType> concrete)
    {
        if (returnType.Kind != SqlTypeKind.Unknown)
        {
            return returnType;
        }

        SqlType element = SqlType.Text;
        for (int i = 0; i < declared.Count && i < concrete.Count; i++)
        {
            if (declared[i].Kind == SqlTypeKind.Unknown)
            {
                element = concrete[i].Element;
                break;
            }
        }

        return returnType.IsArray ? element.ArrayOf() : element;
    }

    private static string Signature(string name, IReadOnlyList<SqlType> args) =>
        $"{name}({string.Join(", ", args.Select(t => (t with { Modifier = -1 }).ToString()))})";

    private static SqlType[]? Expand(IReadOnlyList<SqlType> parameters, SqlType? variadic, IReadOnlyList<SqlType> args)
    {
        if (parameters.Count == args.Count && variadic is null)
        {
            return [.. parameters];
        }

        if (variadic is not SqlType v || args.Count <= parameters.Count) // a variadic parameter takes at least one argument
        {
            return null;
        }

        var expanded = new SqlType[args.Count];
        for (int i = 0; i < args.Count; i++)
        {
            // variadic "any": each argument keeps its own type (an untyped literal becomes text)
            expanded[i] = i < parameters.Count ? parameters[i]
                : v.Kind != SqlTypeKind.Unknown ? v
                : args[i].Kind == SqlTypeKind.Unknown && !args[i].IsArray ? SqlType.Text : args[i];
        }

        return expanded;
    }

    private static bool Accepts(SqlType[] parameters, IReadOnlyList<SqlType> args)
    {
        SqlType? polymorphic = null;
        for (int i = 0; i < args.Count; i++)
        {
            SqlType p = parameters[i], a = args[i];
            if (IsPolymorphic(p))
            {
                if (a.Kind == SqlTypeKind.Unknown && !a.IsArray)
                {
                    continue;
                }

                if (p.IsArray && !a.IsArray)
                {
                    return false;
                }

                SqlType element = p.IsArray ? a.Element : a;
                if (polymorphic is SqlType seen && (seen.Kind != element.Kind || seen.IsArray != element.IsArray))
                {
                    return false; // anyelement positions must all have one type
                }

                polymorphic = element with { Modifier = -1 };
            }
            else if (!CanImplicitlyCast(a, p))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPolymorphic(SqlType t) => t.Kind == SqlTypeKind.Unknown;

    private static SqlType[] MakeConcrete(SqlType[] types, IReadOnlyList<SqlType> args)
    {
        SqlType element = SqlType.Text;
        for (int i = 0; i < types.Length; i++)
        {
            if (IsPolymorphic(types[i]) && !(args[i].Kind == SqlTypeKind.Unknown && !args[i].IsArray))
            {
                element = (types[i].IsArray ? args[i].Element : args[i]) with { Modifier = -1 };
                break;
            }
        }

        var concrete = new SqlType[types.Length];
        for (int i = 0; i < types.Length; i++)
        {
            concrete[i] = !IsPolymorphic(types[i]) ? types[i] : types[i].IsArray ? element.ArrayOf() : element;
        }

        return concrete;
    }

    /// <summary>Implicit casts between the built-in types (pg_cast entries marked 'i'); an untyped literal casts to anything.</summary>
    public static bool CanImplicitlyCast(SqlType from, SqlType to)
    {
        if (from.Kind == to.Kind && from.IsArray == to.IsArray)
        {
            return true;
        }

        if (from.Kind == SqlTypeKind.Unknown && !from.IsArray)
        {
            return true;
        }

        if (from.IsArray || to.IsArray)
        {
            return false;
        }

        int fromRank = NumericRank(from.Kind), toRank = NumericRank(to.Kind);
        if (fromRank >= 0 && toRank >= 0)
        {
            return fromRank < toRank;
        }

        return (from.Kind, to.Kind) switch
        {
            (SqlTypeKind.Varchar or SqlTypeKind.Char or SqlTypeKind.Name, SqlTypeKind.Text) => true,
            (SqlTypeKind.Text or SqlTypeKind.Char or SqlTypeKind.Name, SqlTypeKind.Varchar) => true,
            (SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Char, SqlTypeKind.Name) => true,
            (SqlTypeKind.Text or SqlTypeKind.Varchar, SqlTypeKind.Char) => true,
            (SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8, SqlTypeKind.Oid) => true,
            (SqlTypeKind.Date, SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz) => true,
            (SqlTypeKind.Timestamp, SqlTypeKind.TimestampTz) => true,
            (SqlTypeKind.Time, SqlTypeKind.Interval) => true,
            _ => false,
        };
    }

    private static int NumericRank(SqlTypeKind kind) => kind switch
    {
        SqlTypeKind.Int2 => 0,
        SqlTypeKind.Int4 => 1,
        SqlTypeKind.Int8 => 2,
        SqlTypeKind.Numeric => 3,
        SqlTypeKind.Float4 => 4,
        SqlTypeKind.Float8 => 5,
        _ => -1,
    };

    private static char Category(SqlType t) => t.IsArray ? 'A' : t.Kind == SqlTypeKind.Unknown ? 'P' : SqlTypeInfo.Of(t.Kind).Category;

    private static bool IsPreferred(SqlType t) => !t.IsArray && t.Kind is SqlTypeKind.Float8 or SqlTypeKind.Text or SqlTypeKind.TimestampTz or SqlTypeKind.Interval or SqlTypeKind.Bool or SqlTypeKind.Oid;

    private static bool IsUnknown(SqlType t) => t.Kind == SqlTypeKind.Unknown && !t.IsArray;

    private static int Score(SqlType[] parameters, IReadOnlyList<SqlType> args, bool preferred)
    {
        int score = 0;
        for (int i = 0; i < args.Count; i++)
        {
            if (IsUnknown(args[i]))
            {
                continue;
            }

            bool exact = parameters[i].Kind == args[i].Kind && parameters[i].IsArray == args[i].IsArray;
            if (exact || (preferred && IsPreferred(parameters[i])))
            {
                score++;
            }
        }

        return score;
    }

    private static List<(T, SqlType[])> KeepBest<T>(List<(T, SqlType[])> viable, Func<SqlType[], int> score)
    {
        int best = viable.Max(v => score(v.Item2));
        return viable.Where(v => score(v.Item2) == best).ToList();
    }

    private static List<(T, SqlType[])> ResolveUnknowns<T>(List<(T, SqlType[])> viable, IReadOnlyList<SqlType> args)
    {
        List<(T, SqlType[])> kept = viable;
        for (int i = 0; i < args.Count; i++)
        {
            if (!IsUnknown(args[i]))
            {
                continue;
            }

            char category = '\0';
            bool conflict = false, hasPreferred = false;
            foreach ((T _, SqlType[] ps) in kept)
            {
                char c = Category(ps[i]);
                if (category == '\0' || c == 'S' && category != 'S')
                {
                    category = c;
                }
                else if (c != category && category != 'S')
                {
                    conflict = true;
                }
            }

            if (conflict)
            {
                return viable; // no category wins at this position: give up on this step, as PostgreSQL does
            }

            foreach ((T _, SqlType[] ps) in kept)
            {
                hasPreferred |= Category(ps[i]) == category && IsPreferred(ps[i]);
            }

            int at = i;
            var next = kept.Where(v => Category(v.Item2[at]) == category && (!hasPreferred || IsPreferred(v.Item2[at]))).ToList();
            if (next.Count > 0)
            {
                kept = next;
            }
        }

        return kept;
    }

    private static List<(T, SqlType[])> AssumeKnownType<T>(List<(T, SqlType[])> viable, IReadOnlyList<SqlType> args)
    {
        SqlType? known = null;
        bool anyUnknown = false;
        foreach (SqlType a in args)
        {
            if (IsUnknown(a))
            {
                anyUnknown = true;
            }
            else if (known is null)
            {
                known = a;
            }
            else if (known.Value.Kind != a.Kind || known.Value.IsArray != a.IsArray)
            {
                return viable;
            }
        }

        if (!anyUnknown || known is not SqlType k)
        {
            return viable;
        }

        var kept = viable.Where(v => Enumerable.Range(0, args.Count).All(i => !IsUnknown(args[i]) || CanImplicitlyCast(k, v.Item2[i]))).ToList();
        return kept.Count == 1 ? kept : viable;
    }
}
