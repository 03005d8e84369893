using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Functions;

/// <summary>random() draws from the session's own generator, so setseed() makes the sequence after it repeatable.</summary>
public class SetSeedTests
{
    private static async Task<string> Draws(SqlSession s)
    {
        BatchResult r = await s.ExecuteAsync("SELECT random(), random(), random()");
        if (r.Error is not null)
        {
            throw new InvalidOperationException($"{r.Error.SqlState} {r.Error.Message}");
        }

        return string.Join(",", r.Results[^1].Rows![0].Select(SqlText.Format));
    }

    [Test]
    [Timeout(30_000)]
    public async Task Setseed_repeats_the_sequence_per_session_and_refuses_seeds_outside_minus_one_to_one(CancellationToken ct)
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession a = engine.OpenSession("thunder"), b = engine.OpenSession("thunder");

        await a.ExecuteAsync("SELECT setseed(0.25)");
        string first = await Draws(a);
        await b.ExecuteAsync("SELECT setseed(0.25)");
        await a.ExecuteAsync("SELECT setseed(0.25)");
        await Assert.That(await Draws(a)).IsEqualTo(first);
        await Assert.That(await Draws(b)).IsEqualTo(first); // the same seed in another session: the same draws
        await Assert.That(await Draws(a)).IsNotEqualTo(first); // the sequence goes on
        await b.ExecuteAsync("SELECT setseed(-0.5)");
        await Assert.That(await Draws(b)).IsNotEqualTo(first);
        await Assert.That((await Draws(a)).Split(',').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).All(d => d is >= 0 and < 1)).IsTrue();

        BatchResult perRow = await a.ExecuteAsync("SELECT count(DISTINCT random()) FROM generate_series(1, 50)");
        await Assert.That(SqlText.Format(perRow.Results[^1].Rows![0][0])).IsEqualTo("50"); // volatile: drawn again for every row

        BatchResult refused = await a.ExecuteAsync("SELECT setseed(2)");
        await Assert.That(refused.Error?.SqlState).IsEqualTo("22003");
        await Assert.That(refused.Error?.Message).IsEqualTo("setseed parameter 2 is out of allowed range [-1,1]");
    }
}
