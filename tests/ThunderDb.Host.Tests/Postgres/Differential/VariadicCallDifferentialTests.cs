using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// <c>VARIADIC</c> in calls (<c>format('%s-%s', VARIADIC arr)</c>, <c>concat_ws(',', VARIADIC col)</c>): the array's elements
/// are the variadic arguments, NULL arrays as PostgreSQL documents them, and the errors for a non-array or a function
/// that is not variadic: a psql script must print what PostgreSQL 15 prints.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class VariadicCallDifferentialTests
{
    private const string Script = """
        SELECT format('%s-%s', VARIADIC ARRAY['a', 'b']);
        SELECT format('%s and %s', VARIADIC '{x,y}'::text[]);
        SELECT concat(VARIADIC ARRAY[1, 2, 3]), concat_ws(',', VARIADIC ARRAY['p', NULL, 'q']);
        SELECT concat(VARIADIC NULL::text[]) IS NULL, concat_ws('-', VARIADIC NULL::text[]) IS NULL;
        SELECT format('%s', VARIADIC 'a');
        SELECT lower(VARIADIC ARRAY['A']);
        CREATE TABLE va (id int, parts text[]);
        INSERT INTO va VALUES (1, '{a,b,c}'), (2, '{}'), (3, NULL);
        SELECT id, concat_ws('/', VARIADIC parts) FROM va ORDER BY id;
        SELECT format('%1$s|%2$s', VARIADIC ARRAY['one', 'two']);
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Variadic_arguments_spread_an_array_as_postgresql_does(CancellationToken ct) =>
        await PsqlScriptDifferential.AssertSameOutputAsync(Script, ct);
}
