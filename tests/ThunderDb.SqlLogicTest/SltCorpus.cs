namespace ThunderDb.SqlLogicTest;

/// <summary>
/// Where the shared sqllogictest corpus is: <c>THUNDERDB_SLT_DIR</c> when set, else a <c>shared/conformance/sqllogictest</c>
/// folder above the test binary (a checkout next to shared/), else this workplace's <c>/work/shared</c> (CI clones the
/// repository elsewhere on the same machine). Missing is an error, never a skip.
/// </summary>
public static class SltCorpus
{
    private const string Relative = "shared/conformance/sqllogictest";

    /// <summary>Every <c>.test</c> file of the corpus, as paths relative to <see cref="Directory"/> with forward slashes, in ordinal order.</summary>
    public static IReadOnlyList<string> Files()
    {
        string root = Directory();
        return [.. System.IO.Directory.EnumerateFiles(root, "*.test", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];
    }

    public static string Directory()
    {
        if (Environment.GetEnvironmentVariable("THUNDERDB_SLT_DIR") is { Length: > 0 } configured && System.IO.Directory.Exists(configured))
        {
            return configured;
        }

        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, Relative);
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        string workplace = Path.Combine("/work", Relative);
        return System.IO.Directory.Exists(workplace)
            ? workplace
            : throw new DirectoryNotFoundException($"the sqllogictest corpus ({Relative}) is not above {AppContext.BaseDirectory} nor at {workplace}; set THUNDERDB_SLT_DIR");
    }
}
