namespace ThunderDb.Host.Configuration;

/// <summary>
/// A configuration error: where it came from (file and line, a CLI flag, or an environment variable),
/// the key, and what is wrong. The message is the one line the user sees.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string origin, string key, string problem)
        : base($"{origin}: {key}: {problem}")
    {
        Origin = origin;
        Key = key;
        Problem = problem;
    }

    public ConfigException()
        : this("config", "?", "invalid configuration")
    {
    }

    public ConfigException(string message)
        : this("config", "?", message)
    {
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Origin = "config";
        Key = "?";
        Problem = message;
    }

    /// <summary>"path:line", "--flag" or "environment variable NAME".</summary>
    public string Origin { get; }

    public string Key { get; }

    public string Problem { get; }
}
