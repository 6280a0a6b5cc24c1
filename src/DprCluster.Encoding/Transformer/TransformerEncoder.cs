namespace DprCluster.Encoders.Transformer;

/// <summary>
/// A dual encoder over ONNX models: DPR's separate question and context models, or one model for both (with the
/// query/passage prefixes of its dprcluster.json). Calls on one instance are serialised; see
/// <see cref="Batching.EncoderService"/> for concurrent, batched use.
/// </summary>
public sealed class TransformerEncoder : IEncoder
{
    private readonly TransformerModel _questions;
    private readonly TransformerModel _passages;

    private TransformerEncoder(TransformerModel questions, TransformerModel passages)
    {
        if (questions.Dimension != passages.Dimension)
        {
            throw new ModelFormatException(
                $"The question model ({questions.Directory}, {questions.Dimension}-d) and the passage model ({passages.Directory}, " +
                $"{passages.Dimension}-d) produce vectors of different lengths, so their dot products mean nothing.");
        }
        _questions = questions;
        _passages = passages;
    }

    /// <inheritdoc />
    public int Dimension => _questions.Dimension;

    /// <summary>The question model.</summary>
    public TransformerModel QuestionModel => _questions;

    /// <summary>The passage (context) model; the same object as <see cref="QuestionModel"/> for single-model encoders.</summary>
    public TransformerModel PassageModel => _passages;

    /// <summary>Settings the model directories did not state, each prefixed by the directory, for the host to log.</summary>
    public IReadOnlyList<string> Assumptions
    {
        get
        {
            var all = new List<string>();
            foreach (TransformerModel model in ReferenceEquals(_questions, _passages) ? new[] { _questions } : new[] { _questions, _passages })
            {
                foreach (string assumption in model.Assumptions)
                {
                    all.Add($"{model.Directory}: {assumption}");
                }
            }
            return all;
        }
    }

    /// <summary>Tokens encoded so far by both models, padding not counted.</summary>
    public long RealTokens => _questions.RealTokens + (ReferenceEquals(_questions, _passages) ? 0 : _passages.RealTokens);

    /// <summary>Token positions run so far by both models, padding counted.</summary>
    public long PaddedTokens => _questions.PaddedTokens + (ReferenceEquals(_questions, _passages) ? 0 : _passages.PaddedTokens);

    /// <summary>Padding overhead so far: <see cref="PaddedTokens"/> ÷ <see cref="RealTokens"/>; 1 before any run.</summary>
    public double PaddingRatio => RealTokens == 0 ? 1 : (double)PaddedTokens / RealTokens;

    /// <summary>
    /// Opens the model(s): <paramref name="questionModelDirectory"/> for questions and
    /// <paramref name="passageModelDirectory"/> for passages, or the first for both when the second is null.
    /// </summary>
    public static TransformerEncoder Open(string questionModelDirectory, string? passageModelDirectory = null,
        TransformerEncoderOptions? options = null)
    {
        TransformerModel questions = TransformerModel.Open(questionModelDirectory, options);
        if (passageModelDirectory is null)
        {
            return new TransformerEncoder(questions, questions);
        }
        try
        {
            TransformerModel passages = TransformerModel.Open(passageModelDirectory, options);
            try
            {
                return new TransformerEncoder(questions, passages);
            }
            catch
            {
                passages.Dispose();
                throw;
            }
        }
        catch
        {
            questions.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void EncodeQueries(ReadOnlySpan<string> queries, Span<float> destination) =>
        _questions.EncodeSingles(queries, _questions.Settings.QueryPrefix, destination);

    /// <inheritdoc />
    public void EncodePassages(ReadOnlySpan<PassageText> passages, Span<float> destination) =>
        _passages.EncodePassages(passages, _passages.Settings.PassagePrefix, destination);

    /// <inheritdoc />
    public void Dispose()
    {
        _questions.Dispose();
        if (!ReferenceEquals(_passages, _questions))
        {
            _passages.Dispose();
        }
    }
}
