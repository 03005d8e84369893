using System.Diagnostics;

namespace ThunderDb.Host.Tests.EndToEnd;

/// <summary>
/// The real native-AOT <c>thunderdb</c>: <c>THUNDERDB_BIN</c> when scripts/test.sh set it, otherwise
/// published once per test session into <c>artifacts/bin</c> (takes about a minute).
/// </summary>
public static class PublishedBinary
{
    private static readonly Lazy<Task<string>> Binary = new(LocateOrPublishAsync);

    public static Task<string> PathAsync() => Binary.Value;

    private static async Task<string> LocateOrPublishAsync()
    {
        var fromEnv = Environment.GetEnvironmentVariable("THUNDERDB_BIN");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return File.Exists(fromEnv) ? fromEnv : throw new FileNotFoundException("THUNDERDB_BIN points to a missing file", fromEnv);
        }

        var root = RepoRoot.Find();
        var output = Path.Combine(root, "artifacts", "bin");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "publish", "Host/ThunderDb.Host.csproj", "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo" })
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
