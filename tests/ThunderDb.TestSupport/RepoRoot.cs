namespace ThunderDb.TestSupport;

/// <summary>The checkout the tests run from (the directory holding ThunderDb.slnx).</summary>
public static class RepoRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ThunderDb.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (ThunderDb.slnx) not found above " + AppContext.BaseDirectory);
    }
}
