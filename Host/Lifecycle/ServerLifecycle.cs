using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Serilog;
using ILogger = Serilog.ILogger;
using Serilog.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Host.Admin;
using ThunderDb.Host.Cli;
using ThunderDb.Host.Configuration;
using ThunderDb.Host.Logging;
using ThunderDb.Host.Observability;
using ThunderDb.Net.Transport.Tls;

namespace ThunderDb.Host.Lifecycle;

/// <summary>
/// Runs the server from validated settings to the final log line: bind admin HTTP, create the data
/// directory, open the engine, start protocol listeners and workers, become ready; then on
/// SIGTERM/SIGINT the runbook's graceful sequence. SIGHUP reloads the hot settings.
/// </summary>
public static class ServerLifecycle
{
    public const string StoppedMessage = "ThunderDB server stopped";

    /// <summary>How long in-flight requests get after the listeners stop accepting (runbook: 2 seconds).</summary>
    public static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    /// <summary>How long closed connections get to leave the command they are in before the stop is forced.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(CommandLineOptions cli, IReadOnlyDictionary<string, string> environment, ServerSettings settings)
    {
        using var logging = ServerLogging.Create(settings.Logging);
        var log = logging.For("ThunderDb.Host");
        try
        {
            return await RunCoreAsync(cli, environment, settings, logging, log).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // last resort: an unexpected failure is logged and turned into exit code 1
        catch (Exception e)
#pragma warning restore CA1031
        {
            log.Fatal(e, "ThunderDB failed");
            return 1;
        }
    }

    private static async Task<int> RunCoreAsync(CommandLineOptions cli, IReadOnlyDictionary<string, string> environment, ServerSettings settings, ServerLogging logging, ILogger log)
    {
        var live = new LiveSettings(settings);
        var shutdown = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reloads = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; shutdown.TrySetResult("SIGTERM"); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; shutdown.TrySetResult("SIGINT"); });
        using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => { ctx.Cancel = true; reloads.Writer.TryWrite(true); });

        var version = typeof(ServerLifecycle).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        log.Information("ThunderDB {Version} starting (pid {Pid}, config {Config}, data_dir {DataDir})",
            version, Environment.ProcessId, settings.ConfigPath ?? "built-in defaults", Path.GetFullPath(settings.DataDir));
        foreach (var (key, value) in settings.Describe())
        {
            log.Debug("setting {Key} = {Value} ({Origin})", key, value, settings.OriginOf(key));
        }

        foreach (var warning in StartupChecks.NotYetSupported(settings))
        {
            log.Warning("{Warning}", warning);
        }

        using var telemetry = Telemetry.Start(settings.Logging, log);

        X509Certificate2? certificate = null;
        if (settings.Security.TlsEnabled)
        {
            try
            {
                certificate = ServerCertificate.Load(settings.Security.TlsCertPath!, settings.Security.TlsKeyPath!);
            }
            catch (ServerCertificateException e)
            {
                log.Error("{Reason}", e.Message);
                return Finish(log, 1, stoppedCleanly: false);
            }

            log.Information("TLS: certificate {Subject} (valid until {NotAfter:yyyy-MM-dd}) from {Path}; resp serves TLS only, http serves HTTPS and plain HTTP",
                certificate.Subject, certificate.NotAfter, settings.Security.TlsCertPath);
        }

        using var _ = certificate;
        ThunderMetrics.EnsureRegistered();
        var state = new ServerState();
        var components = ServerComposition.Create(settings, live, logging.LoggerFactory, certificate);
        var reloader = new ConfigReloader(cli, environment, live, logging.LevelSwitch, log);
        var reloadLoop = Task.Run(async () =>
        {
            await foreach (var _ in reloads.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                log.Information("Received SIGHUP, reloading configuration");
                reloader.Reload();
            }
        });

        var backups = new BackupService(settings, logging.LoggerFactory);
        var health = new HealthReporter(live, () => state.Engine, backups);
        var verifier = new AdminTokenVerifier(settings.Security.AuthenticationEnabled, settings.Security.AdminTokenHash);
        var httpEndPoint = new IPEndPoint(settings.ListenAddress, settings.HttpPort);
        using var loggerProvider = new SerilogLoggerProvider(logging.Logger);
        await using var admin = AdminHttpServer.Create(httpEndPoint, state, health, verifier, loggerProvider, certificate, backups);
        try
        {
            await admin.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // One line, no stack trace: a port in use, an address that is not on this host (EADDRNOTAVAIL)...
            log.Error("Cannot start the admin HTTP endpoint (http) on {Address} port {Port}: {Reason}",
                settings.ListenAddress, settings.HttpPort, IsAddressInUse(e) ? "address already in use" : e.Message);
            return Finish(log, 1, stoppedCleanly: false);
        }

        log.Information("Listening: http (admin, metrics) on {Address}:{Port}", settings.ListenAddress, settings.HttpPort);

        var workers = new BackgroundWorkers(live, components.Engine, log);
        var started = new List<IProtocolListener>();
        var exitCode = 0;
        try
        {
            CreateDataDirectories(settings, log);
            if (components.Engine is { } engine)
            {
                log.Information("Network I/O: socket completions run {Mode} ({Variable}={Value})",
                    Environment.GetEnvironmentVariable(SocketEventLoop.InlineCompletionsVariable) == "1" ? "inline on the socket engine's event-loop threads" : "on the thread pool",
                    SocketEventLoop.InlineCompletionsVariable, Environment.GetEnvironmentVariable(SocketEventLoop.InlineCompletionsVariable) ?? "unset");
                var io = ThunderDb.Io.Files.IoBackendProbe.Result;
                log.Information("I/O backend: storage.io_backend = {Setting}; auto picks {Backend} ({Reason}); synchronous page and WAL I/O use pread/pwrite/fdatasync on either backend (measured faster, docs/perf.md), the ring carries asynchronous I/O",
                    settings.Storage.IoBackend.ToString().ToLowerInvariant(), io.AutoChoice.ToString().ToLowerInvariant(), io.Reason);
                log.Information("Opening database engine {Engine}", engine.Name);
                await engine.OpenAsync(CancellationToken.None).ConfigureAwait(false);
                if (engine is KvStorageEngine { Engine: { } storage })
                {
                    backups.Attach(storage);
                }

                state.Engine = engine;
                log.Information("Not built yet, ports left unbound: mysql {MySql}, grpc {Grpc}",
                    settings.MySqlPort, settings.GrpcPort);
            }
            else
            {
                log.Warning("No storage engine is plugged into this build yet: no database is opened and no protocol port (pg {Pg}, mysql {MySql}, resp {Resp}, grpc {Grpc}) is bound",
                    settings.PgPort, settings.MySqlPort, settings.RespPort, settings.GrpcPort);
            }

            foreach (var listener in components.Listeners)
            {
                EndPoint bound;
                try
                {
                    bound = await listener.StartAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    log.Error("Cannot start the {Protocol} listener: {Reason}", listener.Protocol, IsAddressInUse(e) ? "address already in use" : e.Message);
                    exitCode = 1;
                    break;
                }

                started.Add(listener);
                log.Information("Listening: {Protocol} on {EndPoint}", listener.Protocol, bound);
            }

            if (exitCode == 0)
            {
                workers.Start();
                state.SetPhase(ServerPhase.Ready);
                var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
                log.Information("ThunderDB ready ({Ms} ms after process start)", (long)sinceStart.TotalMilliseconds);
                var signal = await shutdown.Task.ConfigureAwait(false);
                log.Information("Received {Signal}, shutting down", signal);
            }
        }
