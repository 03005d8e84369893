using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Postgres;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Observability;

/// <summary>
/// OpenTelemetry export (runbook: OpenTelemetry Integration): the build with <c>-p:Otel=true</c> sends a
/// span per SQL statement and Redis command, and the runbook's metrics, to <c>logging.otel_endpoint</c> over
/// gRPC or HTTP/protobuf; the default build exports nothing and says so at startup.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class OtelExportTests
{
    private static string LoggingSection(string endpoint) => $"""
        [logging]
        otel_endpoint = "{endpoint}"
        otel_service_name = "thunderdb-otel-test"
        """;

    /// <summary>One SQL statement (ok), one failing, one Redis command; then a clean stop, which flushes the exporters.</summary>
    private static async Task RunWorkloadAndStopAsync(RunningServer server)
    {
        var ok = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-c", "SELECT 40 + 2 AS answer");
        await Assert.That(ok.ExitCode).IsEqualTo(0).Because(ok.ToString());
        var bad = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-c", "SELECT * FROM no_such_table");
        await Assert.That(bad.ExitCode).IsNotEqualTo(0);
        var set = await ExternalTool.RedisCliAsync(server.RespPort, "SET", "otel-key", "v");
        await Assert.That(set.Stdout.Trim()).IsEqualTo("OK").Because(set.ToString());
        await Assert.That(await server.StopAsync()).IsEqualTo(0);
    }

    private static async Task AssertExportedAsync(OtlpReceiver receiver)
    {
        var traces = receiver.Received("traces");
        await Assert.That(traces).Contains("thunderdb-otel-test").Because("the resource names the service");
        await Assert.That(traces).Contains("SELECT").Because("a span per SQL statement, named by its verb");
        await Assert.That(traces).Contains("postgresql");
        await Assert.That(traces).Contains("42P01").Because("the failed statement's span carries its SQLSTATE");
        await Assert.That(traces).Contains("redis").Because("a span per Redis command");
        var metrics = receiver.Received("metrics");
        await Assert.That(metrics).Contains("thunderdb.queries");
        await Assert.That(metrics).Contains("thunderdb.connections.active");
    }

    [Test]
    [Timeout(300_000)]
    public async Task Otel_build_exports_spans_and_metrics_over_grpc(CancellationToken ct)
    {
        var binary = await PublishedBinary.OtelPathAsync();
        await using var receiver = await OtlpReceiver.StartAsync();
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, sections: LoggingSection($"http://127.0.0.1:{receiver.GrpcPort}"), ct: ct, binary: binary);
        await Assert.That(server.Process.AllOutput).Contains("OpenTelemetry: exporting traces and metrics").And.Contains("gRPC");
        await RunWorkloadAndStopAsync(server);
        await AssertExportedAsync(receiver);
    }

    [Test]
    [Timeout(300_000)]
    public async Task Otel_build_exports_over_http_protobuf(CancellationToken ct)
    {
        var binary = await PublishedBinary.OtelPathAsync();
        await using var receiver = await OtlpReceiver.StartAsync();
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, sections: LoggingSection($"http://127.0.0.1:{receiver.HttpPort}"), ct: ct,
            env: new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" }, binary: binary);
        await Assert.That(server.Process.AllOutput).Contains("HTTP/protobuf");
        await RunWorkloadAndStopAsync(server);
        await AssertExportedAsync(receiver);
    }

    [Test]
    [Timeout(120_000)]
    public async Task Default_build_exports_nothing_and_says_so(CancellationToken ct)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, sections: LoggingSection($"http://127.0.0.1:{receiver.GrpcPort}"), ct: ct);
        await Assert.That(server.Process.AllOutput).Contains("built without OpenTelemetry export (publish with -p:Otel=true)");
        await RunWorkloadAndStopAsync(server);
        await Assert.That(receiver.Count("traces") + receiver.Count("metrics")).IsEqualTo(0);
    }
}
