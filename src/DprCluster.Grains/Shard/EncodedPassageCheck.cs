using DprCluster.Abstractions;
using DprCluster.Core.Passages;

namespace DprCluster.Grains.Shard;

/// <summary>
/// What a passage and its vector must satisfy before a record of it is numbered or logged: the limits the REST layer
/// checks, the index's dimension, finite values. What passes here is logged, and what is logged must replay.
/// </summary>
internal static class EncodedPassageCheck
{
    /// <summary>Throws <see cref="ClusterException"/> (invalid_request or dimension_mismatch) when <paramref name="passage"/> cannot be stored.</summary>
    public static void Validate(EncodedPassage? passage, int dimensions, int shardId)
    {
        if (passage?.Passage is null || passage.Vector is null)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "passage and vector are required");
        }
        Passage p = passage.Passage;
        if (PassageLimits.CheckPassage(p.Id, p.Title, p.Text, p.Metadata) is { } problem)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, problem);
        }
        if (passage.Vector.Length != dimensions)
        {
            throw new ClusterException(ClusterErrorCodes.DimensionMismatch,
                $"passage '{p.Id}' has a {passage.Vector.Length}-dimensional vector; shard {shardId} stores {dimensions}");
        }
        if (PassageLimits.CheckVector(passage.Vector) is { } badVector)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"passage '{p.Id}': {badVector}");
        }
    }

    /// <summary>Throws invalid_request when <paramref name="id"/> is not a storable passage id.</summary>
    public static void ValidateId(string id)
    {
        if (PassageLimits.CheckId(id) is { } problem)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, problem);
        }
    }
}
