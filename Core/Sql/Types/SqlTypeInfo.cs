using System.Collections.Frozen;

namespace ThunderDb.Core.Sql.Types;

/// <summary>What the catalogs and the wire protocols need of one built-in type: names, OIDs, length, category.</summary>
public sealed record SqlTypeInfo(SqlTypeKind Kind, string PgName, string DisplayName, int Oid, int ArrayOid, short TypLen, char Category)
{
    private static readonly SqlTypeInfo[] ByKind = Build();

    private static readonly FrozenDictionary<string, SqlType> Names = BuildNames();

    public static SqlTypeInfo Of(SqlTypeKind kind) => ByKind[(int)kind];

    public static IReadOnlyList<SqlTypeInfo> All => ByKind;

    private static SqlTypeInfo[] Build()
    {
        SqlTypeInfo[] all =
        [
            new(SqlTypeKind.Unknown, "unknown", "unknown", 705, 0, -2, 'X'),
            new(SqlTypeKind.Bool, "bool", "boolean", 16, 1000, 1, 'B'),
            new(SqlTypeKind.Int2, "int2", "smallint", 21, 1005, 2, 'N'),
            new(SqlTypeKind.Int4, "int4", "integer", 23, 1007, 4, 'N'),
            new(SqlTypeKind.Int8, "int8", "bigint", 20, 1016, 8, 'N'),
            new(SqlTypeKind.Float4, "float4", "real", 700, 1021, 4, 'N'),
            new(SqlTypeKind.Float8, "float8", "double precision", 701, 1022, 8, 'N'),
            new(SqlTypeKind.Numeric, "numeric", "numeric", 1700, 1231, -1, 'N'),
            new(SqlTypeKind.Text, "text", "text", 25, 1009, -1, 'S'),
            new(SqlTypeKind.Varchar, "varchar", "character varying", 1043, 1015, -1, 'S'),
            new(SqlTypeKind.Char, "bpchar", "character", 1042, 1014, -1, 'S'),
            new(SqlTypeKind.Name, "name", "name", 19, 1003, 64, 'S'),
            new(SqlTypeKind.Bytea, "bytea", "bytea", 17, 1001, -1, 'U'),
            new(SqlTypeKind.Date, "date", "date", 1082, 1182, 4, 'D'),
            new(SqlTypeKind.Time, "time", "time without time zone", 1083, 1183, 8, 'D'),
            new(SqlTypeKind.Timestamp, "timestamp", "timestamp without time zone", 1114, 1115, 8, 'D'),
            new(SqlTypeKind.TimestampTz, "timestamptz", "timestamp with time zone", 1184, 1185, 8, 'D'),
            new(SqlTypeKind.Interval, "interval", "interval", 1186, 1187, 16, 'T'),
            new(SqlTypeKind.Uuid, "uuid", "uuid", 2950, 2951, 16, 'U'),
            new(SqlTypeKind.Json, "json", "json", 114, 199, -1, 'U'),
            new(SqlTypeKind.Jsonb, "jsonb", "jsonb", 3802, 3807, -1, 'U'),
            new(SqlTypeKind.Oid, "oid", "oid", 26, 1028, 4, 'N'),
            new(SqlTypeKind.Void, "void", "void", 2278, 0, 4, 'P'),
            new(SqlTypeKind.Enum, "anyenum", "anyenum", 3500, 0, 4, 'P'),
            new(SqlTypeKind.Record, "record", "record", 2249, 2287, -1, 'P'),
        ];
        for (int i = 0; i < all.Length; i++)
        {
            if ((int)all[i].Kind != i)
            {
                throw new InvalidOperationException($"type table out of order at {all[i].Kind}");
            }
        }

        return all;
    }

