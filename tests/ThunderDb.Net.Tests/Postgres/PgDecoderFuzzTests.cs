using System.Globalization;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Net.Postgres;

namespace ThunderDb.Net.Tests.Postgres;

/// <summary>
/// Fuzzes the separable decoders under the PostgreSQL front end with seeded random and damaged input: message
/// framing (<see cref="PgFrame"/>), field reading (<see cref="PgBody"/>), binary parameters of every type
/// (<see cref="PgBinaryFormat"/>), text parameters (<see cref="SqlText.Parse"/>) and binary COPY rows
/// (<see cref="CopyBinaryReader"/>). Each may return a value or refuse with its protocol or SQL error; any other
/// exception, or a decoded value that cannot be sent back, is a bug. <c>THUNDERDB_FUZZ_SEED</c> changes the run;
/// a failure names the seed and the input.
/// </summary>
public sealed class PgDecoderFuzzTests
{
    private const int Iterations = 20_000;

    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("THUNDERDB_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 20261204;

    /// <summary>A text per type that its input function accepts: the start of the damaged inputs.</summary>
    private static readonly Dictionary<SqlTypeKind, string> Samples = new()
    {
        [SqlTypeKind.Bool] = "t", [SqlTypeKind.Int2] = "-12", [SqlTypeKind.Int4] = "2147483647", [SqlTypeKind.Int8] = "-9223372036854775808",
        [SqlTypeKind.Float4] = "1.5", [SqlTypeKind.Float8] = "-2.5e300", [SqlTypeKind.Numeric] = "12345.678",
        [SqlTypeKind.Text] = "h\u00e9llo", [SqlTypeKind.Varchar] = "abc", [SqlTypeKind.Char] = "ab", [SqlTypeKind.Name] = "nm",
        [SqlTypeKind.Bytea] = "\\x00ff", [SqlTypeKind.Date] = "2024-02-29", [SqlTypeKind.Time] = "12:34:56.789",
        [SqlTypeKind.Timestamp] = "2024-01-02 03:04:05.678", [SqlTypeKind.TimestampTz] = "2024-01-02 03:04:05+00",
        [SqlTypeKind.Interval] = "1 year 2 mons 3 days 04:05:06", [SqlTypeKind.Uuid] = "0f8fad5b-d9cb-469f-a165-70867728950e",
        [SqlTypeKind.Json] = "{\"a\": [1, 2]}", [SqlTypeKind.Jsonb] = "{\"a\": [1, 2]}", [SqlTypeKind.Oid] = "42",
    };

    private static readonly int[] Interesting32 = [0, 1, -1, -2, 2, 4, 16, 255, 32767, 65535, int.MaxValue, int.MinValue, 0x40000000, 0x3FFFFFFF];

    private static IEnumerable<SqlType> Types()
    {
        foreach (SqlTypeKind kind in Samples.Keys)
        {
            yield return new SqlType(kind);
            yield return new SqlType(kind, IsArray: true);
        }
    }

    [Test]
    public async Task Frame_and_field_readers_refuse_bad_input_with_protocol_errors_only()
    {
        var r = new Random(Seed);
        for (int i = 0; i < Iterations; i++)
        {
            byte[] input = Damaged(r, Bytes(r, r.Next(40)));
            string? bug = Catch(() =>
            {
                bool startup = r.Next(2) == 0;
                if (PgFrame.TryHeader(input, startup, startup ? PgFrame.MaxStartupLength : PgFrame.MaxMessageLength, out _, out int body) == PgFrameStatus.Complete
                    && (body < 0 || body > PgFrame.MaxMessageLength))
                {
                    throw new InvalidOperationException($"framed a body of {body} bytes");
                }

                var reader = new PgBody(input);
                for (int op = 0; op < 12; op++)
                {
                    _ = r.Next(7) switch
                    {
                        0 => reader.Byte(),
                        1 => reader.Int16(),
                        2 => reader.Int32(),
                        3 => reader.Bytes(Interesting32[r.Next(Interesting32.Length)]).Length,
                        4 => reader.CString().Length,
                        5 => reader.CStringBytes().Length,
                        _ => reader.Count16(),
                    };
                }
            }, typeof(PgProtocolException));
            await Assert.That(bug).IsNull().Because(Describe(i, input));
        }
    }

    [Test]
    public async Task Binary_parameters_of_every_type_decode_or_fail_with_a_sql_error()
    {
        var r = new Random(Seed);
        SqlType[] types = [.. Types()];
        for (int i = 0; i < Iterations; i++)
        {
            SqlType type = types[r.Next(types.Length)];
            byte[] valid = Encoded(type);
            byte[] input = r.Next(4) == 0 ? Bytes(r, r.Next(24)) : Damaged(r, valid);
            int oid = r.Next(50) == 0 ? r.Next(5000) : type.PgOid;
            string? bug = Catch(() =>
            {
                SqlValue v = PgBinaryFormat.Read(input, oid, 1);
                SendBack(v, type);
            }, typeof(SqlException));
            await Assert.That(bug).IsNull().Because($"{Describe(i, input)} as oid {oid} ({type})");
        }
    }

    [Test]
    public async Task Text_parameters_of_every_type_parse_or_fail_with_a_sql_error()
    {
        var r = new Random(Seed);
        SqlType[] types = [.. Types()];
        const string Alphabet = "0123456789+-.eE:, {}\"\\NULnaifyt-TZ\u00e9\u2603\0 x";
        for (int i = 0; i < Iterations; i++)
        {
            SqlType type = types[r.Next(types.Length)];
            char[] text = (type.IsArray ? $"{{{{{Quoted(Samples[type.Kind])},NULL}},{{NULL,{Quoted(Samples[type.Kind])}}}}}" : Samples[type.Kind]).ToCharArray();
            int edits = 1 + r.Next(4);
            var chars = new List<char>(text);
            for (int e = 0; e < edits; e++)
            {
                int at = r.Next(chars.Count + 1);
                switch (r.Next(4))
                {
                    case 0 when at < chars.Count:
                        chars.RemoveAt(at);
                        break;
                    case 1:
                        chars.Insert(at, Alphabet[r.Next(Alphabet.Length)]);
                        break;
                    case 2:
                        chars.InsertRange(at, new string(Alphabet[r.Next(Alphabet.Length)], r.Next(40)));
                        break;
                    default:
                        if (at < chars.Count)
                        {
                            chars[at] = Alphabet[r.Next(Alphabet.Length)];
                        }

                        break;
                }
            }

            string input = new([.. chars]);
            string? bug = Catch(() => SendBack(SqlText.Parse(input, type), type), typeof(SqlException));
            await Assert.That(bug).IsNull().Because($"seed {Seed}, iteration {i}: '{input}' as {type}");
        }
    }

    [Test]
    public async Task Binary_copy_rows_are_read_or_refused_with_a_sql_error()
    {
        var r = new Random(Seed);
        byte[] valid = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 2, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 3, (byte)'a', (byte)'b', (byte)'c',
            0, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0,
            0xFF, 0xFF];
        var fields = new List<(int Offset, int Length)>();
        for (int i = 0; i < Iterations / 4; i++)
        {
            byte[] input = Damaged(r, valid);
            int cut = r.Next(input.Length + 1);
            string? bug = Catch(() =>
            {
                var reader = new CopyBinaryReader();
                reader.Append(input.AsSpan(0, cut));
                Drain(reader, fields, final: false);
                reader.Append(input.AsSpan(cut));
                Drain(reader, fields, final: true);
            }, typeof(SqlException));
            await Assert.That(bug).IsNull().Because(Describe(i, input) + $" cut at {cut}");
        }
    }

