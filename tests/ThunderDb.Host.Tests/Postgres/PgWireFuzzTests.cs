using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>
/// Fuzzes the PostgreSQL decoder of the published binary (issue 12): thousands of damaged startup, Parse, Bind,
/// Describe, Execute, Close, Query and CopyData sequences (<see cref="PgWireFuzzer"/>), each on its own
/// connection. Every connection must get well-formed replies (an ErrorResponse with a SQLSTATE other than XX000
/// for what is wrong, nothing after a FATAL) and be closed by the server; meanwhile another session keeps
/// answering, no reply shows that session's statement or data, and afterwards psql and Npgsql still get
/// <c>SELECT 1</c> and the log holds no stack trace. Seeded: <c>THUNDERDB_FUZZ_SEED</c> picks the run,
/// <c>THUNDERDB_FUZZ_CASE</c> replays one case, <c>THUNDERDB_FUZZ_SECONDS</c> the budget (default 20 s).
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class PgWireFuzzTests
{
    private const string Secret = "victim-secret-7c1f";
    private const int DefaultSeed = 20261204;
    private static readonly TimeSpan CaseDeadline = TimeSpan.FromSeconds(10);
    private static readonly HashSet<byte> BackendTypes = [.. "RSKZTDCEINnt123sGHWdcAV"u8];

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(60_000)]
    public async Task Damaged_messages_get_an_error_and_a_close_and_the_server_keeps_serving(CancellationToken ct)
    {
        int seed = EnvInt("THUNDERDB_FUZZ_SEED") ?? DefaultSeed;
        int? only = EnvInt("THUNDERDB_FUZZ_CASE");
        var budget = TimeSpan.FromSeconds(EnvInt("THUNDERDB_FUZZ_SECONDS") ?? 20);
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using (var setup = await NpgsqlTests.OpenAsync(server, ct))
        {
            await NpgsqlTests.ExecAsync(setup, PgWireFuzzer.Setup, ct);
        }

        // the other session: a named statement and a half-read portal under the names the fuzz cases use
        using var victim = await VictimAsync(server.PgPort, ct);

        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();
        int next = only ?? 0;
        int last = only ?? int.MaxValue;
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task watchdog = WatchdogAsync(server, failures, stop.Token);
        async Task WorkerAsync()
        {
            while (clock.Elapsed < budget && !stop.IsCancellationRequested)
            {
                int index = Interlocked.Increment(ref next) - 1;
                if (index > last)
                {
                    return;
                }

                int caseSeed = unchecked((seed * 7919) + index);
                PgWireFuzzer.Case c = PgWireFuzzer.Build(caseSeed);
                string? problem;
                string outcome;
                try
                {
                    (problem, outcome) = await RunCaseAsync(server.PgPort, c, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return; // enough failures seen, or the test's own timeout
                }
                catch (Exception e)
                {
                    (problem, outcome) = ("client failed: " + e, "?");
                }

                if (stop.IsCancellationRequested)
                {
                    return; // a case cut short by the stop is not judged
                }

                lock (failures)
                {
                    outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                    if (problem is not null)
                    {
                        failures.Add($"case {index} (THUNDERDB_FUZZ_SEED={seed} THUNDERDB_FUZZ_CASE={index}): {problem}\n  mutations: {string.Join("; ", c.Mutations)}");
                        if (failures.Count >= 5)
                        {
                            stop.Cancel();
                        }
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, only is null ? 4 : 1).Select(_ => Task.Run(WorkerAsync, CancellationToken.None)));
        int cases = outcomes.Values.Sum();
        stop.Cancel();
        await watchdog;
        Console.WriteLine($"pg wire fuzz: seed {seed}, {cases} cases in {clock.Elapsed.TotalSeconds:F1} s; outcomes: "
            + string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}")));
        await Assert.That(failures).IsEmpty().Because($"seed {seed}:\n{string.Join("\n", failures)}\n\nserver log tail:\n{Tail(server.Process.AllOutput)}");
        await Assert.That(cases).IsGreaterThan(only is null ? 200 : 0);

        // the other session is untouched: its statement still answers, its portal still resumes
        await Assert.That(await victim.ResumeAsync(ct)).StartsWith("2;3;SELECT ");
        await Assert.That(await victim.RunStatementAsync(ct)).IsEqualTo(Secret);

        await using (var conn = await NpgsqlTests.OpenAsync(server, ct))
        {
            await Assert.That(await NpgsqlTests.ScalarAsync(conn, "SELECT 1", ct)).IsEqualTo(1);
        }

        var psql = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-A", "-t", "-c", "SELECT 1");
        await Assert.That(psql.Stdout.Trim()).IsEqualTo("1").Because(psql.ToString());
        string[] traces = [.. server.Process.AllOutput.Split('\n').Where(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal))];
        await Assert.That(traces).IsEmpty().Because(Tail(server.Process.AllOutput));
    }

    /// <summary>Runs one case on a fresh connection: null when the replies were sound, else what was wrong.</summary>
    private static async Task<(string? Problem, string Outcome)> RunCaseAsync(int port, PgWireFuzzer.Case c, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port, ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(CaseDeadline);
        Task<(List<(byte Type, byte[] Body)> Messages, string? Problem, bool Closed)> reading = ReadAllAsync(socket, c.EncryptionRequests, deadline.Token);
        try
        {
            // in two pieces cut somewhere, so frames also arrive split
            int cut = c.Bytes.Length / 3;
            await socket.SendAsync(c.Bytes.AsMemory(0, cut), SocketFlags.None, deadline.Token);
            await socket.SendAsync(c.Bytes.AsMemory(cut), SocketFlags.None, deadline.Token);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // the server closed first (after a FATAL): what it sent is judged below
        }

        var (messages, problem, closed) = await reading;
        if (problem is not null)
        {
            return (problem, "bad reply");
        }

        if (!closed)
        {
            return ($"no close within {CaseDeadline.TotalSeconds} s (server hung?); replies: {Summary(messages)}", "hang");
        }

        string? fatal = null;
        for (int i = 0; i < messages.Count; i++)
        {
            (byte type, byte[] body) = messages[i];
            if (!BackendTypes.Contains(type))
            {
                return ($"unknown backend message type 0x{type:X2}; replies: {Summary(messages)}", "bad reply");
            }

            if (body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Secret)) >= 0)
            {
                return ("a reply shows the other session's data: " + Summary(messages), "leak");
            }

            if (type == (byte)'E')
            {
                string? code = Field(body, 'C');
                if (code is null or "XX000" || Field(body, 'S') is null || Field(body, 'M') is null)
                {
                    return ($"ErrorResponse {code}: {Field(body, 'M')}; replies: {Summary(messages)}", "internal error");
                }

                if (Field(body, 'S') == "FATAL")
                {
                    if (i != messages.Count - 1)
                    {
                        return ($"messages after FATAL {code}: {Summary(messages)}", "bad reply");
                    }

                    fatal = code;
                }
            }
        }

        string outcome = fatal is not null ? "FATAL " + fatal
            : messages.Any(m => m.Type == (byte)'D' && Encoding.UTF8.GetString(m.Body).Contains("fuzz-alive", StringComparison.Ordinal)) ? "answered to the end"
            : messages.Count == 0 ? "closed silently" : "closed";
        return (null, outcome);
    }

    /// <summary>Every message the server sends until it closes (or the deadline): a half message or a bad length is a problem.</summary>
    private static async Task<(List<(byte Type, byte[] Body)>, string?, bool)> ReadAllAsync(Socket socket, int encryptionRequests, CancellationToken ct)
    {
        var all = new MemoryStream();
        var buffer = new byte[65536];
        bool closed = false;
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (n == 0)
                {
                    closed = true;
                    break;
                }

                all.Write(buffer, 0, n);
            }
        }
        catch (SocketException)
        {
            closed = true; // reset by the server closing with our bytes unread
        }
        catch (OperationCanceledException)
        {
            // the deadline: judged as a hang
        }

        byte[] bytes = all.ToArray();
        var messages = new List<(byte, byte[])>();
        int at = 0;
        for (; at < encryptionRequests && at < bytes.Length; at++)
        {
            if (bytes[at] != (byte)'N')
            {
                return (messages, $"SSLRequest answered 0x{bytes[at]:X2}, not N", closed);
            }
        }

        while (at < bytes.Length)
        {
            if (bytes.Length - at < 5)
            {
                return (messages, $"a half message header at the end ({bytes.Length - at} bytes)", closed);
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 1));
            if (length < 4 || length > bytes.Length - at - 1)
            {
                return (messages, $"message 0x{bytes[at]:X2} with length {length} and {bytes.Length - at - 1} bytes left", closed);
            }

            messages.Add((bytes[at], bytes[(at + 5)..(at + 1 + length)]));
            at += 1 + length;
        }

        return (messages, null, closed);
    }

    /// <summary>A healthy connection asks SELECT 1 twice a second while the fuzz runs: each must answer within 5 s.</summary>
    private static async Task WatchdogAsync(RunningServer server, List<string> failures, CancellationToken stop)
    {
        await using var conn = await NpgsqlTests.OpenAsync(server, CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await NpgsqlTests.ScalarAsync(conn, "SELECT 1", timeout.Token);
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
            {
                lock (failures)
                {
                    failures.Add("the watchdog's SELECT 1 failed while fuzzing: " + e.Message);
                }

                return;
            }
        }
    }

    private static string Summary(List<(byte Type, byte[] Body)> messages) => string.Join(" ", messages.Select(m =>
        m.Type == (byte)'E' ? $"E[{Field(m.Body, 'S')} {Field(m.Body, 'C')} {Field(m.Body, 'M')}]" : ((char)m.Type).ToString()));

    private static string? Field(byte[] body, char code)
    {
        int i = 0;
        while (i < body.Length && body[i] != 0)
        {
            int end = Array.IndexOf(body, (byte)0, i + 1);
            if (end < 0)
            {
                return null;
            }

            if (body[i] == code)
            {
                return Encoding.UTF8.GetString(body, i + 1, end - i - 1);
            }

            i = end + 1;
        }

        return null;
    }

    private static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;

    private static string Tail(string log) => log.Length <= 4000 ? log : log[^4000..];

    private static async Task<VictimSession> VictimAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, ct);
        var victim = new VictimSession(socket);
        await victim.StartAsync(ct);
        return victim;
    }

    /// <summary>
    /// A session that owns statement "victim" (its secret) and portal "p" (three rows, one read) in an open
    /// transaction: names the fuzz cases use on their own connections.
    /// </summary>
    private sealed class VictimSession(Socket socket) : IDisposable
    {
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);

        public async Task StartAsync(CancellationToken ct)
        {
            await _stream.WriteAsync(PgWireFuzzer.StartupFrame([.. PgWireFuzzer.BigEndian(196608), .. "user\0thunder\0database\0postgres\0\0"u8]), ct);
            await ReadUntilReadyAsync(ct);
            await _stream.WriteAsync((byte[])[
                .. PgWireFuzzer.Query("BEGIN"),
                .. PgWireFuzzer.Parse("victim", $"SELECT '{Secret}' AS s", []),
                .. PgWireFuzzer.Parse("rows", "SELECT i FROM (VALUES (1), (2), (3)) v(i)", []),
                .. PgWireFuzzer.Bind("p", "rows", [], [], []),
                .. PgWireFuzzer.Execute("p", 1),
                .. PgWireFuzzer.Message('S', []),
            ], ct);
            await ReadUntilReadyAsync(ct);
            await ReadUntilReadyAsync(ct);
        }

        /// <summary>The rest of portal "p": its rows and command tag, joined by ';'.</summary>
        public async Task<string> ResumeAsync(CancellationToken ct)
        {
            await _stream.WriteAsync((byte[])[.. PgWireFuzzer.Execute("p", 0), .. PgWireFuzzer.Message('S', [])], ct);
            return await ReadUntilReadyAsync(ct);
        }

        public async Task<string> RunStatementAsync(CancellationToken ct)
        {
            await _stream.WriteAsync((byte[])[
                .. PgWireFuzzer.Bind("", "victim", [], [], []),
                .. PgWireFuzzer.Execute("", 0),
                .. PgWireFuzzer.Message('S', []),
            ], ct);
            return (await ReadUntilReadyAsync(ct)).Split(';')[0];
        }

        /// <summary>Data row values and command tags up to ReadyForQuery; an ErrorResponse throws.</summary>
        private async Task<string> ReadUntilReadyAsync(CancellationToken ct)
        {
            var parts = new List<string>();
            var header = new byte[5];
            while (true)
            {
                await _stream.ReadExactlyAsync(header, ct);
                var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
                await _stream.ReadExactlyAsync(body, ct);
                switch (header[0])
                {
                    case (byte)'Z':
                        return string.Join(";", parts);
                    case (byte)'E':
                        throw new InvalidOperationException("victim session error: " + Field(body, 'M'));
                    case (byte)'D':
                        parts.Add(Encoding.UTF8.GetString(body, 6, BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(2))));
                        break;
                    case (byte)'C':
                        parts.Add(Encoding.UTF8.GetString(body).TrimEnd('\0'));
                        break;
                }
            }
        }

        public void Dispose() => _stream.Dispose();
    }
}
