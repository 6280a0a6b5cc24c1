using DprCluster.Training.Optimization;

namespace DprCluster.Training.Model;

/// <summary>The question tower and the passage tower being trained, and the parameters they hold between them.</summary>
public sealed class DualTowerModel
{
    private readonly List<Parameter> _parameters = [];

    /// <summary>Creates the model; its parameters are the towers' maps, trainable inputs and hashed-word channels.</summary>
    public DualTowerModel(Tower questions, Tower passages)
    {
        Questions = questions;
        Passages = passages;
        foreach (Tower tower in new[] { questions, passages })
        {
            Register(tower.Map);
            foreach (Parameter parameter in tower.Input.Parameters)
            {
                Register(parameter);
            }
            foreach (Parameter parameter in tower.HashedWords?.Parameters ?? [])
            {
                Register(parameter);
            }
        }
        if (_parameters.Count == 0)
        {
            throw new ArgumentException("Nothing to train: neither tower has a map or a trainable input.");
        }
    }

    /// <summary>The question tower (E_Q).</summary>
    public Tower Questions { get; }

    /// <summary>The passage tower (E_P).</summary>
    public Tower Passages { get; }

    /// <summary>Every trainable parameter, each once.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Number of trainable floats.</summary>
    public long ParameterCount
    {
        get
        {
            long count = 0;
            foreach (Parameter parameter in _parameters)
            {
                count += parameter.Values.Length;
            }
            return count;
        }
    }

    /// <summary>A copy of every parameter's values (the best epoch's weights, kept for early stopping).</summary>
    public float[][] Snapshot()
    {
        var copy = new float[_parameters.Count][];
        for (int p = 0; p < copy.Length; p++)
        {
            copy[p] = (float[])_parameters[p].Values.Clone();
        }
        return copy;
    }

    /// <summary>Puts back values taken by <see cref="Snapshot"/>.</summary>
    public void Restore(float[][] snapshot)
    {
        for (int p = 0; p < snapshot.Length; p++)
        {
            snapshot[p].CopyTo(_parameters[p].Values, 0);
        }
    }

    private void Register(Parameter? parameter)
    {
        if (parameter is not null && !_parameters.Contains(parameter))
        {
            _parameters.Add(parameter);
        }
    }
}
