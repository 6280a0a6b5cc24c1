namespace DprCluster.Training.Optimization;

/// <summary>
/// Gradient accumulators for a set of parameters, one per worker range of a batch. Sparse parameters keep the list of
/// rows touched, so clearing and reducing cost what the batch touched, not the table size.
/// </summary>
public sealed class Gradients
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly float[][] _values;
    private readonly bool[][] _touched;
    private readonly List<int>[] _touchedRows;
    private readonly Dictionary<Parameter, int> _indices = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates zeroed accumulators shaped like <paramref name="parameters"/>.</summary>
    public Gradients(IReadOnlyList<Parameter> parameters)
    {
        _parameters = parameters;
        _values = new float[parameters.Count][];
        _touched = new bool[parameters.Count][];
        _touchedRows = new List<int>[parameters.Count];
        for (int p = 0; p < parameters.Count; p++)
        {
            _values[p] = new float[parameters[p].Values.Length];
            _touched[p] = parameters[p].Sparse ? new bool[parameters[p].Rows] : [];
            _touchedRows[p] = [];
            _indices.Add(parameters[p], p);
        }
    }

    /// <summary>The index of <paramref name="parameter"/> among the parameters given at creation.</summary>
    public int IndexOf(Parameter parameter) => _indices[parameter];

    /// <summary>The gradient of parameter <paramref name="parameter"/> (its index in the list given at creation).</summary>
    public Span<float> Of(int parameter) => _values[parameter];

    /// <summary>The array behind <see cref="Of"/>, for work split across threads.</summary>
    internal float[] OfArray(int parameter) => _values[parameter];

    /// <summary>Row <paramref name="row"/> of a sparse parameter's gradient, marked as touched.</summary>
    public Span<float> Row(int parameter, int row)
    {
        if (!_touched[parameter][row])
        {
            _touched[parameter][row] = true;
            _touchedRows[parameter].Add(row);
        }
        int length = _parameters[parameter].RowLength;
        return _values[parameter].AsSpan(row * length, length);
    }

    /// <summary>The rows of sparse parameter <paramref name="parameter"/> that hold gradient, in first-touch order.</summary>
    public IReadOnlyList<int> TouchedRows(int parameter) => _touchedRows[parameter];

    /// <summary>Adds these gradients into <paramref name="target"/>.</summary>
    public void AddTo(Gradients target)
    {
        for (int p = 0; p < _parameters.Count; p++)
        {
            if (!_parameters[p].Sparse)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(target._values[p], _values[p], target._values[p]);
                continue;
            }
            foreach (int row in _touchedRows[p])
            {
                Span<float> into = target.Row(p, row);
                System.Numerics.Tensors.TensorPrimitives.Add(into, _values[p].AsSpan(row * _parameters[p].RowLength, _parameters[p].RowLength), into);
            }
        }
    }

    /// <summary>Zeroes every accumulator.</summary>
    public void Clear()
    {
        for (int p = 0; p < _parameters.Count; p++)
        {
            if (!_parameters[p].Sparse)
            {
                Array.Clear(_values[p]);
                continue;
            }
            int length = _parameters[p].RowLength;
            foreach (int row in _touchedRows[p])
            {
                _touched[p][row] = false;
                Array.Clear(_values[p], row * length, length);
            }
            _touchedRows[p].Clear();
        }
    }
}
