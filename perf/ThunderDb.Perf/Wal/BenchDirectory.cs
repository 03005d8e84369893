namespace ThunderDb.Perf.Wal;

/// <summary>
/// Benchmarks that fdatasync must run on a real disk: /tmp may be tmpfs, where fdatasync is free.
/// Uses THUNDERDB_BENCH_DIR, else <c>artifacts/bench</c> under the repository root.
/// </summary>
internal static class BenchDirectory
{
    public static string Create(string name)
    {
        var root = Environment.GetEnvironmentVariable("THUNDERDB_BENCH_DIR") ?? Path.Combine(FindRepositoryRoot(), "artifacts", "bench");
        var path = Path.Combine(root, name + "-" + Environment.ProcessId);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ThunderDb.slnx")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
