namespace FedDistill.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost open scope and frees
/// them all when disposed, so a training step's intermediates (activations, losses, gradients
/// read back) never wait for the garbage collector, which cannot see native memory.
/// </summary>
/// <remarks>
/// Scopes nest; a tensor that must outlive its scope is moved out with
/// <see cref="MoveToOuter"/> (to the enclosing scope, or to no scope: then its owner disposes it).
/// Parameters and module buffers are created outside any scope or detached from it.
/// </remarks>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? t_current;

    private readonly List<Tensor> _tensors = new();
    private readonly DisposeScope? _outer;
    private bool _disposed;

    private DisposeScope(DisposeScope? outer) => _outer = outer;

    /// <summary>The innermost open scope of this thread, or null.</summary>
    public static DisposeScope? Current
    {
        get
        {
            // A scope closed out of order (which threw) must never stay current.
            while (t_current is { _disposed: true } closed) t_current = closed._outer;
            return t_current;
        }
    }

    /// <summary>Opens a scope that becomes <see cref="Current"/> until disposed.</summary>
    public static DisposeScope Enter()
    {
        var scope = new DisposeScope(Current);
        t_current = scope;
        return scope;
    }

    /// <summary>Number of tensors this scope will free.</summary>
    public int Count => _tensors.Count;

    internal void Register(Tensor tensor) => _tensors.Add(tensor);

    /// <summary>
    /// Takes <paramref name="tensor"/> out of this scope and hands it to the enclosing scope, or,
    /// when there is none, to the caller, who must dispose it. Returns the tensor.
    /// </summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!ReferenceEquals(tensor.Scope, this))
            throw new InvalidOperationException("The tensor does not belong to this dispose scope.");
        // Found from the end: the tensor to move out is usually the last one created.
        var index = _tensors.LastIndexOf(tensor);
        _tensors.RemoveAt(index);
        tensor.Scope = _outer;
        _outer?.Register(tensor);
        return tensor;
    }

    /// <summary>Removes <paramref name="tensor"/> from this scope without freeing it; its caller now owns it.</summary>
    internal void Unregister(Tensor tensor)
    {
        var index = _tensors.LastIndexOf(tensor);
        if (index >= 0) _tensors.RemoveAt(index);
    }

    /// <summary>Frees every tensor still registered and closes the scope.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var tensor in _tensors) tensor.Dispose();
        _tensors.Clear();
        if (!ReferenceEquals(t_current, this))
            throw new InvalidOperationException("Dispose scopes must be closed innermost first, on the thread that opened them.");
        t_current = _outer;
    }
}
