namespace DprCluster.Silo.Configuration;

/// <summary>The cluster configuration is missing something or contradicts itself; the message says what to fix.</summary>
public sealed class ClusterConfigurationException(string message) : Exception(message);
