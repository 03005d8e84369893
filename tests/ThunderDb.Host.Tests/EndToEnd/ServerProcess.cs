using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ThunderDb.Host.Tests.EndToEnd;

/// <summary>A <c>thunderdb</c> child process with its output collected line by line.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private ServerProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public IReadOnlyList<string> StdoutLines => [.. _stdout];

    public string Stderr => string.Join('\n', _stderr);

    public string AllOutput => string.Join('\n', _stdout) + "\n" + Stderr;

    /// <param name="binary">Another build of the server (the OpenTelemetry one); default: <see cref="PublishedBinary"/>.</param>
    public static async Task<ServerProcess> StartAsync(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? binary = null)
    {
        var psi = new ProcessStartInfo(binary ?? await PublishedBinary.PathAsync().ConfigureAwait(false))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // The child sees only the THUNDERDB_* variables the test chooses.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("THUNDERDB_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        // Every protocol port on a free port unless the test chose one, so tests never collide with
        // each other or with a server on the default ports.
        psi.Environment["THUNDERDB_RESP_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["THUNDERDB_PG_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }

        var p = new Process { StartInfo = psi };
        var server = new ServerProcess(p);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server._stdout.Enqueue(e.Data);
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server._stderr.Enqueue(e.Data);
            }
        };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return server;
    }

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    public async Task<string> WaitForLineAsync(string fragment, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var line = _stdout.FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        throw new TimeoutException($"no output line containing '{fragment}' within {timeout}. Output so far:\n{AllOutput}");
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A loopback port that is free now and was not handed out before in this test run: the kernel may give the
    /// same ephemeral port to two probes in a row, and one server's pg_port and resp_port must differ.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
