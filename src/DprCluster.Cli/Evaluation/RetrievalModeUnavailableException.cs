namespace DprCluster.Cli.Evaluation;

/// <summary>The requested retrieval mode cannot run in this build or configuration (e.g. no encoder).</summary>
internal sealed class RetrievalModeUnavailableException(string message) : Exception(message);
