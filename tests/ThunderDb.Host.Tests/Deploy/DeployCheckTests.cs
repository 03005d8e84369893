using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Deploy;

/// <summary>
/// Runs each stage of deploy/check.sh: the alert rules (promtool check + unit tests, equal to the
/// runbook's), the Grafana dashboard's queries, the rendered Kubernetes objects, the systemd unit, and
/// the container file set running the real binary alone with a real Prometheus scraping it.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class DeployCheckTests
{
    private static async Task<ToolResult> CheckAsync(string stage)
    {
        var binary = await PublishedBinary.PathAsync();
        var script = Path.Combine(RepoRoot.Find(), "deploy", "check.sh");
        return await ExternalTool.RunAsync("bash", [script, stage], null, TimeSpan.FromSeconds(150),
            new Dictionary<string, string> { ["THUNDERDB_BIN"] = binary });
    }

    [Test]
    [Arguments("rules")]
    [Arguments("dashboard")]
    [Arguments("k8s")]
    [Arguments("systemd")]
    [Arguments("image")]
    [Timeout(180_000)]
    public async Task Deploy_stage_passes(string stage, CancellationToken ct)
    {
        var r = await CheckAsync(stage);
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        await Assert.That(r.Stdout).Contains($"{stage}: ok").Because(r.ToString());
        await Assert.That(r.Stdout).Contains($"deploy check passed: {stage}");
    }

    [Test]
    [Timeout(60_000)]
    public async Task K8s_check_rejects_objects_that_break_the_runbook(CancellationToken ct)
    {
        var root = RepoRoot.Find();
        var rendered = await ExternalTool.RunAsync("kubectl", ["kustomize", Path.Combine(root, "deploy", "k8s")], null, TimeSpan.FromSeconds(30));
        await Assert.That(rendered.ExitCode).IsEqualTo(0).Because(rendered.ToString());
        var broken = rendered.Stdout
            .Replace("terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 5", StringComparison.Ordinal)
            .Replace("path: /admin/ready", "path: /healthz", StringComparison.Ordinal);
        var r = await ExternalTool.RunAsync("/usr/bin/python3", [Path.Combine(root, "deploy", "check_k8s.py")], broken, TimeSpan.FromSeconds(30));
        await Assert.That(r.ExitCode).IsEqualTo(1).Because(r.ToString());
        await Assert.That(r.Stdout).Contains("terminationGracePeriodSeconds is not 30");
        await Assert.That(r.Stdout).Contains("readiness probe is not /admin/ready");
    }
}
