using System.CommandLine;
using DprCluster.Cli.Commands;

var root = new RootCommand("DprCluster: sharded dense passage retrieval.")
{
    BenchCommand.Create(),
    DemoCommand.Create(),
    EncodeCommand.Create(),
    EvalCommand.Create(),
    IngestCommand.Create(),
    SearchCommand.Create(),
    ServeCommand.Create(),
    TokenizeCommand.Create(),
    TrainCommand.Create(),
    CertsCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
