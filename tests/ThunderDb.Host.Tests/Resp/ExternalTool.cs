using System.Diagnostics;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>The result of one run of an external program such as <c>redis-cli</c>.</summary>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs <c>redis-cli</c>/<c>redis-benchmark</c> as child processes, bounded in time, stdin optional.</summary>
internal static class ExternalTool
{
    public static Task<ToolResult> RedisCliAsync(int port, params string[] args) =>
        RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. args], null, TimeSpan.FromSeconds(20));

    public static async Task<ToolResult> RunAsync(string program, IEnumerable<string> args, string? stdin, TimeSpan timeout, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        }

        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {timeout}; output so far:\n{await stdout.ConfigureAwait(false)}");
        }

        return new ToolResult(p.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
