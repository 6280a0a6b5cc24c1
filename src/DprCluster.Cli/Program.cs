using System.CommandLine;
using DprCluster.Cli.Commands;

var root = new RootCommand("DprCluster: sharded dense passage retrieval.")
{
    BenchCommand.Create(),
    EncodeCommand.Create(),
    EvalCommand.Create(),
    TokenizeCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
