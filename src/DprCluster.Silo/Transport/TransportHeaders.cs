namespace DprCluster.Silo.Transport;

/// <summary>Names and media types of the silo transport.</summary>
public static class TransportHeaders
{
    /// <summary>Milliseconds the callee has before the caller gives up (the remaining deadline).</summary>
    public const string Deadline = "dpr-deadline-ms";

    /// <summary>Content type of request and response bodies: one protobuf message.</summary>
    public const string ProtobufMediaType = "application/x-protobuf";
}
