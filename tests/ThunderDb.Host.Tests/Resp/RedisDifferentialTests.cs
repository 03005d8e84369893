using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>
/// Differential test: every command of <c>differential-corpus.txt</c> is sent to a real <c>redis-server</c>
/// (the oracle) and to the published <c>thunderdb</c>, and the raw replies must match. Only what must differ is
/// normalized, per line, by a prefix:
/// <list type="bullet">
/// <item><c>sorted:</c> replies compared with every array sorted (SMEMBERS, HKEYS, KEYS...).</item>
/// <item><c>shape:</c> only the reply types and array lengths are compared (SPOP, SRANDMEMBER, RANDOMKEY...).</item>
/// <item><c>approx:</c> integer replies within a small tolerance (TTL, PTTL).</item>
/// <item><c>nocompare:</c> sent to both, replies ignored (set-up whose reply legitimately differs).</item>
/// <item><c>unsupported:</c> a command or argument ThunderDB deliberately does not accept: ours must be an error.</item>
/// </list>
/// A line <c>=== name</c> starts a section: both servers are flushed first. A missing redis-server fails the test.
/// </summary>
[NotInParallel("thunderdb-process")]
public class RedisDifferentialTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(90_000)]
    public async Task Every_corpus_command_replies_exactly_like_redis(CancellationToken ct)
    {
        // differential-corpus.txt and the per-area files beside it (differential-corpus-*.txt), in name order.
        var corpus = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Resp"), "differential-corpus*.txt")
            .Order(StringComparer.Ordinal).SelectMany(Corpus.Load).ToList();
        await Assert.That(corpus.Count).IsGreaterThan(100);

        using var dir = new TempDirectory();
        await using var redis = await RedisOracle.StartAsync(dir, ct);
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        using var oracle = await RespTestClient.ConnectAsync(redis.Port, "redis-server", ct, Encoding.Latin1);
        using var ours = await RespTestClient.ConnectAsync(server.RespPort, "thunderdb", ct, Encoding.Latin1);

        var divergences = new List<string>();
        var watch = Stopwatch.StartNew();
        foreach (var line in corpus)
        {
            if (line.SectionStart)
            {
                foreach (var client in new[] { oracle, ours })
                {
                    var flushed = await client.CallAsync(["FLUSHALL"], ct);
                    await Assert.That(flushed.ToString()).IsEqualTo("+OK").Because($"FLUSHALL before section '{line.Text}'");
                }

                continue;
            }

            var expected = await oracle.CallAsync(line.Args, ct);
            RespReply actual;
            try
            {
                actual = await ours.CallAsync(line.Args, ct);
            }
            catch (TimeoutException ex)
            {
                divergences.Add($"line {line.Number}: {line.Text}\n    redis:     {expected}\n    thunderdb: {ex.Message} (run stopped)");
                break;
            }

            var problem = Compare(line.Mode, expected, actual);
            if (problem is not null)
            {
                divergences.Add($"line {line.Number}: {line.Text}\n    redis:     {expected}\n    thunderdb: {actual}{problem}");
            }
        }

        await Assert.That(divergences).IsEmpty()
            .Because($"{divergences.Count} of {corpus.Count} commands diverge from redis-server ({watch.ElapsedMilliseconds} ms):\n" + string.Join('\n', divergences));
    }

    /// <summary>Null when the replies agree under <paramref name="mode"/>, else a note (may be empty).</summary>
    private static string? Compare(Mode mode, RespReply expected, RespReply actual)
    {
        switch (mode)
        {
            case Mode.Ignore:
                return null;
            case Mode.Unsupported:
                return actual.Kind == '-' ? null : "  (not implemented: must answer an error)";
            case Mode.Sorted:
                return expected.Sorted().ToString() == actual.Sorted().ToString() ? null : "  (compared sorted)";
            case Mode.Shape:
                return expected.Shape() == actual.Shape() ? null : $"  (shape {expected.Shape()} vs {actual.Shape()})";
            case Mode.Approx:
                if (expected.Kind == ':' && actual.Kind == ':')
                {
                    var a = long.Parse(expected.Text!, CultureInfo.InvariantCulture);
                    var b = long.Parse(actual.Text!, CultureInfo.InvariantCulture);
                    var tolerance = a < 0 || b < 0 ? 0 : 2 + (Math.Max(a, b) / 50);
                    return Math.Abs(a - b) <= tolerance ? null : $"  (outside tolerance {tolerance})";
                }

                return expected.ToString() == actual.ToString() ? null : string.Empty;
            default:
                return expected.ToString() == actual.ToString() ? null : string.Empty;
        }
    }

    internal enum Mode
    {
        Exact,
        Sorted,
        Shape,
        Approx,
        Ignore,
        Unsupported,
    }

    internal sealed record CorpusLine(int Number, string Text, Mode Mode, string[] Args, bool SectionStart);

    /// <summary>The corpus file: one command a line, shell-like quoting ("..." with \r \n \t \" \\ \xHH escapes, '...' raw).</summary>
    internal static class Corpus
    {
        private static readonly (string Prefix, Mode Mode)[] Prefixes =
        [
            ("sorted:", Mode.Sorted), ("shape:", Mode.Shape), ("approx:", Mode.Approx), ("nocompare:", Mode.Ignore),
            ("unsupported:", Mode.Unsupported),
        ];

        public static List<CorpusLine> Load(string path)
        {
            var lines = new List<CorpusLine>();
            var number = 0;
            foreach (var raw in File.ReadLines(path))
            {
                number++;
                var text = raw.Trim();
                if (text.Length == 0 || text.StartsWith('#'))
                {
                    continue;
                }

                if (text.StartsWith("===", StringComparison.Ordinal))
                {
                    lines.Add(new CorpusLine(number, text.TrimStart('=').Trim(), Mode.Exact, [], SectionStart: true));
                    continue;
                }

                var mode = Mode.Exact;
                foreach (var (prefix, m) in Prefixes)
                {
                    if (text.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        mode = m;
                        text = text[prefix.Length..].Trim();
                        break;
                    }
                }

                lines.Add(new CorpusLine(number, text, mode, Split(text, number), SectionStart: false));
            }

            return lines;
        }

        private static string[] Split(string text, int number)
        {
            var args = new List<string>();
            var i = 0;
            while (i < text.Length)
            {
                if (text[i] == ' ')
                {
                    i++;
                    continue;
                }

                var sb = new StringBuilder();
                if (text[i] == '"')
                {
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\\' && i + 1 < text.Length)
                        {
                            i++;
                            switch (text[i])
                            {
                                case 'r': sb.Append('\r'); break;
                                case 'n': sb.Append('\n'); break;
                                case 't': sb.Append('\t'); break;
                                case 'x':
                                    sb.Append((char)int.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                                    i += 2;
                                    break;
                                default: sb.Append(text[i]); break;
                            }
                        }
                        else
                        {
                            sb.Append(text[i]);
                        }

                        i++;
                    }

                    if (i >= text.Length)
                    {
                        throw new FormatException($"corpus line {number}: unterminated quote");
                    }

                    i++;
                }
                else if (text[i] == '\'')
                {
                    var end = text.IndexOf('\'', i + 1);
                    if (end < 0)
                    {
                        throw new FormatException($"corpus line {number}: unterminated quote");
                    }

                    sb.Append(text, i + 1, end - i - 1);
                    i = end + 1;
                }
                else
                {
                    while (i < text.Length && text[i] != ' ')
                    {
                        sb.Append(text[i++]);
                    }
                }

                args.Add(sb.ToString());
            }

            return [.. args];
        }
    }

    /// <summary>The distribution's <c>redis-server</c> on a free port, nothing persisted, in a temp directory.</summary>
    internal sealed class RedisOracle : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private RedisOracle(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static async Task<RedisOracle> StartAsync(TempDirectory dir, CancellationToken ct)
        {
            var port = ServerProcess.FreePort();
            var work = dir.Combine("redis");
            Directory.CreateDirectory(work);
            var psi = new ProcessStartInfo("redis-server")
            {
                WorkingDirectory = work,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var a in new[]
                     {
                         "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                         "--dir", work, "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning",
                     })
            {
                psi.ArgumentList.Add(a);
            }

            Process process;
            try
            {
                process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start");
            }
            catch (Win32Exception ex)
            {
                throw new InvalidOperationException(
                    "redis-server is not installed: the differential test needs the real Redis as its oracle " +
                    "(apt-get install -y redis-server; scripts/test.sh installs it)", ex);
            }

            var oracle = new RedisOracle(process, port);
            process.OutputDataReceived += (_, e) => oracle.Append(e.Data);
            process.ErrorDataReceived += (_, e) => oracle.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var probe = await RespTestClient.ConnectAsync(port, "redis-server", ct).ConfigureAwait(false);
                    var pong = await probe.CallAsync(["PING"], ct).ConfigureAwait(false);
                    if (pong.ToString() == "+PONG")
                    {
                        return oracle;
                    }
                }
                catch (SocketException)
                {
                    // not listening yet
                }
                catch (IOException)
                {
                    // loading
                }

                if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
                {
                    var output = oracle.Output;
                    await oracle.DisposeAsync().ConfigureAwait(false);
                    throw new InvalidOperationException("redis-server did not come up:\n" + output);
                }

                await Task.Delay(20, ct).ConfigureAwait(false);
            }
        }

        private string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
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
    }
}
