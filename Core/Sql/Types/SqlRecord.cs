using System.Text;

namespace ThunderDb.Core.Sql.Types;

/// <summary>
/// The fields of a row value: a table's row type (named after the table, its pg_type OID) or an anonymous record
/// (<c>ROW(1, 'a')</c>, OID 2249, fields f1, f2...). Two anonymous record types are the same when their field types are.
/// </summary>
public sealed class SqlRecordType(uint oid, string name, IReadOnlyList<(string Name, SqlType Type)> fields) : SqlTypeDescriptor, IEquatable<SqlRecordType>
{
    /// <summary>PostgreSQL's OIDs of the pseudo-type record and of record[].</summary>
    public const uint AnonymousOid = 2249, AnonymousArrayOid = 2287;

    public static SqlRecordType Anonymous(IReadOnlyList<SqlType> types) =>
        new(AnonymousOid, "record", [.. types.Select((t, i) => ($"f{i + 1}", t))]);

    public override uint Oid { get; } = oid;

    public override uint ArrayOid => Oid == AnonymousOid ? AnonymousArrayOid : 0;

    public override string Name { get; } = name;

    public IReadOnlyList<(string Name, SqlType Type)> Fields { get; } = fields;

    public bool Equals(SqlRecordType? other) => other is not null && other.Oid == Oid
        && (Oid != AnonymousOid || other.Fields.Select(f => f.Type).SequenceEqual(Fields.Select(f => f.Type)));

    public override bool Equals(object? obj) => obj is SqlRecordType other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Oid, Fields.Count);

    public override string ToString() => Name;
}

/// <summary>A row value: its fields' values, in the order of its <see cref="SqlRecordType"/>'s fields.</summary>
public sealed class SqlRecord(SqlRecordType type, SqlValue[] values)
{
    public SqlRecordType Type { get; } = type;

    public IReadOnlyList<SqlValue> Values { get; } = values;

    /// <summary>record_out: <c>(1,abc,)</c>; a field is double-quoted when empty or holding a quote, backslash, comma, parenthesis or space.</summary>
    public string Format()
    {
        var sb = new StringBuilder("(");
        for (int i = 0; i < Values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            if (Values[i].IsNull)
            {
                continue;
            }

            string text = SqlText.Format(Values[i]);
            bool quote = text.Length == 0 || text.AsSpan().IndexOfAny("\"\\(),") >= 0 || text.Any(char.IsWhiteSpace);
            if (!quote)
            {
                sb.Append(text);
                continue;
            }

            SqlText.AppendQuoted(sb, text, escape: null); // record_out doubles quotes and backslashes
        }

        return sb.Append(')').ToString();
    }
}
