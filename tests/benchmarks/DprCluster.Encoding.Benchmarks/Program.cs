using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/benchmarks/DprCluster.Encoding.Benchmarks -- --filter '*'
// The memory diagnoser's "Allocated" column is the managed allocation per encoder call.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
