namespace ThunderDb.Io.Tests;

/// <summary>A directory deleted on dispose.</summary>
public sealed class TestDirectory : IDisposable
{
    private TestDirectory(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
    }

    public string Path { get; }

    /// <summary>Under /tmp (may be any filesystem).</summary>
    public static TestDirectory InTemp() =>
        new(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "thunderdb-io-" + Guid.NewGuid().ToString("N")));

    /// <summary>
    /// Under the repository's git-ignored artifacts/ folder: on the disk that holds the checkout,
    /// a real block-device filesystem where O_DIRECT works (unlike tmpfs).
    /// </summary>
    public static TestDirectory OnRepositoryDisk()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "ThunderDb.slnx")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? throw new InvalidOperationException("repository root (ThunderDb.slnx) not found above " + AppContext.BaseDirectory);
        return new(System.IO.Path.Combine(root, "artifacts", "io-tests", Guid.NewGuid().ToString("N")));
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
