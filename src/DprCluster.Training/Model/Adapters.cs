using DprCluster.Encoders.Trained;
using DprCluster.Training.Optimization;

namespace DprCluster.Training.Model;

/// <summary>
/// Linear adapters on a frozen encoder: the question tower is normalise(W_q·q) over the encoder's question vectors,
/// W_q initialised to the identity (so training starts from the pretrained model exactly); the passage tower is the
/// encoder's passage vectors, or normalise(W_p·p) when the passage side is adapted too.
/// </summary>
public static class Adapters
{
    /// <summary>
    /// Builds the towers over precomputed vectors: <paramref name="questionVectors"/> row q for question q,
    /// <paramref name="passageVectors"/> row i for passage i.
    /// </summary>
    public static DualTowerModel Create(float[] questionVectors, float[] passageVectors, int dimension, bool adaptPassages)
    {
        var questions = new Tower(new FixedVectorInput(questionVectors, dimension),
            new Parameter("question map", LinearMap.Identity(dimension).Weights, dimension, sparse: false));
        var passages = new Tower(new FixedVectorInput(passageVectors, dimension),
            adaptPassages ? new Parameter("passage map", LinearMap.Identity(dimension).Weights, dimension, sparse: false) : null);
        return new DualTowerModel(questions, passages);
    }
}
