using System.Buffers.Binary;
using System.Text;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>
/// Builds one fuzz case from its own seed: a startup packet and a sequence of valid frontend messages (simple
/// query, Parse/Bind/Describe/Execute/Close/Sync, COPY FROM STDIN in text, CSV and binary), then damages some of
/// them: truncated bodies and streams, bogus lengths (negative, short, &gt; 1 GiB), bad format codes, parameter
/// counts that disagree, invalid UTF-8, strings without their NUL, changed type bytes, dropped, repeated and
/// reordered messages, random bytes. The same seed always builds the same bytes.
/// </summary>
internal static class PgWireFuzzer
{
    /// <summary>The tables the cases use (made by the test before fuzzing).</summary>
    public const string Setup = "CREATE TABLE fuzz (id int PRIMARY KEY, v text, a int[]); CREATE TABLE fuzz_copy (id int, v text, n numeric, d date)";

    /// <summary>One case's bytes and what the reader of the reply must know about them.</summary>
    /// <param name="EncryptionRequests">How many SSLRequest / GSSENCRequest packets come first: each is answered with the single byte N.</param>
    public sealed record Case(byte[] Bytes, int EncryptionRequests, IReadOnlyList<string> Mutations);

    private static readonly int[] InterestingInt32 =
        [0, 1, -1, -2, 3, 4, 5, 127, 128, 255, 256, 32767, -32768, 65535, 65536, int.MaxValue, int.MinValue, 0x40000000, 0x40000001, 0x3FFFFFFF, 0x7FFFFFF0];

    private static readonly short[] InterestingInt16 = [0, 1, -1, 2, 3, 7, 255, 256, short.MaxValue, short.MinValue, -2, 100];

