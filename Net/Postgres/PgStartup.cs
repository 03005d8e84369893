using Microsoft.Extensions.Logging;
using ThunderDb.Core.Session;
using ThunderDb.Core.Sql.Engine;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// The connection's start: SSLRequest / GSSENCRequest / CancelRequest, the StartupMessage, authentication and
/// the ParameterStatus set. Authentication itself (SCRAM-SHA-256, MD5, cleartext) is in <c>PgAuthentication.cs</c>.
/// </summary>
internal sealed partial class PgConnection
{
    private const int ProtocolV3 = 196608;
    private const int SslRequestCode = 80877103;
    private const int GssEncRequestCode = 80877104;
    private const int CancelRequestCode = 80877102;

    /// <summary>True when the client is authenticated and ready for queries; false when the connection is done.</summary>
    private async Task<bool> StartupAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Killed);
        timeout.CancelAfter(_server.Options.StartupTimeout);
        Dictionary<string, string>? parameters = null;
        bool tlsDone = false;
        while (parameters is null)
        {
            (byte Type, ReadOnlyMemory<byte> Body)? packet = await _in.ReadAsync(startup: true, timeout.Token).ConfigureAwait(false);
            if (packet is not { } p)
            {
                return false;
            }

            var body = new PgBody(p.Body.Span);
            int code = body.Int32();
            switch (code)
            {
                case SslRequestCode when !tlsDone && _server.Options.Tls is { } tls && _connection is not null:
                    if (_in.Buffered > 0)
                    {
                        // bytes after the SSLRequest would be read as if they came over TLS (CVE-2021-23214)
                        throw new PgProtocolException("received unencrypted data after SSL request");
                    }

                    await _conn.SendAsync("S"u8.ToArray(), cancellationToken: timeout.Token).ConfigureAwait(false);
                    var secured = await tls.AcceptAsync(_conn.Io.Socket, PgServer.ProtocolName, _server.Logger, timeout.Token).ConfigureAwait(false);
                    if (secured is null)
                    {
                        return false;
                    }

                    _conn.UpgradeIo(secured);
                    tlsDone = true;
                    break;
                case SslRequestCode or GssEncRequestCode:
                    await _conn.SendAsync("N"u8.ToArray(), cancellationToken: timeout.Token).ConfigureAwait(false);
                    break;
                case CancelRequestCode:
                    int pid = body.Int32();
                    int key = body.Int32();
                    _server.Cancel(pid, key);
                    return false;
                case ProtocolV3:
                    parameters = ReadStartupParameters(ref body);
                    break;
                default:
                    int major = code >> 16;
                    await TrySendFatalAsync("0A000", $"unsupported frontend protocol {major}.{code & 0xFFFF}: server supports 3.0 to 3.0").ConfigureAwait(false);
                    return false;
            }
        }

        if (_connection is null)
        {
            await TrySendFatalAsync("53300", "sorry, too many clients already").ConfigureAwait(false);
            return false;
        }

        if (_server.Options.Tls is not null && !tlsDone)
        {
            await TrySendFatalAsync("28000", "this server accepts TLS connections only (connect with sslmode=require)").ConfigureAwait(false);
            return false;
        }

        string user = parameters.GetValueOrDefault("user") ?? "";
        if (user.Length == 0)
        {
            await TrySendFatalAsync("28000", "no PostgreSQL user name specified in startup packet").ConfigureAwait(false);
            return false;
        }

        string database = parameters.GetValueOrDefault("database") is { Length: > 0 } db ? db : user;
        if (!await AuthenticateAsync(user, tlsDone, timeout.Token).ConfigureAwait(false))
        {
            return false;
        }

        if (_server.Engine.Catalog.Current.FindRole(user) is { CanLogin: false })
        {
            // checked after the password, as PostgreSQL does, so the answer tells nothing to whoever lacks it
            await TrySendFatalAsync("28000", $"role \"{user}\" is not permitted to log in").ConfigureAwait(false);
            return false;
        }

        if (_server.Engine.Catalog.Current.FindDatabase(database) is null)
        {
            await TrySendFatalAsync("3D000", $"database \"{database}\" does not exist").ConfigureAwait(false);
            return false;
        }

        _session = _server.Engine.OpenSession(user, database);
        ApplyStartupSettings(_session.Settings, parameters);
        _connection.User = user;
        string applicationName = _session.Settings.Get("application_name") ?? "";
        _connection.Name = applicationName;
        _out.Begin((byte)'R');
        _out.Int32(0);
        _out.End();
        _out.ParameterStatus("server_version", SessionSettings.ServerVersion);
        _out.ParameterStatus("server_version_num", ServerVersionNum(SessionSettings.ServerVersion));
        _out.ParameterStatus("server_encoding", "UTF8");
        _out.ParameterStatus("client_encoding", "UTF8");
        _out.ParameterStatus("DateStyle", _session.Settings.Get("datestyle") ?? "ISO, MDY");
        _out.ParameterStatus("TimeZone", _session.Settings.Get("timezone") ?? "UTC");
        _out.ParameterStatus("integer_datetimes", "on");
        _out.ParameterStatus("standard_conforming_strings", "on");
        _out.ParameterStatus("application_name", applicationName);
        _out.ParameterStatus("is_superuser", _session.Settings.Get("is_superuser") ?? "off");
        _out.ParameterStatus("session_authorization", user);
        _out.ParameterStatus("IntervalStyle", "postgres");
        _out.Begin((byte)'K');
        _out.Int32(ProcessId);
        _out.Int32(SecretKey);
        _out.End();
        _out.ReadyForQuery((byte)SessionTransactionState.Idle);
        return true;
    }

    private static Dictionary<string, string> ReadStartupParameters(ref PgBody body)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        while (body.Remaining > 0)
        {
            string name = body.CString();
            if (name.Length == 0)
            {
                break;
            }

            parameters[name] = body.CString();
        }

        return parameters;
    }

    /// <summary>
    /// Startup parameters other than user/database are session settings, as are <c>options</c>'s
    /// <c>-c name=value</c> / <c>--name=value</c>. A value the engine refuses (a time zone other than UTC, say)
    /// keeps the default: the ParameterStatus messages then tell the client what is in force.
    /// </summary>
    private static void ApplyStartupSettings(SessionSettings settings, Dictionary<string, string> parameters)
    {
        foreach ((string name, string value) in parameters)
        {
            if (name is "user" or "database" or "replication")
            {
                continue;
            }

            if (name == "options")
            {
                string[] words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                for (int i = 0; i < words.Length; i++)
                {
                    string? assignment = words[i] == "-c" && i + 1 < words.Length ? words[++i]
                        : words[i].StartsWith("--", StringComparison.Ordinal) ? words[i][2..]
                        : words[i].StartsWith("-c", StringComparison.Ordinal) ? words[i][2..] : null;
                    int eq = assignment?.IndexOf('=', StringComparison.Ordinal) ?? -1;
                    if (eq > 0)
                    {
                        TrySet(settings, assignment![..eq].Replace('-', '_'), assignment[(eq + 1)..]);
                    }
                }

                continue;
            }

            TrySet(settings, name, value);
        }
    }

    private static void TrySet(SessionSettings settings, string name, string value)
    {
        try
        {
            settings.Set(name, value);
        }
        catch (ThunderDb.Core.Sql.SqlException)
        {
            // refused: the default stays, and is what ParameterStatus reports
        }
    }

    /// <summary>"15.0" → "150000", as PostgreSQL reports server_version_num for versions 10 and later.</summary>
    internal static string ServerVersionNum(string version)
    {
        string[] parts = version.Split('.');
        int major = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int minor = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        return ((major * 10000) + minor).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
