using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
