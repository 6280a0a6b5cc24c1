using System.Runtime.InteropServices;
using DprCluster.Encoders;
using DprCluster.Grains.Contracts;
using DprCluster.Silo.Transport.Protos;
using DprCluster.Text.Bm25;
using Google.Protobuf;

namespace DprCluster.Silo.Transport;

/// <summary>Converts grain messages to their protobuf form and back. Vectors travel as raw float32 bytes.</summary>
internal static class MessageMapping
{
    public static ByteString ToBytes(ReadOnlySpan<float> vector) => ByteString.CopyFrom(MemoryMarshal.AsBytes(vector));

    public static float[] ToVector(ByteString bytes)
    {
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest,
                $"A vector of {bytes.Length} bytes is not a whole number of float32 values.");
        }
        return MemoryMarshal.Cast<byte, float>(bytes.Span).ToArray();
    }

    public static ShardSearchRequestMessage ToMessage(ShardSearchRequest request)
    {
        var message = new ShardSearchRequestMessage { K = request.K, Ef = request.Ef };
        if (request.Vector is not null)
        {
            message.Vector = ToBytes(request.Vector);
        }
        if (request.Terms is not null)
        {
            message.Terms = ToMessage(request.Terms);
        }
        if (request.Statistics is not null)
        {
            message.Statistics = ToMessage(request.Statistics);
        }
        return message;
    }

    public static ShardSearchRequest FromMessage(ShardSearchRequestMessage message) => new(
        message.Vector.IsEmpty ? null : ToVector(message.Vector),
        message.Terms is null ? null : FromMessage(message.Terms),
        message.Statistics is null ? null : FromMessage(message.Statistics),
        message.K,
        message.Ef);

    public static TermsMessage ToMessage(Bm25Query query)
    {
        var message = new TermsMessage();
        message.Terms.AddRange(query.Terms);
        message.Counts.AddRange(query.Counts);
        return message;
    }

    public static Bm25Query FromMessage(TermsMessage message)
    {
        if (message.Terms.Count != message.Counts.Count)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "A BM25 query has more terms than counts or the reverse.");
        }
        // Bm25Query counts repeated terms itself, so each term is listed as often as it occurred.
        var terms = new List<string>(message.Terms.Count);
        for (int i = 0; i < message.Terms.Count; i++)
        {
            for (int c = 0; c < message.Counts[i]; c++)
            {
                terms.Add(message.Terms[i]);
            }
        }
        return new Bm25Query(terms);
    }

    public static StatisticsMessage ToMessage(Bm25Statistics statistics)
    {
        var message = new StatisticsMessage { DocumentCount = statistics.DocumentCount, TotalLength = statistics.TotalLength };
        foreach ((string term, long df) in statistics.DocumentFrequencies)
        {
            message.DocumentFrequencies[term] = df;
        }
        return message;
    }

    public static Bm25Statistics FromMessage(StatisticsMessage message) =>
        new(message.DocumentCount, message.TotalLength, message.DocumentFrequencies);

    public static ShardSearchResponseMessage ToMessage(ShardSearchResponse response)
    {
        var message = new ShardSearchResponseMessage { ShardId = response.ShardId };
        AddHits(message.Dense, response.Dense);
        AddHits(message.Bm25, response.Bm25);
        return message;
    }

    public static ShardSearchResponse FromMessage(ShardSearchResponseMessage message) =>
        new(message.ShardId, ToHits(message.Dense), ToHits(message.Bm25));

    public static PassageMessage ToMessage(Passage passage)
    {
        var message = new PassageMessage { Id = passage.Id, Title = passage.Title, Text = passage.Text };
        if (passage.Metadata is not null)
        {
            message.Metadata = ToMessage(passage.Metadata);
        }
        return message;
    }

    public static Passage FromMessage(PassageMessage message) =>
        new(message.Id, message.Title, message.Text, FromMessage(message.Metadata));

    public static UpsertRequestMessage ToMessage(ShardUpsertRequest request)
    {
        var message = new UpsertRequestMessage();
        foreach (EncodedPassage passage in request.Passages)
        {
            message.Passages.Add(new EncodedPassageMessage { Passage = ToMessage(passage.Passage), Vector = ToBytes(passage.Vector) });
        }
        return message;
    }

    public static ShardUpsertRequest FromMessage(UpsertRequestMessage message)
    {
        var passages = new EncodedPassage[message.Passages.Count];
        for (int i = 0; i < passages.Length; i++)
        {
            EncodedPassageMessage passage = message.Passages[i];
            passages[i] = new EncodedPassage(FromMessage(passage.Passage), ToVector(passage.Vector));
        }
        return new ShardUpsertRequest(passages);
    }

    public static WriteResponseMessage ToMessage(ShardWriteResponse response) =>
        new() { ShardId = response.ShardId, Lsn = response.Lsn, Applied = response.Applied };

    public static ShardWriteResponse FromMessage(WriteResponseMessage message) =>
        new(message.ShardId, message.Lsn, message.Applied);

    public static ShardStatsMessage ToMessage(ShardStats stats)
    {
        var message = new ShardStatsMessage
        {
            ShardId = stats.ShardId,
            State = stats.State switch
            {
                ShardState.Serving => ShardStateMessage.ShardStateServing,
                ShardState.Failed => ShardStateMessage.ShardStateFailed,
                _ => ShardStateMessage.ShardStateRecovering,
            },
            Passages = stats.Passages,
            DeletedSlots = stats.DeletedSlots,
            LastLsn = stats.LastLsn,
            SnapshotLsn = stats.SnapshotLsn,
            WalBytes = stats.WalBytes,
        };
        if (stats.Error is not null)
        {
            message.Error = stats.Error;
        }
        return message;
    }

    public static ShardStats FromMessage(ShardStatsMessage message) => new(
        message.ShardId,
        message.State switch
        {
            ShardStateMessage.ShardStateServing => ShardState.Serving,
            ShardStateMessage.ShardStateFailed => ShardState.Failed,
            _ => ShardState.Recovering,
        },
        message.Passages,
        message.DeletedSlots,
        message.LastLsn,
        message.SnapshotLsn,
        message.WalBytes,
        message.HasError ? message.Error : null);

    public static VectorsMessage ToMessage(float[][] vectors, int dimension)
    {
        var values = new float[vectors.Length * dimension];
        for (int i = 0; i < vectors.Length; i++)
        {
            if (vectors[i].Length != dimension)
            {
                throw new ClusterException(ClusterErrorCodes.DimensionMismatch,
                    $"Vector {i} has {vectors[i].Length} values; the encoder's dimension is {dimension}.");
            }
            vectors[i].CopyTo(values, i * dimension);
        }
        return new VectorsMessage { Dimension = dimension, Count = vectors.Length, Values = ToBytes(values) };
    }

    public static float[][] FromMessage(VectorsMessage message)
    {
        ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(message.Values.Span);
        if (message.Dimension <= 0 || message.Count < 0 || values.Length != (long)message.Count * message.Dimension)
        {
            throw new ClusterException(ClusterErrorCodes.Internal,
                $"An encoder answered {values.Length} values for {message.Count} vectors of dimension {message.Dimension}.");
        }
        var vectors = new float[message.Count][];
        for (int i = 0; i < vectors.Length; i++)
        {
            vectors[i] = values.Slice(i * message.Dimension, message.Dimension).ToArray();
        }
        return vectors;
    }

    public static EncodePassagesRequestMessage ToMessage(IReadOnlyList<PassageText> passages)
    {
        var message = new EncodePassagesRequestMessage();
        for (int i = 0; i < passages.Count; i++)
        {
            message.Passages.Add(new PassageTextMessage { Title = passages[i].Title ?? string.Empty, Text = passages[i].Text });
        }
        return message;
    }

    public static PassageText[] FromMessage(EncodePassagesRequestMessage message)
    {
        var passages = new PassageText[message.Passages.Count];
        for (int i = 0; i < passages.Length; i++)
        {
            passages[i] = new PassageText(message.Passages[i].Title, message.Passages[i].Text);
        }
        return passages;
    }

    private static Metadata ToMessage(IReadOnlyDictionary<string, string> metadata)
    {
        var message = new Metadata();
        foreach ((string key, string value) in metadata)
        {
            message.Entries[key] = value;
        }
        return message;
    }

    private static Dictionary<string, string>? FromMessage(Metadata? message)
    {
        if (message is null)
        {
            return null;
        }
        var metadata = new Dictionary<string, string>(message.Entries.Count, StringComparer.Ordinal);
        foreach ((string key, string value) in message.Entries)
        {
            metadata[key] = value;
        }
        return metadata;
    }

    private static void AddHits(Google.Protobuf.Collections.RepeatedField<ShardHitMessage> target, IReadOnlyList<ShardHit> hits)
    {
        for (int i = 0; i < hits.Count; i++)
        {
            ShardHit hit = hits[i];
            var message = new ShardHitMessage { Id = hit.Id, Score = hit.Score, Title = hit.Title, Text = hit.Text };
            if (hit.Metadata is not null)
            {
                message.Metadata = ToMessage(hit.Metadata);
            }
            target.Add(message);
        }
    }

    private static ShardHit[] ToHits(Google.Protobuf.Collections.RepeatedField<ShardHitMessage> messages)
    {
        var hits = new ShardHit[messages.Count];
        for (int i = 0; i < hits.Length; i++)
        {
            ShardHitMessage message = messages[i];
            hits[i] = new ShardHit(message.Id, message.Score, message.Title, message.Text, FromMessage(message.Metadata));
        }
        return hits;
    }
}