#pragma warning disable CA1031 // a startup failure still runs the shutdown sequence for whatever did start
        catch (Exception e)
#pragma warning restore CA1031
        {
            log.Error(e, "Startup failed: {Error}", e.Message);
            exitCode = 1;
        }

        state.SetPhase(ServerPhase.Stopping);
        if (!await ShutdownAsync(started, workers, backups, state.Engine, admin, log).ConfigureAwait(false) && exitCode == 0)
        {
            exitCode = 1;
        }

        reloads.Writer.TryComplete();
        await reloadLoop.ConfigureAwait(false);
        return Finish(log, exitCode, stoppedCleanly: exitCode == 0);
    }

    /// <summary>The runbook's sequence: stop accepting, wait for in-flight work, stop workers, final checkpoint, close the engine.</summary>
    private static async Task<bool> ShutdownAsync(List<IProtocolListener> listeners, BackgroundWorkers workers, BackupService backups, IDatabaseEngine? engine, AdminHttpServer admin, ILogger log)
    {
        foreach (var l in listeners)
        {
            await l.StopAcceptingAsync().ConfigureAwait(false);
        }

        if (listeners.Count > 0)
        {
            log.Information("Stopped accepting connections; waiting up to {Seconds} s for in-flight requests", DrainGrace.TotalSeconds);
            using var cts = new CancellationTokenSource(DrainGrace + TimeSpan.FromSeconds(1));
            bool[] closed = await Task.WhenAll(listeners.Select(l => l.DrainAsync(DrainGrace, CloseTimeout, cts.Token).AsTask())).ConfigureAwait(false);
            if (closed.Contains(false))
            {
                // A connection is stuck inside a command that does not observe the kill. The engine cannot be
                // checkpointed or closed under it; make every applied commit durable and leave the rest to recovery.
                bool flushed = engine?.FlushLog(TimeSpan.FromSeconds(5)) ?? true;
                log.Error(
                    "Forced stop: a connection did not leave its command within {Seconds} s of being closed; skipped the final checkpoint " +
                    "(the next start replays the WAL); WAL {Flushed}", CloseTimeout.TotalSeconds, flushed ? "flushed" : "flush did not complete");
                using var adminStop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await admin.StopAsync(adminStop.Token).ConfigureAwait(false);
                return false;
            }

            foreach (var l in listeners)
            {
                await l.DisposeAsync().ConfigureAwait(false);
            }
        }

        await workers.StopAsync().ConfigureAwait(false);
        await backups.StopAsync().ConfigureAwait(false);
        log.Debug("Background workers stopped");

        if (engine is not null)
        {
            try
            {
                if (await engine.CheckpointAsync(CancellationToken.None).ConfigureAwait(false) is { } skipped)
                {
                    log.Warning("Final checkpoint skipped ({Reason}); the WAL will be replayed on the next start", skipped);
                }
                else
                {
                    log.Information("Final checkpoint written");
                }
            }
#pragma warning disable CA1031 // the engine still gets closed; recovery replays the WAL on the next start
            catch (Exception e)
#pragma warning restore CA1031
            {
                log.Error(e, "Final checkpoint failed; the WAL will be replayed on the next start");
            }

            await engine.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            log.Information("Database engine closed");
        }

        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await admin.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        return true;
    }

    private static int Finish(ILogger log, int exitCode, bool stoppedCleanly)
    {
        if (stoppedCleanly)
        {
            log.Information(StoppedMessage);
        }
        else
        {
            log.Error("ThunderDB exiting with code {ExitCode}", exitCode);
        }

        return exitCode;
    }

    private static void CreateDataDirectories(ServerSettings settings, ILogger log)
    {
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        foreach (var dir in settings.WalDir is null ? [settings.DataDir] : new[] { settings.DataDir, settings.WalDir })
        {
            var full = Path.GetFullPath(dir);
            if (!Directory.Exists(full))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(full);
                }
                else
                {
                    Directory.CreateDirectory(full, OwnerOnly);
                }

                log.Information("Created directory {Dir}", full);
            }
        }
    }

    private static bool IsAddressInUse(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || x.GetType().Name == "AddressInUseException")
            {
                return true;
            }
        }

        return false;
    }
}
