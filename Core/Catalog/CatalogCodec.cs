using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ThunderDb.Core.Keys;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Catalog;

/// <summary>
/// Catalog records in the store: key <c>'C' kind oid(BE)</c>, value a format byte then the fields in order
/// (varints, length-prefixed UTF-8). Hand-written so it stays AOT-safe and the format is explicit: a new
/// field is appended and readers treat a missing tail as the default.
/// </summary>
public static class CatalogCodec
{
    private const byte FormatVersion = 1;

    public const int KeyLength = 6;

    public static byte[] Key(CatalogKind kind, uint oid)
    {
        var key = new byte[KeyLength];
        key[0] = KeyspaceTag.Catalog;
        key[1] = (byte)kind;
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(2), oid);
        return key;
    }

    /// <summary>[start, end) of every catalog record.</summary>
    public static (byte[] Start, byte[] End) Range() => ([KeyspaceTag.Catalog], [KeyspaceTag.Catalog + 1]);

    public static byte[] Encode(CatalogObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var w = new Writer();
        w.Byte(FormatVersion);
        switch (obj)
        {
            case DatabaseDef d:
                w.String(d.Name);
                w.UInt(d.OwnerOid); // later than the name: records written before owners read as the superuser's
                break;
            case SchemaDef s:
                w.UInt(s.DatabaseOid);
                w.String(s.Name);
                break;
            case TableDef t:
                w.UInt(t.SchemaOid);
                w.String(t.Name);
                w.UInt(t.PrimaryIndexOid);
                w.Int(t.FillFactor);
                w.Int(t.Columns.Count);
                foreach (ColumnDef c in t.Columns)
                {
                    w.Int(c.Number);
                    w.String(c.Name);
                    w.Type(c.Type);
                    w.Bool(c.NotNull);
                    w.OptionalString(c.DefaultSql);
                    w.Byte((byte)c.Identity);
                    w.UInt(c.SequenceOid);
                    w.Bool(c.IsDropped);
                }

                w.Int(t.Constraints.Count);
                foreach (ConstraintDef c in t.Constraints)
                {
                    w.String(c.Name);
                    w.Byte((byte)c.Kind);
                    w.Ints(c.Columns);
                    w.UInt(c.IndexOid);
                    w.OptionalString(c.CheckSql);
                    w.UInt(c.ReferencedTableOid);
                    w.Ints(c.ReferencedColumns ?? []);
                    w.Byte((byte)c.OnDelete);
                    w.Byte((byte)c.OnUpdate);
                }

                w.Bool(t.Statistics is not null);
                if (t.Statistics is { } stats)
                {
                    w.Long(stats.LiveRows);
                    w.Long(stats.LastVacuumMicros);
                    w.Long(stats.LastAnalyzeMicros);
                    w.Long(stats.VacuumCount);
                    w.Long(stats.AnalyzeCount);
                    w.Bool(stats.Columns is not null);
                    w.Int(stats.Columns?.Count ?? 0);
                    foreach (ColumnStatistics c in stats.Columns ?? [])
                    {
                        w.ColumnStatistics(c);
                    }
                }

                // generation expressions came after statistics: (column number, expression) pairs, none in older records
                w.Int(t.Columns.Count(c => c.IsGenerated));
                foreach (ColumnDef c in t.Columns.Where(c => c.IsGenerated))
                {
                    w.Int(c.Number);
                    w.String(c.GeneratedSql!);
                }

                break;
            case IndexDef i:
                w.UInt(i.TableOid);
                w.UInt(i.SchemaOid);
                w.String(i.Name);
                w.Bool(i.IsUnique);
                w.Bool(i.IsPrimary);
                w.Int(i.Columns.Count);
                foreach (IndexColumn c in i.Columns)
                {
                    w.Int(c.ColumnNumber);
                    w.OptionalString(c.ExpressionSql);
                    w.Bool(c.Descending);
                    w.Byte(c.NullsFirst switch { null => 0, true => 1, false => 2 });
                }

                break;
            case ViewDef v:
                w.UInt(v.SchemaOid);
                w.String(v.Name);
                w.String(v.QuerySql);
                w.Int(v.ColumnNames.Count);
                foreach (string name in v.ColumnNames)
                {
                    w.String(name);
                }

                break;
            case SequenceDef s:
                w.UInt(s.SchemaOid);
                w.String(s.Name);
                w.Long(s.Start);
                w.Long(s.Increment);
                w.Long(s.Min);
                w.Long(s.Max);
                w.Bool(s.Cycle);
                w.UInt(s.OwnedByTableOid);
                w.Int(s.OwnedByColumn);
                break;
            case RoleDef r:
                w.String(r.Name);
                w.Bool(r.Superuser);
                w.Bool(r.CanLogin);
                w.Bool(r.CreateDb);
                w.Bool(r.CreateRole);
                w.Bool(r.Inherit);
                w.Bool(r.Replication);
                w.Bool(r.BypassRls);
                w.OptionalString(r.Password);
                break;
            case CommentDef c:
                w.UInt(c.ObjectOid);
                w.UInt(c.ClassOid);
                w.Int(c.SubId);
                w.String(c.Text);
                break;
            case EnumTypeDef e:
                w.UInt(e.SchemaOid);
                w.String(e.Name);
                w.UInt(e.ArrayOid);
                w.Int(e.Labels.Count);
                foreach (SqlEnumLabel label in e.Labels)
                {
                    w.UInt(label.Oid);
                    w.Double(label.SortOrder);
                    w.String(label.Label);
                }

                break;
            case SuperuserSecretDef k:
                w.String(k.BcryptFingerprint);
                w.OptionalString(k.ScramVerifier);
                w.OptionalString(k.Md5Hash);
                w.String(k.Md5User);
                break;
            default:
                throw new ArgumentException($"no encoding for {obj.GetType().Name}", nameof(obj));
        }

        return w.ToArray();
    }

    public static CatalogObject Decode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var kind = (CatalogKind)key[1];
        uint oid = BinaryPrimitives.ReadUInt32BigEndian(key[2..]);
        var r = new Reader(value);
        byte format = r.Byte();
        if (format != FormatVersion)
        {
            throw new InvalidDataException($"catalog record {kind} {oid} has format {format}; this build reads {FormatVersion}");
        }

        switch (kind)
        {
            case CatalogKind.Database:
            {
                string name = r.String();
                return new DatabaseDef(oid, name, r.AtEnd ? 0 : r.UInt());
            }
            case CatalogKind.Schema:
                return new SchemaDef(oid, r.UInt(), r.String());
            case CatalogKind.Table:
            {
                uint schema = r.UInt();
                string name = r.String();
                uint primary = r.UInt();
                int fill = r.Int();
                var columns = new ColumnDef[r.Int()];
                for (int i = 0; i < columns.Length; i++)
                {
                    columns[i] = new ColumnDef(r.Int(), r.String(), r.Type(), r.Bool(), r.OptionalString(), (IdentityKind)r.Byte(), r.UInt(), r.Bool());
                }

                var constraints = new ConstraintDef[r.Int()];
                for (int i = 0; i < constraints.Length; i++)
                {
                    constraints[i] = new ConstraintDef(r.String(), (ConstraintKind)r.Byte(), r.Ints(), r.UInt(), r.OptionalString(), r.UInt(), r.Ints(),
                        (ReferentialAction)r.Byte(), (ReferentialAction)r.Byte());
                }

                // statistics were appended later: a record without them has none
                TableStatistics? statistics = null;
                if (!r.AtEnd && r.Bool())
                {
                    statistics = new TableStatistics(r.Long(), r.Long(), r.Long(), r.Long(), r.Long());
                    if (!r.AtEnd && r.Bool()) // column statistics came later still
                    {
                        var stats = new ColumnStatistics[r.Int()];
                        for (int i = 0; i < stats.Length; i++)
                        {
                            stats[i] = r.ColumnStatistics();
                        }

                        statistics = statistics with { Columns = stats };
                    }
                }

                if (!r.AtEnd)
                {
                    for (int n = r.Int(); n > 0; n--)
                    {
                        int number = r.Int();
                        int at = Array.FindIndex(columns, c => c.Number == number);
                        columns[at] = columns[at] with { GeneratedSql = r.String() };
                    }
                }

                return new TableDef(oid, schema, name, columns, constraints, primary, fill, statistics);
            }

            case CatalogKind.Index:
            {
                uint table = r.UInt();
                uint schema = r.UInt();
                string name = r.String();
                bool unique = r.Bool();
                bool primary = r.Bool();
                var columns = new IndexColumn[r.Int()];
                for (int i = 0; i < columns.Length; i++)
                {
                    columns[i] = new IndexColumn(r.Int(), r.OptionalString(), r.Bool(), r.Byte() switch { 1 => true, 2 => false, _ => null });
                }

                return new IndexDef(oid, table, schema, name, columns, unique, primary);
            }

            case CatalogKind.View:
            {
                uint schema = r.UInt();
                string name = r.String();
                string sql = r.String();
                var names = new string[r.Int()];
                for (int i = 0; i < names.Length; i++)
                {
                    names[i] = r.String();
                }

                return new ViewDef(oid, schema, name, sql, names);
            }

            case CatalogKind.Sequence:
                return new SequenceDef(oid, r.UInt(), r.String(), r.Long(), r.Long(), r.Long(), r.Long(), r.Bool(), r.UInt(), r.Int());
            case CatalogKind.Role:
                return new RoleDef(oid, r.String(), r.Bool(), r.Bool(), r.Bool(), r.Bool(), r.Bool(), r.Bool(), r.Bool(), r.OptionalString());
            case CatalogKind.Comment:
                return new CommentDef(oid, r.UInt(), r.UInt(), r.Int(), r.String());
            case CatalogKind.Type:
            {
                uint schema = r.UInt();
                string name = r.String();
                uint arrayOid = r.UInt();
                var labels = new SqlEnumLabel[r.Int()];
                for (int i = 0; i < labels.Length; i++)
                {
                    labels[i] = new SqlEnumLabel(r.UInt(), (float)r.Double(), r.String());
                }

                return new EnumTypeDef(oid, schema, name, arrayOid, labels);
            }
            case CatalogKind.SuperuserSecret:
                return new SuperuserSecretDef(r.String(), r.OptionalString(), r.OptionalString(), r.String());
            default:
                throw new InvalidDataException($"unknown catalog record kind 0x{(byte)kind:X2} for oid {oid}");
        }
    }

    private sealed class Writer
    {
        private readonly ArrayBufferWriter<byte> _out = new(128);

        public void Byte(byte b)
        {
            _out.GetSpan(1)[0] = b;
            _out.Advance(1);
        }

        public void Bool(bool b) => Byte(b ? (byte)1 : (byte)0);

        public void Long(long v)
        {
            ulong z = (ulong)((v << 1) ^ (v >> 63));
            while (z >= 0x80)
            {
                Byte((byte)(z | 0x80));
                z >>= 7;
            }

            Byte((byte)z);
        }

        public void Int(int v) => Long(v);

        public void UInt(uint v) => Long(v);

        public void String(string s)
        {
            int n = Encoding.UTF8.GetByteCount(s);
            Int(n);
            Encoding.UTF8.GetBytes(s, _out.GetSpan(n));
            _out.Advance(n);
        }

        public void OptionalString(string? s)
        {
            Bool(s is not null);
            if (s is not null)
            {
                String(s);
            }
        }

        public void Ints(IReadOnlyList<int> values)
        {
            Int(values.Count);
            foreach (int v in values)
            {
                Int(v);
            }
        }

        /// <summary>A type as kind, modifier and array flag; an enum's modifier slot holds its type OID.</summary>
        public void Type(SqlType t)
        {
            Byte((byte)t.Kind);
            Int(t.Enum is { } e ? (int)e.Oid : t.Modifier);
            Bool(t.IsArray);
        }

        public void Double(double v) => Long(BitConverter.DoubleToInt64Bits(v));

        public void ColumnStatistics(ColumnStatistics c)
        {
            Int(c.Column);
            Type(c.Type);
            Double(c.NullFraction);
            Int(c.AverageWidth);
            Double(c.Distinct);
            Values(c.CommonValues, c.Type);
            Int(c.CommonFrequencies.Count);
            foreach (double f in c.CommonFrequencies)
            {
                Double(f);
            }

            Values(c.Histogram, c.Type);
            Bool(c.Correlation is not null);
            Double(c.Correlation ?? 0);
        }

        /// <summary>Values of one type as a row of that many columns (<see cref="RowCodec"/>'s stored form), length-prefixed.</summary>
        private void Values(IReadOnlyList<SqlValue> values, SqlType type)
        {
            var row = new ArrayBufferWriter<byte>();
            SqlType[] types = new SqlType[values.Count];
            Array.Fill(types, type);
            RowCodec.Write(row, [.. values], types);
            Int(row.WrittenCount);
            row.WrittenSpan.CopyTo(_out.GetSpan(row.WrittenCount));
            _out.Advance(row.WrittenCount);
        }

        public byte[] ToArray() => _out.WrittenSpan.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> source)
    {
        private readonly ReadOnlySpan<byte> _source = source;
        private int _at;

        public byte Byte() => _source[_at++];

        public readonly bool AtEnd => _at >= _source.Length;

        public bool Bool() => Byte() != 0;

        public long Long()
        {
            ulong z = 0;
            int shift = 0;
            while (true)
            {
                byte b = Byte();
                z |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return (long)(z >> 1) ^ -(long)(z & 1);
                }

                shift += 7;
            }
        }

        public int Int() => (int)Long();

        public uint UInt() => (uint)Long();

        public string String()
        {
            int n = Int();
            string s = Encoding.UTF8.GetString(_source.Slice(_at, n));
            _at += n;
            return s;
        }

        public string? OptionalString() => Bool() ? String() : null;

        public int[] Ints()
        {
            var values = new int[Int()];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = Int();
            }

            return values;
        }

        /// <summary>A type; an enum comes back known by OID only, and <see cref="CatalogSnapshot"/> gives it its labels.</summary>
        public SqlType Type()
        {
            var kind = (SqlTypeKind)Byte();
            int modifier = Int();
            bool isArray = Bool();
            return kind == SqlTypeKind.Enum ? new(kind, -1, isArray, SqlEnumType.Unresolved((uint)modifier)) : new(kind, modifier, isArray);
        }

        public double Double() => BitConverter.Int64BitsToDouble(Long());

        public ColumnStatistics ColumnStatistics()
        {
            int column = Int();
            SqlType type = Type();
            double nulls = Double();
            int width = Int();
            double distinct = Double();
            SqlValue[] common = Values(type);
            var freqs = new double[Int()];
            for (int i = 0; i < freqs.Length; i++)
            {
                freqs[i] = Double();
            }

            SqlValue[] histogram = Values(type);
            bool hasCorrelation = Bool();
            double correlation = Double();
            return new ColumnStatistics(column, type, nulls, width, distinct, common, freqs, histogram, hasCorrelation ? correlation : null);
        }

        private SqlValue[] Values(SqlType type)
        {
            int n = Int();
            ReadOnlySpan<byte> row = _source.Slice(_at, n);
            _at += n;
            int count = RowCodec.ColumnCount(row);
            var values = new SqlValue[count];
            SqlType[] types = new SqlType[count];
            Array.Fill(types, type);
            RowCodec.Read(row, values, types);
            return values;
        }
    }
}
