using System.Globalization;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Backup;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Core.Txn.Backup;
using ThunderDb.Host.Configuration;
using ThunderDb.Host.Lifecycle;

namespace ThunderDb.Host.Cli;

/// <summary>
/// <c>thunderdb --config ... --restore-pitr T --restore-backup DIR</c> (the server stopped): restores the backup into
/// data_dir / wal_dir, replays the WAL up to the last commit at or before T and exits; the next normal start serves the
/// database as of T. Without <c>--restore-pitr</c> it restores to the backup's end. stdout carries exactly the runbook's
/// two lines; progress and details go to stderr.
/// </summary>
internal static class RestoreCommand
{
    public static int Run(CommandLineOptions cli, ServerSettings settings)
    {
        var backupDir = cli.RestoreBackup!;
        long targetTicks;
        if (cli.RestorePitr is { } at)
        {
            targetTicks = at.UtcTicks - DateTime.UnixEpoch.Ticks;
            Console.WriteLine(
                $"Restoring from backup \"{backupDir}\" to timestamp {at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)} ({at.ToUnixTimeMilliseconds()} ms)...");
        }
        else
        {
            try
            {
                targetTicks = BackupManifest.Read(Path.GetFullPath(backupDir)).EndTicks;
            }
            catch (BackupInvalidException e)
            {
                Console.Error.WriteLine($"thunderdb: restore refused: {e.Message}");
                return 1;
            }

            Console.WriteLine($"Restoring from backup \"{backupDir}\" to its end ({BackupManifest.FormatTime(targetTicks)})...");
        }

        try
        {
            BackupManifest.Read(Path.GetFullPath(backupDir)); // not a (complete) backup: say so before anything else
        }
        catch (BackupInvalidException e)
        {
            Console.Error.WriteLine($"thunderdb: restore refused: {e.Message}");
            return 1;
        }

        if (ServerAnswers(settings) is { } endPoint)
        {
            Console.Error.WriteLine(
                $"thunderdb: restore refused: a server answers on the configured admin port {endPoint}; stop it first (kill -TERM $(pidof thunderdb)): " +
                "restoring under a running server would move its files away while it writes them");
            return 1;
        }

        var logger = new StderrLogger(settings.Logging.Level <= Serilog.Events.LogEventLevel.Debug ? LogLevel.Debug : LogLevel.Information);
        var storage = settings.ToStorageOptions();
        try
        {
            var result = PointInTimeRestore.Run(
                new PitrRequest(backupDir, targetTicks, storage) { ArchiveRoots = [Path.GetFullPath(settings.EffectiveBackupDir)] },
                logger,
                line => Console.Error.WriteLine($"thunderdb: {line}"));
            if (result.MovedAsideData is { } data)
            {
                Console.Error.WriteLine($"thunderdb: the previous data directory files were moved to '{data}'");
            }

            if (result.MovedAsideWal is { } wal)
            {
                Console.Error.WriteLine($"thunderdb: the previous WAL files were moved to '{wal}'");
            }

            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"thunderdb: restored backup {result.Backup.Id} and {result.CommitsApplied} later commits up to {BackupManifest.FormatTime(result.LastCommitTicks)}; " +
                $"replayed {result.Replay.BytesReplayed} bytes of WAL in {result.Replay.Elapsed.TotalMilliseconds:0} ms ({result.Replay.MegabytesPerSecond:0.0} MB/s); " +
                $"total {result.Elapsed.TotalSeconds:0.00} s; new system identifier {result.NewSystemId:x16}"));
            Console.WriteLine("PITR restore complete. You can now start the server normally.");
            return 0;
        }
        catch (Exception e) when (e is BackupInvalidException or PitrRangeException)
        {
            Console.Error.WriteLine($"thunderdb: restore refused: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StorageFormatException or WalMissingException or WalCorruptionException or PageCorruptedException)
        {
            Console.Error.WriteLine($"thunderdb: restore failed: {e.Message}");
            return 1;
        }
    }

    /// <summary>The configured admin endpoint if something accepts connections there (the server is probably running).</summary>
    private static System.Net.IPEndPoint? ServerAnswers(ServerSettings settings)
    {
        var address = settings.ListenAddress.Equals(System.Net.IPAddress.Any) ? System.Net.IPAddress.Loopback
            : settings.ListenAddress.Equals(System.Net.IPAddress.IPv6Any) ? System.Net.IPAddress.IPv6Loopback : settings.ListenAddress;
        var endPoint = new System.Net.IPEndPoint(address, settings.HttpPort);
        try
        {
            using var socket = new System.Net.Sockets.Socket(endPoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            var connect = socket.ConnectAsync(endPoint);
            return connect.Wait(TimeSpan.FromSeconds(1)) && socket.Connected ? endPoint : null;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or AggregateException)
        {
            return null;
        }
    }

    /// <summary>Engine log lines during a restore, on stderr (stdout is the runbook's two lines).</summary>
    private sealed class StderrLogger(LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"thunderdb: [{logLevel}] {formatter(state, exception)}");
            }
        }
    }
}
