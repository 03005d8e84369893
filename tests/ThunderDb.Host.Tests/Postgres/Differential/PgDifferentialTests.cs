using System.Globalization;
using System.Text;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// Differential test against the distribution's PostgreSQL 15: the same random schema, data and queries
/// (<see cref="QueryGenerator"/>) go through psql to a private PostgreSQL and to ThunderDB, and the outputs
/// (rows in psql's unaligned format, command tags, and errors by SQLSTATE) must be identical.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class PgDifferentialTests
{
    private const int QueriesPerSeed = 150;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    /// <summary>The script: schema and data, then each query after a marker line that splits the output.</summary>
    private static (string Script, List<string> Queries) Script(int seed)
    {
        var generator = new QueryGenerator(seed);
        var script = new StringBuilder("\\set VERBOSITY sqlstate\n");
        script.Append(generator.Schema());
        var queries = new List<string>();
        for (int i = 0; i < QueriesPerSeed; i++)
        {
            var q = generator.Query();
            queries.Add(q);
            script.Append(CultureInfo.InvariantCulture, $"\\echo @@{i}\n{q};\n");
        }

        return (script.ToString(), queries);
    }

    /// <summary>psql's stdout and stderr in one stream, so each error stays next to its query.</summary>
    private static async Task<string> RunAsync(int port, string user, string script)
    {
        var r = await ExternalTool.RunAsync("bash",
            ["-c", $"psql -X -q -A -t -h 127.0.0.1 -p {port} -U {user} -d postgres -v ON_ERROR_STOP=0 2>&1"],
            script, TimeSpan.FromSeconds(120), new Dictionary<string, string> { ["PGCONNECT_TIMEOUT"] = "10" });
        return r.Stdout;
    }

    private static Dictionary<string, string> Split(string output)
    {
        var blocks = new Dictionary<string, string>();
        string current = "schema";
        var text = new StringBuilder();
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith("@@", StringComparison.Ordinal))
            {
                blocks[current] = text.ToString();
                current = line[2..];
                text.Clear();
                continue;
            }

            // psql names the script line of an error ("psql:<stdin>:12: ERROR:  22012"): the same on both sides
            text.Append(line).Append('\n');
        }

        blocks[current] = text.ToString();
        return blocks;
    }

    [Test]
    [Arguments(1)]
    [Arguments(2)]
    [Arguments(3)]
    [Arguments(4)]
    [Arguments(5)]
    [Arguments(6)]
    [Arguments(7)]
    [Arguments(8)]
    [Timeout(240_000)]
    public async Task Random_queries_answer_as_postgresql_does(int seed, CancellationToken ct)
    {
        var (script, queries) = Script(seed);
        await using var reference = await ReferencePostgres.StartAsync();
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        var expected = Split(await RunAsync(reference.Port, reference.User, script));
        var actual = Split(await RunAsync(server.PgPort, "thunder", script));

        await Assert.That(expected.Count).IsEqualTo(QueriesPerSeed + 1).Because("the reference ran every query");
        await Assert.That(actual.GetValueOrDefault("schema")).IsEqualTo(expected["schema"]);
        var mismatches = new List<string>();
        for (int i = 0; i < queries.Count; i++)
        {
            var key = i.ToString(CultureInfo.InvariantCulture);
            var want = expected.GetValueOrDefault(key, "<missing>");
            var got = actual.GetValueOrDefault(key, "<missing>");
            if (want != got)
            {
                mismatches.Add($"seed {seed} query {i}: {queries[i]}\n  PostgreSQL: {want.Trim().Replace("\n", " | ", StringComparison.Ordinal)}\n  ThunderDB:  {got.Trim().Replace("\n", " | ", StringComparison.Ordinal)}");
            }
        }

        await Assert.That(mismatches).IsEmpty().Because(string.Join("\n", mismatches.Take(25)));
    }
}
