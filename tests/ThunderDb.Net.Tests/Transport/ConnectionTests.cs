using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Net.Postgres;
using ThunderDb.Net.Tests.Postgres;
using ThunderDb.Net.Tests.Support;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Transport;

/// <summary>
/// The transport's <see cref="Connection"/> seen from real sockets: the bounded send path (a client that does not read
/// is closed at its output limit while the server's memory stays bounded), the per-statement cancellation hook, kill
/// and graceful drain.
/// </summary>
[NotInParallel(nameof(ConnectionTests))] // the memory assertion reads the process's managed heap
public sealed class ConnectionTests
{
    private const string TwoGigabytes = "SELECT repeat('x', 1000000) FROM generate_series(1,2000)";

    [Test]
    [Arguments(false)]
    [Arguments(true)]
    [Timeout(60_000)]
    public async Task A_pg_client_that_never_reads_is_closed_at_its_output_limit_while_memory_stays_bounded(bool simpleQuery, CancellationToken ct)
    {
        var log = new RecordingLog();
        var registry = new ConnectionRegistry();
        await using PgServer server = await StartPgAsync(log, registry, new OutputLimit(16L << 20, 1L << 20, 2));

        // a client with a small receive window that asks for 2 GB of rows (either protocol streams them) and never reads them
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, server.LocalEndPoint!.Port, ct);
        using var client = new PgClient(socket);
        await client.StartupAsync(ct);
        GC.Collect();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        await client.SendAsync(simpleQuery ? PgClient.Message((byte)'Q', [.. Encoding.UTF8.GetBytes(TwoGigabytes), 0]) : ExtendedQuery(TwoGigabytes), ct);

