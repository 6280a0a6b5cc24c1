namespace DprCluster.Text.Tokenization;

/// <summary>How token type ids (segment ids) are filled.</summary>
public enum TokenTypeMode
{
    /// <summary>BERT: 0 for <c>[CLS] a [SEP]</c>, 1 for <c>b [SEP]</c>.</summary>
    Segments,

    /// <summary>DPR: all zeros, also for (title, text) pairs.</summary>
    Zeros,
}
