using System.Collections.Frozen;

namespace ThunderDb.Core.Sql.Types;

/// <summary>One label of an enum type: its pg_enum OID (what rows store), its sort position and its text.</summary>
public sealed record SqlEnumLabel(uint Oid, float SortOrder, string Label);

/// <summary>
/// A type made with <c>CREATE TYPE name AS ENUM (...)</c>, as the values and the wire protocols need it: its
/// OIDs, its name as <c>format_type</c> prints it, and its labels in sort order. Values order by the labels'
/// sort positions, not their text; rows store a label's OID so renaming a label rewrites no row. Two
/// descriptors of one type (before and after <c>ALTER TYPE ... ADD VALUE</c>) are the same type.
/// </summary>
public sealed class SqlEnumType : SqlTypeDescriptor, IEquatable<SqlEnumType>
{
    private readonly FrozenDictionary<string, SqlEnumLabel> _byLabel;
    private readonly FrozenDictionary<uint, SqlEnumLabel> _byOid;

    public SqlEnumType(uint oid, uint arrayOid, string name, IEnumerable<SqlEnumLabel> labels)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(labels);
        Oid = oid;
        ArrayOid = arrayOid;
        Name = name;
        Labels = [.. labels.OrderBy(l => l.SortOrder)];
        _byLabel = Labels.ToFrozenDictionary(l => l.Label, StringComparer.Ordinal);
        _byOid = Labels.ToFrozenDictionary(l => l.Oid);
    }

    /// <summary>A type known only by OID (a catalog record read before its type was): the catalog snapshot replaces it with the real one.</summary>
    public static SqlEnumType Unresolved(uint oid) => new(oid, 0, oid.ToString(System.Globalization.CultureInfo.InvariantCulture), []);

    public override uint Oid { get; }

    public override uint ArrayOid { get; }

    /// <summary>The name <c>format_type()</c> prints: schema-qualified outside public.</summary>
    public override string Name { get; }

    public IReadOnlyList<SqlEnumLabel> Labels { get; }

    /// <summary>enum_in: the label's value, or 22P02 <c>invalid input value for enum mood: "x"</c>.</summary>
    public SqlValue Parse(string text) => _byLabel.TryGetValue(text, out SqlEnumLabel? label)
        ? SqlValue.FromEnum(label)
        : throw new SqlException(SqlState.InvalidTextRepresentation, $"invalid input value for enum {Name}: \"{text}\"");

    public SqlEnumLabel? FindLabel(string text) => _byLabel.GetValueOrDefault(text);

    /// <summary>The value a row stores as <paramref name="labelOid"/>.</summary>
    public SqlValue FromStored(uint labelOid) => _byOid.TryGetValue(labelOid, out SqlEnumLabel? label)
        ? SqlValue.FromEnum(label)
        : throw new SqlException(SqlState.InvalidBinaryRepresentation, $"invalid internal value for enum: {labelOid}");

    public bool Equals(SqlEnumType? other) => other is not null && other.Oid == Oid;

    public override bool Equals(object? obj) => obj is SqlEnumType other && Equals(other);

    public override int GetHashCode() => (int)Oid;

    public override string ToString() => Name;
}

/// <summary>What a <see cref="SqlType"/> of a user-defined or composite kind names: the enum or row type, with its OIDs and printed name.</summary>
public abstract class SqlTypeDescriptor
{
    public abstract uint Oid { get; }

    public abstract uint ArrayOid { get; }

    public abstract string Name { get; }
}
