namespace DprCluster.Encoders;

/// <summary>The encoder writes vectors of a different length than the index they are meant for.</summary>
public sealed class EncoderDimensionMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EncoderDimensionMismatchException(int encoderDimension, int indexDimension, string indexName)
        : base($"The encoder produces {encoderDimension}-dimensional vectors but index '{indexName}' stores " +
               $"{indexDimension}-dimensional ones; use the encoder the index was built with, or rebuild the index.")
    {
        EncoderDimension = encoderDimension;
        IndexDimension = indexDimension;
    }

    /// <summary>Dimension of the encoder's vectors.</summary>
    public int EncoderDimension { get; }

    /// <summary>Dimension the index expects.</summary>
    public int IndexDimension { get; }
}
