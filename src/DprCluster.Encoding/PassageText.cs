namespace DprCluster.Encoders;

/// <summary>A passage as DPR encodes it: the pair (title, text). An empty title is allowed.</summary>
public readonly record struct PassageText(string Title, string Text);
