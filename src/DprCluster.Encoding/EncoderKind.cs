namespace DprCluster.Encoders;

/// <summary>Which side of the dual encoder a text goes through.</summary>
public enum EncoderKind
{
    /// <summary>A question (DPR's question encoder E_Q).</summary>
    Query,
    /// <summary>A (title, text) passage (DPR's context encoder E_P).</summary>
    Passage,
}
