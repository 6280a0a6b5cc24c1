namespace DprCluster.Grains.Telemetry;

/// <summary>
/// The live instances (shard replicas, encoder services) that observable gauges read when metrics are collected.
/// Held weakly, so an instance that is dropped without being removed is still collected.
/// </summary>
internal sealed class ObservedInstances<T> where T : class
{
    private readonly List<WeakReference<T>> _items = [];

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Add(new WeakReference<T>(item));
        }
    }

    public void Remove(T item)
    {
        lock (_items)
        {
            _items.RemoveAll(reference => !reference.TryGetTarget(out T? target) || ReferenceEquals(target, item));
        }
    }

    /// <summary>The instances still alive, in the order they were added.</summary>
    public List<T> Alive()
    {
        var alive = new List<T>();
        lock (_items)
        {
            _items.RemoveAll(reference => !reference.TryGetTarget(out _));
            foreach (WeakReference<T> reference in _items)
            {
                if (reference.TryGetTarget(out T? target))
                {
                    alive.Add(target);
                }
            }
        }
        return alive;
    }
}
