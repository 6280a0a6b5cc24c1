namespace DprCluster.Encoders.Transformer;

/// <summary>
/// A model directory that cannot serve as an encoder: missing or malformed files, inputs or outputs the encoder does
/// not know, or settings that contradict each other. The message names the directory and what is wrong.
/// </summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelFormatException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