    private static FrozenDictionary<string, SqlType> BuildNames()
    {
        var names = new Dictionary<string, SqlType>(StringComparer.Ordinal)
        {
            // PostgreSQL spellings (catalog names and SQL-standard names)
            ["bool"] = SqlType.Bool, ["boolean"] = SqlType.Bool,
            ["int2"] = SqlType.Int2, ["smallint"] = SqlType.Int2, ["smallserial"] = SqlType.Int2, ["serial2"] = SqlType.Int2,
            ["int4"] = SqlType.Int4, ["int"] = SqlType.Int4, ["integer"] = SqlType.Int4, ["serial"] = SqlType.Int4, ["serial4"] = SqlType.Int4,
            ["int8"] = SqlType.Int8, ["bigint"] = SqlType.Int8, ["bigserial"] = SqlType.Int8, ["serial8"] = SqlType.Int8,
            ["float4"] = SqlType.Float4, ["real"] = SqlType.Float4,
            ["float8"] = SqlType.Float8, ["float"] = SqlType.Float8, ["double precision"] = SqlType.Float8, ["double"] = SqlType.Float8,
            ["numeric"] = SqlType.Numeric, ["decimal"] = SqlType.Numeric, ["dec"] = SqlType.Numeric,
            ["text"] = SqlType.Text,
            ["varchar"] = new(SqlTypeKind.Varchar), ["character varying"] = new(SqlTypeKind.Varchar),
            ["char"] = SqlType.Char(1), ["character"] = SqlType.Char(1), ["bpchar"] = new(SqlTypeKind.Char),
            ["name"] = SqlType.Name,
            ["bytea"] = SqlType.Bytea,
            ["date"] = SqlType.Date,
            ["time"] = SqlType.Time, ["time without time zone"] = SqlType.Time,
            ["timestamp"] = SqlType.Timestamp, ["timestamp without time zone"] = SqlType.Timestamp,
            ["timestamptz"] = SqlType.TimestampTz, ["timestamp with time zone"] = SqlType.TimestampTz,
            ["interval"] = SqlType.Interval,
            ["uuid"] = SqlType.Uuid,
            ["json"] = SqlType.Json,
            ["jsonb"] = SqlType.Jsonb,
            ["oid"] = SqlType.Oid, ["regclass"] = SqlType.Oid, ["regtype"] = SqlType.Oid, ["regproc"] = SqlType.Oid, ["regnamespace"] = SqlType.Oid,

            // MySQL spellings (mapped to the closest type; range checks are the dialect's)
            ["tinyint"] = SqlType.Int2, ["mediumint"] = SqlType.Int4,
            ["datetime"] = SqlType.Timestamp,
            ["tinytext"] = SqlType.Text, ["mediumtext"] = SqlType.Text, ["longtext"] = SqlType.Text,
            ["blob"] = SqlType.Bytea, ["tinyblob"] = SqlType.Bytea, ["mediumblob"] = SqlType.Bytea, ["longblob"] = SqlType.Bytea,
            ["binary"] = SqlType.Bytea, ["varbinary"] = SqlType.Bytea,
        };
        return names.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Whether <paramref name="name"/> (unqualified) is a built-in type's name, which an unqualified name means before any schema's type.</summary>
    public static bool IsBuiltin(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Names.ContainsKey(name) || (name.StartsWith('_') && Names.ContainsKey(name[1..]));
    }

    /// <summary>
    /// Resolves a type name as written (lower-cased, words separated by one space, an optional <c>pg_catalog.</c>
    /// prefix) with its modifiers: <c>varchar(20)</c> = ("varchar", [20]), <c>numeric(10,2)</c> = ("numeric", [10, 2]).
    /// </summary>
    public static SqlType Resolve(string name, ReadOnlySpan<int> modifiers = default, bool isArray = false, int position = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.StartsWith("pg_catalog.", StringComparison.Ordinal) ? name["pg_catalog.".Length..] : name;
        if (key.StartsWith('_') && Names.TryGetValue(key[1..], out SqlType element))
        {
            // _int4 is PostgreSQL's internal name of int4[]
            return element with { IsArray = true };
        }

        if (!Names.TryGetValue(key, out SqlType type))
        {
            throw new SqlException(SqlState.UndefinedObject, $"type \"{name}\" does not exist", position: position);
        }

        type = ApplyModifiers(name, type, modifiers, position);
        return isArray ? type with { IsArray = true } : type;
    }

    private static SqlType ApplyModifiers(string name, SqlType type, ReadOnlySpan<int> modifiers, int position)
    {
        if (modifiers.IsEmpty)
        {
            return type;
        }

        switch (type.Kind)
        {
            case SqlTypeKind.Varchar or SqlTypeKind.Char when modifiers.Length == 1:
                if (modifiers[0] < 1 || modifiers[0] > 10_485_760)
                {
                    throw new SqlException(SqlState.InvalidParameterValue, $"length for type {name} must be between 1 and 10485760", position: position);
                }

                return type with { Modifier = modifiers[0] };
            case SqlTypeKind.Numeric when modifiers.Length is 1 or 2:
                int precision = modifiers[0];
                int scale = modifiers.Length == 2 ? modifiers[1] : 0;
                if (precision < 1 || precision > 1000)
                {
                    throw new SqlException(SqlState.InvalidParameterValue, $"NUMERIC precision {precision} must be between 1 and 1000", position: position);
                }

                if (scale < 0 || scale > precision)
                {
                    throw new SqlException(SqlState.InvalidParameterValue, $"NUMERIC scale {scale} must be between 0 and precision {precision}", position: position);
                }

                return SqlType.NumericOf(precision, scale);
            case SqlTypeKind.Float8 when modifiers.Length == 1 && name is "float":
                // float(p): p <= 24 is real, up to 53 is double precision
                return modifiers[0] switch
                {
                    >= 1 and <= 24 => SqlType.Float4,
                    >= 25 and <= 53 => SqlType.Float8,
                    _ => throw new SqlException(SqlState.InvalidParameterValue, "precision for type float must be between 1 and 53 bits", position: position),
                };
            case SqlTypeKind.Time or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz or SqlTypeKind.Interval when modifiers.Length == 1:
                return type; // fractional-second precision: values keep microseconds
            case SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Bytea when modifiers.Length == 1:
                return type; // MySQL display widths: int(11), varbinary(16)
            default:
                throw new SqlException(SqlState.SyntaxError, $"type modifier is not allowed for type \"{name}\"", position: position);
        }
    }
}
