namespace ThunderDb.TestSupport;

/// <summary>A fresh directory, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Under /tmp (which may be tmpfs, where O_DIRECT does not work).</summary>
    public TempDirectory()
        : this(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "thunderdb-test-" + Guid.NewGuid().ToString("N")[..12]))
    {
    }

    private TempDirectory(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
    }

    public string Path { get; }

    /// <summary>
    /// Under the repository's git-ignored artifacts/ folder: on the disk that holds the checkout, a real block-device
    /// filesystem where O_DIRECT works (unlike tmpfs).
    /// </summary>
    public static TempDirectory OnRepositoryDisk() =>
        new(System.IO.Path.Combine(RepoRoot.Find(), "artifacts", "test-dirs", Guid.NewGuid().ToString("N")));

    /// <summary>A path inside the directory.</summary>
    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a text file inside the directory; its path.</summary>
    public string Write(string name, string text)
    {
        string file = Combine(name);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // already gone, or a file still open by a process that is ending
        }
        catch (UnauthorizedAccessException)
        {
            // a test made something read-only on purpose
        }
    }
}