        long peak = 0;
        var watch = Stopwatch.StartNew();
        while (registry.CountOf(PgServer.ProtocolName) > 0 && watch.Elapsed < TimeSpan.FromSeconds(40))
        {
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false) - before);
            await Task.Delay(50, ct);
        }

        await Assert.That(registry.CountOf(PgServer.ProtocolName)).IsEqualTo(0);
        // the soft limit (1 MB unread for 2 s) closed it: the statement waited for the client, holding a few rows
        await Assert.That(watch.Elapsed).IsGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.5));
        await Assert.That(peak).IsLessThan(256L << 20);
        await Assert.That(log.Warnings.Any(w => w.Contains("overcoming of output buffer limits", StringComparison.Ordinal))).IsTrue();
        await Assert.That(log.Errors).IsEmpty(); // a client that does not read is not an engine error

        // the server is unharmed
        using PgClient next = await PgClient.ConnectAsync(server.LocalEndPoint.Port, ct);
        await next.StartupAsync(ct);
        await Assert.That(await next.QueryAsync("SELECT 1; SELECT 2 WHERE false; SELECT 3", ct)).IsEqualTo("1\n3\n");
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_simple_query_streams_past_the_hard_limit_to_a_reading_client(CancellationToken ct)
    {
        var log = new RecordingLog();
        await using PgServer server = await StartPgAsync(log, new ConnectionRegistry(), new OutputLimit(4L << 20, 0, 0));
        using PgClient client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);

        // rows go out as they are produced: 8 MB of them reach a reading client through a 4 MB hard limit
        string rows = await client.QueryAsync("SELECT repeat('x', 100000) FROM generate_series(1,80)", ct);
        await Assert.That(rows.Length).IsEqualTo(80 * 100_001);
        await Assert.That(log.Warnings.Any(w => w.Contains("limit 4194304 bytes", StringComparison.Ordinal))).IsFalse();
        await Assert.That(log.Errors).IsEmpty();
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_cancel_request_stops_the_statement_through_the_connection_hook_and_the_connection_stays_usable(CancellationToken ct)
    {
        await using PgServer server = await StartPgAsync(new RecordingLog(), new ConnectionRegistry(), OutputLimit.Unlimited);
        using PgClient client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        (int pid, int secret) = await StartupWithKeyAsync(client, ct);

        var watch = Stopwatch.StartNew();
        Task<string> sleeping = client.QueryAsync("SELECT pg_sleep(20)", ct);
        await Task.Delay(300, ct);
        using (PgClient canceller = await PgClient.ConnectAsync(server.LocalEndPoint.Port, ct))
        {
            byte[] cancel = new byte[16];
            BinaryPrimitives.WriteInt32BigEndian(cancel, 16);
            BinaryPrimitives.WriteInt32BigEndian(cancel.AsSpan(4), 80877102);
            BinaryPrimitives.WriteInt32BigEndian(cancel.AsSpan(8), pid);
            BinaryPrimitives.WriteInt32BigEndian(cancel.AsSpan(12), secret);
            await canceller.SendAsync(cancel, ct);
        }

        InvalidOperationException? error = null;
        try
        {
            await sleeping;
        }
        catch (InvalidOperationException e)
        {
            error = e;
        }

        await Assert.That(error?.Message).IsEqualTo("canceling statement due to user request");
        await Assert.That(watch.Elapsed).IsLessThan(TimeSpan.FromSeconds(10));
        await Assert.That(await client.QueryAsync("SELECT 2", ct)).IsEqualTo("2\n");
    }

    [Test]
    [Timeout(30_000)]
    public async Task Query_timeout_cancels_a_long_pg_statement_through_the_hook_in_the_simple_and_extended_protocols(CancellationToken ct)
    {
        var engine = await SqlEngine.OpenAsync(new InMemoryKvDatabase());
        TimeSpan timeout = TimeSpan.FromMilliseconds(300);
        await using var server = new PgServer(engine, new PgServerOptions { QueryTimeout = () => timeout }, new RecordingLog(), new ConnectionRegistry());
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        using PgClient client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);

        var watch = Stopwatch.StartNew();
        string? error = null;
        try
        {
            await client.QueryAsync("SELECT pg_sleep(10)", ct);
        }
        catch (InvalidOperationException e)
        {
            error = e.Message;
        }

        await Assert.That(error).IsEqualTo("canceling statement due to statement timeout");
        await Assert.That(watch.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));

        // the extended protocol too; a statement under the timeout runs, and a reloaded value applies to the next one
        await client.SendAsync(ExtendedQuery("SELECT pg_sleep(10)"), ct);
        (byte type, byte[] body) = await client.ReadAsync(ct);
        while (type != (byte)'E')
        {
            (type, body) = await client.ReadAsync(ct);
        }

        await Assert.That(PgClient.Field(body, 'C')).IsEqualTo("57014");
        await Assert.That(PgClient.Field(body, 'M')).IsEqualTo("canceling statement due to statement timeout");
        while ((await client.ReadAsync(ct)).Type != (byte)'Z')
        {
        }

        await Assert.That(await client.QueryAsync("SELECT 3", ct)).IsEqualTo("3\n");
        timeout = TimeSpan.Zero;
        await Assert.That(await client.QueryAsync("SELECT pg_sleep(0.5), 4", ct)).Contains("4");
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_kill_stops_the_running_statement_and_closes_the_connection(CancellationToken ct)
    {
        var registry = new ConnectionRegistry();
        await using PgServer server = await StartPgAsync(new RecordingLog(), registry, OutputLimit.Unlimited);
        using PgClient client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        await client.StartupAsync(ct);
        await client.SendAsync(PgClient.Message((byte)'Q', [.. "SELECT pg_sleep(20)"u8, 0]), ct);
        await Task.Delay(300, ct);

        var watch = Stopwatch.StartNew();
        await Assert.That(registry.Kill(c => c.Protocol == PgServer.ProtocolName)).IsEqualTo(1);
        await Assert.That(await ReadUntilClosedAsync(client, ct)).IsTrue();
        await Assert.That(watch.Elapsed).IsLessThan(TimeSpan.FromSeconds(10));
        for (int i = 0; i < 100 && registry.Count > 0; i++)
        {
            await Task.Delay(20, ct);
        }

        await Assert.That(registry.Count).IsEqualTo(0);
    }

    [Test]
    [Timeout(30_000)]
    public async Task Drain_stops_accepting_lets_the_running_statement_finish_then_closes_every_connection(CancellationToken ct)
    {
        var registry = new ConnectionRegistry();
        PgServer server = await StartPgAsync(new RecordingLog(), registry, OutputLimit.Unlimited);
        int port = server.LocalEndPoint!.Port;
        using PgClient busy = await PgClient.ConnectAsync(port, ct);
        await busy.StartupAsync(ct);
        using PgClient idle = await PgClient.ConnectAsync(port, ct);
        await idle.StartupAsync(ct);
        Task<string> running = busy.QueryAsync("SELECT pg_sleep(1), 7", ct);
        await Task.Delay(200, ct);

        await server.StopAcceptingAsync();
        var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.That(async () => await refused.ConnectAsync(IPAddress.Loopback, port, ct)).Throws<SocketException>();
        refused.Dispose();

        var watch = Stopwatch.StartNew();
        await server.WaitForInFlightAsync(TimeSpan.FromSeconds(10), ct);
        await Assert.That(watch.Elapsed).IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(500));
        await Assert.That(await running).Contains("7");

        await Assert.That(await server.StopAsync(TimeSpan.FromSeconds(5))).IsTrue();
        await Assert.That(await ReadUntilClosedAsync(idle, ct)).IsTrue();
        await Assert.That(registry.Count).IsEqualTo(0);
        await server.DisposeAsync();
    }

    private static async Task<PgServer> StartPgAsync(ILogger log, ConnectionRegistry registry, OutputLimit limit)
    {
        var engine = await SqlEngine.OpenAsync(new InMemoryKvDatabase());
        var server = new PgServer(engine, new PgServerOptions { OutputLimit = limit }, log, registry);
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return server;
    }

    /// <summary>Parse, Bind, Execute (all rows) and Sync of one unnamed statement without parameters.</summary>
    private static byte[] ExtendedQuery(string sql)
    {
        byte[] parse = PgClient.Message((byte)'P', [0, .. Encoding.UTF8.GetBytes(sql), 0, 0, 0]);
        byte[] bind = PgClient.Message((byte)'B', [0, 0, 0, 0, 0, 0, 0, 0]);
        byte[] execute = PgClient.Message((byte)'E', [0, 0, 0, 0, 0]);
        byte[] sync = PgClient.Message((byte)'S', []);
        return [.. parse, .. bind, .. execute, .. sync];
    }

    /// <summary>Startup that keeps the BackendKeyData (process id and secret) a CancelRequest names.</summary>
    private static async Task<(int Pid, int Secret)> StartupWithKeyAsync(PgClient client, CancellationToken ct)
    {
        byte[] parameters = [0, 3, 0, 0, .. "user\0tester\0database\0postgres\0\0"u8];
        var packet = new byte[4 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(packet, packet.Length);
        parameters.CopyTo(packet, 4);
        await client.SendAsync(packet, ct);
        (int, int) key = default;
        while (true)
        {
            (byte type, byte[] body) = await client.ReadAsync(ct);
            if (type == (byte)'K')
            {
                key = (BinaryPrimitives.ReadInt32BigEndian(body), BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(4)));
            }
            else if (type == (byte)'Z')
            {
                return key;
            }
        }
    }

    /// <summary>Reads and drops messages until the server closes the connection; false when it stays open 20 s.</summary>
    private static async Task<bool> ReadUntilClosedAsync(PgClient client, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            while (true)
            {
                await client.ReadAsync(timeout.Token);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or SocketException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Keeps warnings and errors as text, for assertions on what the server logged.</summary>
    private sealed class RecordingLog : ILogger
    {
        private readonly List<string> _warnings = [];
        private readonly List<string> _errors = [];

        public IReadOnlyList<string> Warnings
        {
            get
            {
                lock (_warnings)
                {
                    return [.. _warnings];
                }
            }
        }

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_warnings)
                {
                    return [.. _errors];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_warnings)
            {
                if (logLevel == LogLevel.Warning)
                {
                    _warnings.Add(formatter(state, exception));
                }
                else if (logLevel >= LogLevel.Error)
                {
                    _errors.Add(formatter(state, exception) + " " + exception);
                }
            }
        }
    }
}
