namespace DprCluster.Grains.Placement;

/// <summary>What every silo of a cluster agrees on, from configuration: the placement and the vector dimension.</summary>
/// <param name="Placement">Shards, shard silos and replication.</param>
/// <param name="Dimension">Length of the encoders' vectors.</param>
/// <param name="EncoderKeys">Encoder grain keys callers choose from at random (K), spreading load across encoder silos.</param>
public sealed record ClusterLayout(ShardPlacement Placement, int Dimension, int EncoderKeys = 16);
