using DprCluster.Abstractions;

namespace DprCluster.Grains.Shard;

/// <summary>
/// Upper bound of the bytes a record takes in the log (UTF-16 lengths as UTF-8 upper bounds, and the vector): what
/// bounds a group commit or a replicated batch, without serialising anything.
/// </summary>
internal static class RecordSize
{
    public static long Of(EncodedPassage passage) =>
        3L * (passage.Passage.Id.Length + passage.Passage.Title.Length + passage.Passage.Text.Length) + 4L * passage.Vector.Length + 64;

    public static long OfDelete(string id) => 3L * id.Length + 16;

    public static long Of(ShardRecord record) => record.Upsert is { } upsert ? Of(upsert) : OfDelete(record.DeletedId!);
}
