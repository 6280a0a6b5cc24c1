namespace DprCluster.Text.Tokenization;

/// <summary>A token matched in the text before WordPiece runs (<c>[CLS]</c>, <c>[SEP]</c>, <c>[MASK]</c>, ...).</summary>
/// <param name="Content">The exact text that stands for the token.</param>
/// <param name="Id">The token's id.</param>
/// <param name="Normalized">Match against normalised text rather than the raw input.</param>
/// <param name="LeftStrip">Swallow white space to the left of a match.</param>
/// <param name="RightStrip">Swallow white space to the right of a match.</param>
internal sealed record AddedToken(string Content, int Id, bool Normalized, bool LeftStrip, bool RightStrip);
