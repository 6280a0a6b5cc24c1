namespace DprCluster.Text.Tokenization;

/// <summary>Everything a <see cref="BertTokenizer"/> is built from, whichever file it was read from.</summary>
/// <param name="Vocabulary">WordPiece token to id.</param>
/// <param name="UnknownToken">The token for words that cannot be split (<c>[UNK]</c>).</param>
/// <param name="ContinuationPrefix">Prefix of non-initial word pieces (<c>##</c>).</param>
/// <param name="MaxCharsPerWord">Longer words become the unknown token.</param>
/// <param name="Normalization">Normaliser flags.</param>
/// <param name="AddedTokens">Tokens matched before WordPiece.</param>
/// <param name="ClsId">Id of the token that opens an encoding.</param>
/// <param name="SepId">Id of the token that closes each sequence.</param>
/// <param name="PadId">Id used to pad batches.</param>
internal sealed record TokenizerDefinition(
    IReadOnlyDictionary<string, int> Vocabulary,
    string UnknownToken,
    string ContinuationPrefix,
    int MaxCharsPerWord,
    BertNormalization Normalization,
    IReadOnlyList<AddedToken> AddedTokens,
    int ClsId,
    int SepId,
    int PadId);
