using System.Diagnostics;

namespace ThunderDb.Host.Tests.EndToEnd;

/// <summary>
/// The real native-AOT <c>thunderdb</c>: <c>THUNDERDB_BIN</c> when scripts/test.sh set it, otherwise
/// published once per test session into <c>artifacts/bin</c> (takes about a minute).
/// </summary>
public static class PublishedBinary
{
    private static readonly Lazy<Task<string>> Binary = new(() => LocateOrPublishAsync("THUNDERDB_BIN", "bin"));
    private static readonly Lazy<Task<string>> OtelBinary = new(() => LocateOrPublishAsync("THUNDERDB_OTEL_BIN", "bin-otel", "-p:Otel=true"));

    public static Task<string> PathAsync() => Binary.Value;

    /// <summary>The build with OpenTelemetry export compiled in (<c>-p:Otel=true</c>): <c>THUNDERDB_OTEL_BIN</c> or artifacts/bin-otel.</summary>
    public static Task<string> OtelPathAsync() => OtelBinary.Value;

    private static async Task<string> LocateOrPublishAsync(string variable, string folder, params string[] extra)
    {
        var fromEnv = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return File.Exists(fromEnv) ? fromEnv : throw new FileNotFoundException($"{variable} points to a missing file", fromEnv);
        }

        var root = RepoRoot.Find();
        var output = Path.Combine(root, "artifacts", folder);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "publish", "Host/ThunderDb.Host.csproj", "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo" }.Concat(extra))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().ConfigureAwait(false);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({p.ExitCode}):\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
        }

        return Path.Combine(output, "thunderdb");
    }
}
