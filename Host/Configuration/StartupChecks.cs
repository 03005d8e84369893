using System.Net;
using System.Runtime.InteropServices;

namespace ThunderDb.Host.Configuration;

/// <summary>
/// Checks that depend on the machine and on security policy, run before anything is bound or created:
/// directories, TLS files, protected mode, authentication prerequisites, features not built yet.
/// Every failure is a <see cref="ConfigException"/> naming where the offending key was set.
/// </summary>
public static partial class StartupChecks
{
    public static void Verify(ServerSettings s)
    {
        CheckDirectory(s, "data_dir", s.DataDir, mayCreate: true);
        if (s.WalDir is not null)
        {
            CheckDirectory(s, "wal_dir", s.WalDir, mayCreate: true);
        }

        if (s.Logging.File is { } logFile)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(logFile)) ?? "/";
            if (!Directory.Exists(dir))
            {
                throw new ConfigException(s.OriginOf("logging.file"), "logging.file", $"directory '{dir}' does not exist");
            }

            if (!IsWritable(dir))
            {
                throw new ConfigException(s.OriginOf("logging.file"), "logging.file", $"directory '{dir}' is not writable by this user");
            }
        }

        var sec = s.Security;
        if (sec.TlsEnabled)
        {
            CheckReadableFile(s, "security.tls_cert_path", sec.TlsCertPath!);
            CheckReadableFile(s, "security.tls_key_path", sec.TlsKeyPath!);
        }

        if (!IPAddress.IsLoopback(s.ListenAddress) && !sec.AuthenticationEnabled && !sec.AllowUnauthenticatedNetwork)
        {
            throw new ConfigException(
                s.OriginOf("listen_addr"),
                "listen_addr",
                $"protected mode: refusing to listen on non-loopback address {s.ListenAddress} with authentication disabled. "
                + "Fix: enable authentication ([security] authentication_enabled = true with superuser_password_hash, or THUNDERDB_AUTH_ENABLED=true "
                + "and THUNDERDB_SUPERUSER_PASSWORD_HASH from 'thunderdb --hash-password'), or listen on 127.0.0.1, "
                + "or accept the risk explicitly with [security] allow_unauthenticated_network = true");
        }

        if (sec.AuthenticationEnabled && sec.SuperuserPasswordHash is null)
        {
            throw new ConfigException(
                s.OriginOf("security.authentication_enabled"),
                "security.authentication_enabled",
                "authentication is enabled but no superuser password hash is set: set security.superuser_password_hash "
                + "or THUNDERDB_SUPERUSER_PASSWORD_HASH (generate it with: thunderdb --hash-password <password>)");
        }

        if (!s.Cluster.Peers.IsEmpty)
        {
            throw new ConfigException(s.OriginOf("cluster.peers"), "cluster.peers", "cluster mode (Raft replication) is not supported yet; leave peers = [] to run a single node");
        }
    }

    /// <summary>Warnings for accepted settings whose feature is not built yet (logged at startup, never silently ignored).</summary>
    public static IEnumerable<string> NotYetSupported(ServerSettings s)
    {
        if (s.Logging.OtelEndpoint is not null && !Observability.Telemetry.Built)
        {
            yield return "logging.otel_endpoint is set, but this binary was built without OpenTelemetry export (publish with -p:Otel=true); nothing is exported";
        }

        if (s.Cluster.ReplicationFactor > 1)
        {
            yield return $"cluster.replication_factor = {s.Cluster.ReplicationFactor}: replication is not supported yet; data lives on this node only";
        }
    }

    private static void CheckDirectory(ServerSettings s, string key, string path, bool mayCreate)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new ConfigException(s.OriginOf(key), key, $"'{full}' is a file, not a directory");
        }

        if (Directory.Exists(full))
        {
            if (!IsWritable(full))
            {
                throw new ConfigException(s.OriginOf(key), key, $"directory '{full}' is not writable by this user");
            }

            return;
        }

        var parent = Path.GetDirectoryName(full.TrimEnd('/'));
        if (!mayCreate || parent is null || !Directory.Exists(parent))
        {
            throw new ConfigException(s.OriginOf(key), key, $"directory '{full}' does not exist and neither does its parent '{parent}' (create it first)");
        }

        if (!IsWritable(parent))
        {
            throw new ConfigException(s.OriginOf(key), key, $"directory '{full}' does not exist and its parent '{parent}' is not writable by this user");
        }
    }

    private static void CheckReadableFile(ServerSettings s, string key, string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException(s.OriginOf(key), key, $"file '{path}' does not exist");
        }

        if (Access(path, ReadOk) != 0)
        {
            throw new ConfigException(s.OriginOf(key), key, $"file '{path}' is not readable by this user");
        }
    }

    private const int WriteOk = 2;
    private const int ExecuteOk = 1;
    private const int ReadOk = 4;

    /// <summary>access(2): asks the kernel, so ACLs, read-only mounts and root are all handled, and nothing is created.</summary>
    public static bool IsWritable(string directory) => Access(directory, WriteOk | ExecuteOk) == 0;

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Access(string path, int mode);
}
