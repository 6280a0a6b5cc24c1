namespace DprCluster.Abstractions;

/// <summary>Stable error codes: the REST API returns them in problem+json; grain calls carry them in <see cref="ClusterException"/>.</summary>
public static class ClusterErrorCodes
{
    /// <summary>The request is malformed or out of range (400).</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>A vector's length differs from the index's (400).</summary>
    public const string DimensionMismatch = "dimension_mismatch";

    /// <summary>The passage does not exist (404).</summary>
    public const string NotFound = "not_found";

    /// <summary>No replica of a shard answered, so a write could not be made durable (503).</summary>
    public const string ShardUnavailable = "shard_unavailable";

    /// <summary>A shard replica is still recovering (503).</summary>
    public const string ShardRecovering = "shard_recovering";

    /// <summary>A shard replica is copying the records it missed from a peer and does not serve reads yet (503).</summary>
    public const string ShardCatchingUp = "shard_catching_up";

    /// <summary>
    /// A replica was sent records that do not follow its last one (it missed some); it catches up from a peer (503).
    /// Between the shard's writer and its replicas only.
    /// </summary>
    public const string ReplicaBehind = "replica_behind";

    /// <summary>A shard replica failed recovery and needs an operator (503).</summary>
    public const string ShardFailed = "shard_failed";

    /// <summary>No encoder silo could be reached (503).</summary>
    public const string EncoderUnavailable = "encoder_unavailable";

    /// <summary>The encoder's queue is full; retry later (429).</summary>
    public const string Overloaded = "overloaded";

    /// <summary>The request ran past its deadline (504).</summary>
    public const string DeadlineExceeded = "deadline_exceeded";

    /// <summary>Writes need the API key (401).</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>The body is larger than the limit (413).</summary>
    public const string PayloadTooLarge = "payload_too_large";

    /// <summary>The body is not JSON by its Content-Type, or its Content-Encoding is not one the API reads (415).</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>A replica's disk is full: the write was not logged anywhere it failed; reads keep serving (507).</summary>
    public const string InsufficientStorage = "insufficient_storage";

    /// <summary>A replica cannot write its log (an I/O error other than a full disk) and serves reads only (503).</summary>
    public const string ShardReadOnly = "shard_read_only";

    /// <summary>Anything unexpected (500).</summary>
    public const string Internal = "internal_error";
}
