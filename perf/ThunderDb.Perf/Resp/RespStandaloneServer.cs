using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Net.Resp;
using ThunderDb.Net.Transport;

namespace ThunderDb.Perf.Resp;

/// <summary>
/// <c>ThunderDb.Perf resp-server PORT</c>: the RESP server over the stub store, for redis-benchmark runs that
/// measure the protocol layer alone (compare-redis.sh uses it when no real thunderdb binary is given).
/// </summary>
public static class RespStandaloneServer
{
    public static bool TryRun(string[] args)
    {
        if (args.Length < 1 || args[0] != "resp-server")
        {
            return false;
        }

        int port = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 6390;
        var server = new RespServer(new SpanKeyedKvDatabase(), new RespServerOptions { ExpirySweepInterval = TimeSpan.Zero },
            NullLogger.Instance, new ConnectionRegistry());
        server.Start(new IPEndPoint(IPAddress.Loopback, port));
        Console.WriteLine($"resp-server (stub store) listening on 127.0.0.1:{port}");
        using var stop = new ManualResetEventSlim();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Set();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Set();
        stop.Wait();
        server.StopAsync().GetAwaiter().GetResult();
        return true;
    }
}
