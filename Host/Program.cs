using System.Collections;
using ThunderDb.Host.Cli;
using ThunderDb.Host.Configuration;
using ThunderDb.Host.Lifecycle;

namespace ThunderDb.Host;

/// <summary>The <c>thunderdb</c> executable: exit 0 on success, 1 on a configuration or runtime error, 2 on a usage error.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Before anything touches a socket: the socket engine reads its completion mode once.
        SocketEventLoop.Configure();
        CommandLineOptions cli;
        try
        {
            cli = CommandLine.Parse(args);
        }
        catch (CommandLineException e)
        {
            await Console.Error.WriteLineAsync($"thunderdb: {e.Message}\n\n{CommandLine.Usage}").ConfigureAwait(false);
            return 2;
        }

        if (cli.Help)
        {
            Console.WriteLine(CommandLine.Usage);
            return 0;
        }

        if (cli.Version)
        {
            Console.WriteLine($"thunderdb {typeof(Program).Assembly.GetName().Version?.ToString(3)}");
            return 0;
        }

        if (cli.HashPassword is { } password)
        {
            Console.WriteLine(BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(12, 'b')));
            return 0;
        }

        var environment = ReadEnvironment();
        ServerSettings settings;
        try
        {
            settings = ConfigLoader.Load(cli, environment);
            StartupChecks.Verify(settings);
            if (cli.RestoreBackup is not null)
            {
                return RestoreCommand.Run(cli, settings);
            }
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"thunderdb: configuration error: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        return await ServerLifecycle.RunAsync(cli, environment, settings).ConfigureAwait(false);
    }

    private static Dictionary<string, string> ReadEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            if (e.Key is string k && k.StartsWith("THUNDERDB_", StringComparison.Ordinal) && e.Value is string v)
            {
                env[k] = v;
            }
        }

        return env;
    }
}
