using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*'
if (ThunderDb.Perf.Resp.RespStandaloneServer.TryRun(args) || ThunderDb.Perf.Wal.WalArchiveCompression.TryRun(args))
{
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
