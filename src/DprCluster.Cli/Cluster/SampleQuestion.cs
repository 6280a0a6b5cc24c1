namespace DprCluster.Cli.Cluster;

/// <summary>A demo question and, for the built-in ones, the id of the passage meant to answer it.</summary>
internal sealed record SampleQuestion(string Text, string? IntendedId);
