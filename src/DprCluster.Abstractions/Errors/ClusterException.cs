namespace DprCluster.Abstractions;

/// <summary>
/// A failure with a stable <see cref="Code"/> (see <see cref="ClusterErrorCodes"/>) and a human message. Serializable,
/// so a shard's refusal reaches the coordinator, and the REST caller, with its code intact.
/// </summary>
[GenerateSerializer, Alias("dpr.ClusterException")]
public class ClusterException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClusterException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    /// <summary>One of <see cref="ClusterErrorCodes"/>.</summary>
    [Id(0)]
    public string Code { get; private set; }
}
