namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>ONNX Runtime graph optimisation levels (<c>GraphOptimizationLevel</c>).</summary>
public enum GraphOptimizationLevel
{
    /// <summary>No graph rewrites.</summary>
    Disabled = 0,
    /// <summary>Constant folding and redundant-node removal.</summary>
    Basic = 1,
    /// <summary>Basic plus node fusions (attention, layer norm, GELU).</summary>
    Extended = 2,
    /// <summary>Everything, including layout rewrites; ORT's default.</summary>
    All = 99,
}
