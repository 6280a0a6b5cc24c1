namespace DprCluster.Text.Tokenization;

/// <summary>A tokenizer file (vocab.txt, tokenizer.json, tokenizer_config.json) is malformed or unsupported.</summary>
public sealed class TokenizerFormatException : Exception
{
    /// <summary>Creates the exception with a message that names the problem.</summary>
    public TokenizerFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public TokenizerFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
