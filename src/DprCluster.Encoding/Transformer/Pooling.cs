namespace DprCluster.Encoders.Transformer;

/// <summary>How one vector is taken from the model's outputs.</summary>
public enum Pooling
{
    /// <summary>The [CLS] position of <c>last_hidden_state</c> (DPR; HF DPR encoders' pooler_output is this vector).</summary>
    Cls,
    /// <summary>Mean of <c>last_hidden_state</c> over the attended positions (sentence-transformers style).</summary>
    Mean,
    /// <summary>The model's <c>pooler_output</c> (for BERT exports: tanh-dense over [CLS], not DPR's vector).</summary>
    Pooler,
    /// <summary>The model's own <c>sentence_embedding</c> output (pooling already inside the graph).</summary>
    SentenceEmbedding,
}