    private static void Drain(CopyBinaryReader reader, List<(int Offset, int Length)> fields, bool final)
    {
        while (reader.TryReadRow(fields, 2, final))
        {
            foreach ((int offset, int length) in fields)
            {
                // what CopyExecutor does with each field: a slice of the buffered data
                _ = length < 0 ? default : reader.Data.Slice(offset, length);
            }
        }
    }

    /// <summary>A decoded value must go back out in both formats (a value the decoder let in but output cannot show is a bug).</summary>
    private static void SendBack(SqlValue v, SqlType type)
    {
        if (v.IsNull)
        {
            return;
        }

        _ = SqlText.Format(v);
        PgBinaryFormat.Write(new PgWriter(), v, type);
    }

    private static string Quoted(string element) => "\"" + element.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static byte[] Encoded(SqlType type)
    {
        string text = type.IsArray ? $"{{{Quoted(Samples[type.Kind])},NULL}}" : Samples[type.Kind];
        var w = new PgWriter();
        PgBinaryFormat.Write(w, SqlText.Parse(text, type), type);
        return w.Pending[4..].ToArray(); // without the length prefix, as Bind carries it
    }

    /// <summary>Null when <paramref name="action"/> returned or threw one of the <paramref name="allowed"/> types (not XX000), else what went wrong.</summary>
    private static string? Catch(Action action, Type allowed)
    {
        try
        {
            action();
            return null;
        }
        catch (SqlException e) when (e.SqlState == SqlState.InternalError)
        {
            return "internal error: " + e;
        }
        catch (Exception e) when (allowed.IsInstanceOfType(e))
        {
            return null;
        }
        catch (Exception e)
        {
            return e.ToString();
        }
    }

    private static byte[] Damaged(Random r, byte[] valid)
    {
        var b = new List<byte>(valid);
        int edits = 1 + r.Next(3);
        for (int e = 0; e < edits; e++)
        {
            int at = r.Next(b.Count + 1);
            switch (r.Next(6))
            {
                case 0:
                    b.RemoveRange(at, r.Next(b.Count - at + 1)); // truncated
                    break;
                case 1 when at + 4 <= b.Count:
                {
                    int v = Interesting32[r.Next(Interesting32.Length)];
                    b[at] = (byte)(v >> 24);
                    b[at + 1] = (byte)(v >> 16);
                    b[at + 2] = (byte)(v >> 8);
                    b[at + 3] = (byte)v;
                    break;
                }

                case 2 when at + 2 <= b.Count:
                    b[at] = (byte)(r.Next(2) == 0 ? 0xFF : 0);
                    b[at + 1] = (byte)r.Next(256);
                    break;
                case 3:
                    b.InsertRange(at, Bytes(r, r.Next(6)));
                    break;
                case 4:
                    b.InsertRange(at, r.Next(3) switch { 0 => [0xFF], 1 => [0xC0, 0x80], _ => [0xED, 0xA0, 0x80] }); // invalid UTF-8
                    break;
                default:
                    if (at < b.Count)
                    {
                        b[at] = (byte)r.Next(256);
                    }

                    break;
            }
        }

        return [.. b];
    }

    private static byte[] Bytes(Random r, int n)
    {
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }

    private static string Describe(int iteration, byte[] input) => $"seed {Seed}, iteration {iteration}: input {Convert.ToHexString(input)}";
}