    private static readonly byte[][] BadUtf8 = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]];

    /// <summary>(type oid, SQL type name, binary value, text value) for the parameters the cases bind.</summary>
    private static readonly (int Oid, string Name, byte[] Binary, string Text)[] Values =
    [
        (16, "bool", [1], "true"),
        (21, "int2", [0x7F, 0xFF], "32767"),
        (23, "int4", [0, 0, 0, 41], "41"),
        (20, "int8", [0x80, 0, 0, 0, 0, 0, 0, 0], "-9223372036854775808"),
        (700, "float4", [0x3F, 0xC0, 0, 0], "1.5"),
        (701, "float8", [0x7F, 0xF0, 0, 0, 0, 0, 0, 0], "Infinity"),
        (25, "text", "h\u00e9llo"u8.ToArray(), "h\u00e9llo"),
        (1043, "varchar", "abc"u8.ToArray(), "abc"),
        (17, "bytea", [0, 1, 0xFF], "\\x0001ff"),
        (1082, "date", [0, 0, 0x22, 0x05], "2024-02-29"),
        (1114, "timestamp", [0, 2, 0xB3, 0x8F, 0x11, 0x74, 0x10, 0], "2024-01-02 03:04:05"),
        (1184, "timestamptz", [0, 0, 0, 0, 0, 0, 0, 0], "2000-01-01 00:00:00+00"),
        (1083, "time", [0, 0, 0, 0x14, 0xDC, 0x93, 0x80, 0], "23:59:59"),
        (2950, "uuid", [0x0F, 0x8F, 0xAD, 0x5B, 0xD9, 0xCB, 0x46, 0x9F, 0xA1, 0x65, 0x70, 0x86, 0x77, 0x28, 0x95, 0x0E], "0f8fad5b-d9cb-469f-a165-70867728950e"),
        (1700, "numeric", [0, 2, 0, 0, 0, 0, 0, 2, 0, 12, 0x13, 0x88], "12.50"),
        (1186, "interval", [0, 0, 0, 0, 0, 0x3D, 0x1C, 0x8E, 0, 0, 0, 3, 0, 0, 0, 14], "1 year 2 mons 3 days 00:00:04.005006"),
        (3802, "jsonb", [1, .. "{\"a\": [1, 2]}"u8], "{\"a\": [1, 2]}"),
        (114, "json", "[1,2]"u8.ToArray(), "[1,2]"),
        (1007, "int4[]", [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7, 0xFF, 0xFF, 0xFF, 0xFF], "{7,NULL}"),
        (1009, "text[]", [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, (byte)'h', (byte)'i'], "{hi}"),
        (1016, "int8[]", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20], "{}"),
    ];

    private static readonly string[] Queries =
    [
        "SELECT 1",
        "SELECT 'a' || 'b', 2.5::numeric, now() IS NOT NULL",
        "SELECT * FROM (VALUES (1, 'x'), (2, NULL), (3, 'z')) v(i, t)",
        "BEGIN; INSERT INTO fuzz VALUES (1000, 'q') ON CONFLICT (id) DO NOTHING; ROLLBACK",
        "SELECT id, v, a FROM fuzz ORDER BY id LIMIT 5",
        "SELECT 1/0",
        "COPY (SELECT 1, 'two') TO STDOUT",
        "SHOW search_path",
        "SELECT ARRAY[1, 2, NULL], '{a,b}'::text[]",
    ];

    private static readonly string[] Names = ["", "s1", "victim", "p", "\u00e9t\u00e9", "x_very_long_name_" + new string('n', 140)];

    public static Case Build(int seed)
    {
        var r = new Random(seed);
        var mutations = new List<string>();
        var messages = new List<byte[]>();
        bool ssl = r.Next(20) == 0;
        if (ssl)
        {
            messages.Add(StartupFrame(BigEndian(80877103)));
        }

        messages.Add(Startup(r, mutations, out bool encryptionRequest));
        int scenarios = 1 + r.Next(3);
        for (int i = 0; i < scenarios; i++)
        {
            AddScenario(r, messages);
        }

        // the damage: never to the SSLRequest, to the startup packet now and then
        int first = ssl ? 2 : 1;
        int damage = 1 + r.Next(3);
        for (int i = 0; i < damage && messages.Count > first; i++)
        {
            int at = first + r.Next(messages.Count - first);
            Mutate(r, messages, at, mutations);
        }

        // every case ends with a question the server must still answer (or not, after a FATAL)
        messages.Add(Message('S', []));
        messages.Add(Query("SELECT 'fuzz-alive'"));
        return new Case([.. messages.SelectMany(m => m)], (ssl ? 1 : 0) + (encryptionRequest ? 1 : 0), mutations);
    }

    /// <param name="encryptionRequest">Set when the damage made it an SSLRequest or GSSENCRequest (answered with one byte, N).</param>
    private static byte[] Startup(Random r, List<string> mutations, out bool encryptionRequest)
    {
        encryptionRequest = false;
        var body = new List<byte>(BigEndian(196608));
        string[] users = ["thunder", "fuzzer", ""];
        // a missing user or database now and then (FATAL 28000 / 3D000), mostly a session to damage
        int u = r.Next(20) == 0 ? 2 : r.Next(2);
        body.AddRange(CString("user"));
        body.AddRange(CString(users[u]));
        body.AddRange(CString("database"));
        body.AddRange(CString(r.Next(20) == 0 ? "nosuchdb" : "postgres"));
        if (r.Next(3) == 0)
        {
            body.AddRange(CString("options"));
            body.AddRange(CString("-c search_path=public --statement-timeout=10s -c"));
        }

        if (r.Next(3) == 0)
        {
            body.AddRange(CString("application_name"));
            body.AddRange(CString("fuzz"));
        }

        body.Add(0);
        if (r.Next(8) != 0)
        {
            return StartupFrame([.. body]);
        }

        // a damaged startup packet
        byte[] b = [.. body];
        switch (r.Next(7))
        {
            case 0:
                mutations.Add("startup: protocol code");
                int[] codes = [0x00020000, 0x00030001, 0x00040000, 80877102, 80877103, 80877104, 1234, -1];
                int code = codes[r.Next(codes.Length)];
                encryptionRequest = code is 80877103 or 80877104;
                BinaryPrimitives.WriteInt32BigEndian(b, code);
                return StartupFrame(b);
            case 1:
                mutations.Add("startup: no final NULs");
                return StartupFrame(b[..^(1 + r.Next(3))]);
            case 2:
                mutations.Add("startup: invalid UTF-8");
                return StartupFrame([.. b[..9], .. BadUtf8[r.Next(BadUtf8.Length)], .. b[9..]]);
            case 3:
                mutations.Add("startup: bogus length");
                byte[] f = StartupFrame(b);
                int[] lengths = [0, 3, 7, 8, 10_001, -5, int.MaxValue, f.Length + 1, f.Length - 1];
                BinaryPrimitives.WriteInt32BigEndian(f, lengths[r.Next(lengths.Length)]);
                return f;
            case 4:
                mutations.Add("startup: truncated");
                return StartupFrame(b[..r.Next(b.Length)]);
            case 5:
                mutations.Add("startup: oversized");
                return StartupFrame([.. b[..^1], .. CString("x"), .. CString(new string('y', 10_000)), 0]);
            default:
                mutations.Add("startup: random bytes");
                return StartupFrame(RandomBytes(r, r.Next(64)));
        }
    }

    private static void AddScenario(Random r, List<byte[]> m)
    {
        string stmt = Names[r.Next(Names.Length)];
        string portal = r.Next(3) == 0 ? Names[r.Next(Names.Length)] : "";
        switch (r.Next(9))
        {
            case 0:
                m.Add(Query(Queries[r.Next(Queries.Length)]));
                break;
            case 1 or 2:
            {
                // one typed parameter, sent in text or binary, result in text or binary
                var (oid, name, binary, text) = Values[r.Next(Values.Length)];
                bool bin = r.Next(2) == 0;
                m.Add(Parse(stmt, $"SELECT $1::{name} AS v, $1 IS NULL AS n", r.Next(2) == 0 ? [oid] : []));
                if (r.Next(2) == 0)
                {
                    m.Add(Describe('S', stmt));
                }

                m.Add(Bind(portal, stmt, [(short)(bin ? 1 : 0)], [bin ? binary : Encoding.UTF8.GetBytes(text)], [(short)r.Next(2)]));
                m.Add(Describe('P', portal));
                m.Add(Execute(portal, r.Next(3)));
                m.Add(Message('S', []));
                if (r.Next(2) == 0)
                {
                    m.Add(Close('S', stmt));
                }

                break;
            }

            case 3:
            {
                // a write with two parameters, in an implicit transaction until Sync
                int id = r.Next(100);
                m.Add(Parse(stmt, "INSERT INTO fuzz (id, v, a) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET v = excluded.v RETURNING id", [23, 25, 1007]));
                m.Add(Bind(portal, stmt, [1, 0, 1], [BigEndian(id), "fuzzed"u8.ToArray(), Values[^3].Binary], [1]));
                m.Add(Execute(portal, 0));
                m.Add(r.Next(2) == 0 ? Message('S', []) : Message('H', []));
                break;
            }

            case 4:
                // a row-limited portal read in pieces
                m.Add(Parse(stmt, "SELECT i FROM (VALUES (1), (2), (3), (4)) v(i)", []));
                m.Add(Bind(portal, stmt, [], [], []));
                m.Add(Execute(portal, 1));
                m.Add(Execute(portal, 2));
                m.Add(Close('P', portal));
                m.Add(Message('S', []));
                break;
            case 5:
                m.Add(Query("COPY fuzz_copy (id, v, n, d) FROM STDIN"));
                m.Add(Message('d', "1\tone\t1.5\t2024-01-01\n2\t\\N\t\\N\t\\N\n"u8.ToArray()));
                m.Add(Message('d', "3\tth"u8.ToArray()));
                m.Add(Message('d', "ree\t-0.25\t1999-12-31\n"u8.ToArray()));
                m.Add(r.Next(4) == 0 ? Message('f', CString("client gave up")) : Message('c', []));
                break;
            case 6:
                m.Add(Query("COPY fuzz_copy (id, v) FROM STDIN (FORMAT csv, HEADER true)"));
                m.Add(Message('d', "id,v\n7,\"a,b\"\n8,\"q\"\"uote\"\n"u8.ToArray()));
                m.Add(Message('c', []));
                break;
            case 7:
            {
                // binary COPY as Npgsql's importer sends it: header, rows of (int4, text), trailer
                var data = new List<byte>();
                data.AddRange([(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0]);
                data.AddRange(BigEndian(0));
                data.AddRange(BigEndian(0));
                for (int i = 0; i < 2; i++)
                {
                    data.AddRange([0, 2]);
                    data.AddRange(BigEndian(4));
                    data.AddRange(BigEndian(20 + i));
                    data.AddRange(BigEndian(3));
                    data.AddRange("bin"u8.ToArray());
                }

                data.AddRange([0xFF, 0xFF]);
                m.Add(Query("COPY fuzz_copy (id, v) FROM STDIN (FORMAT binary)"));
                int cut = r.Next(data.Count);
                m.Add(Message('d', [.. data.Take(cut)]));
                m.Add(Message('d', [.. data.Skip(cut)]));
                m.Add(Message('c', []));
                break;
            }

            default:
                // COPY through the extended protocol, as drivers send it
                m.Add(Parse("", "COPY fuzz_copy (id) FROM STDIN", []));
                m.Add(Bind("", "", [], [], []));
                m.Add(Execute("", 0));
                m.Add(Message('S', []));
                m.Add(Message('d', "42\n"u8.ToArray()));
                m.Add(Message('c', []));
                break;
        }
    }

    private static void Mutate(Random r, List<byte[]> messages, int at, List<string> mutations)
    {
        byte[] raw = messages[at];
        bool startup = raw.Length >= 8 && raw[0] == 0; // startup frames have no type byte (their length's high byte is 0)
        int header = startup ? 4 : 5;
        if (raw.Length < header)
        {
            mutations.Add("short garbage frame grown");
            messages[at] = [.. raw, .. RandomBytes(r, 1 + r.Next(8))];
            return;
        }

        byte[] body = raw[header..];
        string what = startup ? "startup" : $"'{(char)raw[0]}'";
        switch (r.Next(14))
        {
            case 0:
                mutations.Add($"{what}: body truncated, length adjusted");
                messages[at] = Reframe(raw, header, body[..r.Next(body.Length + 1)]);
                break;
            case 1:
                mutations.Add($"{what}: stream truncated (declared length kept)");
                messages[at] = raw[..r.Next(raw.Length)];
                break;
            case 2:
            {
                int length = r.Next(3) switch
                {
                    0 => InterestingInt32[r.Next(InterestingInt32.Length)],
                    1 => body.Length + 4 + r.Next(-6, 7),
                    _ => r.Next(int.MinValue, int.MaxValue),
                };
                mutations.Add($"{what}: length {length}");
                byte[] copy = [.. raw];
                BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(header - 4), length);
                messages[at] = copy;
                break;
            }

            case 3 when body.Length >= 4:
            {
                int offset = r.Next(body.Length - 3);
                int value = InterestingInt32[r.Next(InterestingInt32.Length)];
                mutations.Add($"{what}: int32 {value} at {offset}");
                BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(offset), value);
                messages[at] = Reframe(raw, header, body);
                break;
            }

            case 4 when body.Length >= 2:
            {
                // format codes, parameter and column counts are Int16s
                int offset = r.Next(body.Length - 1);
                short value = InterestingInt16[r.Next(InterestingInt16.Length)];
                mutations.Add($"{what}: int16 {value} at {offset}");
                BinaryPrimitives.WriteInt16BigEndian(body.AsSpan(offset), value);
                messages[at] = Reframe(raw, header, body);
                break;
            }

            case 5:
            {
                byte[] bad = BadUtf8[r.Next(BadUtf8.Length)];
                int offset = r.Next(body.Length + 1);
                mutations.Add($"{what}: invalid UTF-8 at {offset}");
                messages[at] = Reframe(raw, header, [.. body[..offset], .. bad, .. body[offset..]]);
                break;
            }

            case 6:
            {
                int nul = Array.LastIndexOf(body, (byte)0);
                int firstNul = Array.IndexOf(body, (byte)0);
                int drop = r.Next(2) == 0 ? firstNul : nul;
                mutations.Add($"{what}: NUL at {drop} removed");
                messages[at] = drop < 0 ? raw : Reframe(raw, header, [.. body[..drop], .. body[(drop + 1)..]]);
                break;
            }

            case 7 when !startup:
            {
                byte[] types = [.. "PBDECSHXQdcfFpx!"u8, 0, 0xFF];
                byte type = r.Next(2) == 0 ? types[r.Next(types.Length)] : (byte)r.Next(256);
                mutations.Add($"{what}: type byte 0x{type:X2}");
                byte[] copy = [.. raw];
                copy[0] = type;
                messages[at] = copy;
                break;
            }

            case 8:
                mutations.Add($"{what}: dropped");
                messages.RemoveAt(at);
                break;
            case 9:
                mutations.Add($"{what}: repeated");
                messages.Insert(at, raw);
                break;
            case 10 when at + 1 < messages.Count:
                mutations.Add($"{what}: swapped with the next");
                (messages[at], messages[at + 1]) = (messages[at + 1], messages[at]);
                break;
            case 11:
            {
                int count = 1 + r.Next(8);
                mutations.Add($"{what}: {count} random bytes");
                for (int i = 0; i < count && body.Length > 0; i++)
                {
                    body[r.Next(body.Length)] = (byte)r.Next(256);
                }

                messages[at] = Reframe(raw, header, body);
                break;
            }

            case 12:
            {
                int count = r.Next(64);
                mutations.Add($"{what}: {count} bytes appended to the body");
                messages[at] = Reframe(raw, header, [.. body, .. RandomBytes(r, count)]);
                break;
            }

            default:
                mutations.Add("garbage frame inserted");
                messages.Insert(at, RandomBytes(r, 1 + r.Next(40)));
                break;
        }
    }

    private static byte[] Reframe(byte[] raw, int header, byte[] body)
    {
        var m = new byte[header + body.Length];
        raw.AsSpan(0, header - 4).CopyTo(m);
        BinaryPrimitives.WriteInt32BigEndian(m.AsSpan(header - 4), body.Length + 4);
        body.CopyTo(m, header);
        return m;
    }

    private static byte[] RandomBytes(Random r, int n)
    {
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }

    public static byte[] Message(char type, byte[] body)
    {
        var m = new byte[5 + body.Length];
        m[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(m.AsSpan(1), body.Length + 4);
        body.CopyTo(m, 5);
        return m;
    }

    public static byte[] StartupFrame(byte[] body)
    {
        var m = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(m, m.Length);
        body.CopyTo(m, 4);
        return m;
    }

    public static byte[] Query(string sql) => Message('Q', CString(sql));

    public static byte[] Parse(string name, string sql, int[] oids) =>
        Message('P', [.. CString(name), .. CString(sql), .. BigEndian16((short)oids.Length), .. oids.SelectMany(BigEndian)]);

    public static byte[] Bind(string portal, string statement, short[] formats, byte[]?[] values, short[] resultFormats)
    {
        var b = new List<byte>();
        b.AddRange(CString(portal));
        b.AddRange(CString(statement));
        b.AddRange(BigEndian16((short)formats.Length));
        foreach (short f in formats)
        {
            b.AddRange(BigEndian16(f));
        }

        b.AddRange(BigEndian16((short)values.Length));
        foreach (byte[]? v in values)
        {
            b.AddRange(BigEndian(v?.Length ?? -1));
            b.AddRange(v ?? []);
        }

        b.AddRange(BigEndian16((short)resultFormats.Length));
        foreach (short f in resultFormats)
        {
            b.AddRange(BigEndian16(f));
        }

        return Message('B', [.. b]);
    }

    public static byte[] Describe(char kind, string name) => Message('D', [(byte)kind, .. CString(name)]);

    public static byte[] Execute(string portal, int maxRows) => Message('E', [.. CString(portal), .. BigEndian(maxRows)]);

    public static byte[] Close(char kind, string name) => Message('C', [(byte)kind, .. CString(name)]);

    public static byte[] CString(string s) => [.. Encoding.UTF8.GetBytes(s), 0];

    public static byte[] BigEndian(int v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, v);
        return b;
    }

    private static byte[] BigEndian16(short v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(b, v);
        return b;
    }
}
