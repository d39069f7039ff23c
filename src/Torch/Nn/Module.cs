namespace FedDistill.Torch.Nn;

/// <summary>
/// Base of every model and layer: owns named parameters (trainable tensors), buffers (state such
/// as batch-norm running statistics) and child modules, and knows whether it is training.
/// </summary>
/// <remarks>
/// A module owns its parameters and buffers and frees them on <see cref="Dispose()"/>; tensors
/// returned by <see cref="NamedParameters"/> and <see cref="StateDict"/> stay owned by the module.
/// Names follow PyTorch's dotted convention (<c>features.0.weight</c>) so state dicts line up
/// with PyTorch models of the same structure.
/// </remarks>
public abstract class Module : IDisposable
{
    private readonly Dictionary<string, Tensor> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _buffers = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, Module>> _children = new();
    private bool _disposed;

    /// <summary>True in training mode (dropout active, batch norm uses batch statistics).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the module's output for one input batch.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Registers a trainable parameter, taking ownership of <paramref name="value"/>.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        ValidateName(name);
        value.DetachFromDisposeScope();
        value.RequiresGrad = true;
        _parameters.Add(name, value);
        return value;
    }

    /// <summary>Registers a non-trainable state tensor, taking ownership of <paramref name="value"/>.</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        ValidateName(name);
        value.DetachFromDisposeScope();
        _buffers.Add(name, value);
        return value;
    }

    /// <summary>Registers a child module, taking ownership of it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(module);
        _children.Add(new(name, module));
        return module;
    }

    /// <summary>This module's own parameter called <paramref name="name"/>.</summary>
    protected Tensor Parameter(string name) => _parameters[name];

    /// <summary>This module's own parameter called <paramref name="name"/>, or null when it has none (an optional bias).</summary>
    protected Tensor? OptionalParameter(string name) => _parameters.GetValueOrDefault(name);

    /// <summary>This module's own buffer called <paramref name="name"/>.</summary>
    protected Tensor Buffer(string name) => _buffers[name];

    /// <summary>The direct children in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => _children;

    /// <summary>Every parameter of this module and its descendants, with dotted names, depth-first in registration order.</summary>
    public virtual IEnumerable<KeyValuePair<string, Tensor>> NamedParameters() => Collect(m => m._parameters, m => m.NamedParameters());

    /// <summary>Every buffer of this module and its descendants, with dotted names.</summary>
    public virtual IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers() => Collect(m => m._buffers, m => m.NamedBuffers());

    /// <summary>The parameters alone, in <see cref="NamedParameters"/> order (what an optimizer takes).</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(pair => pair.Value);

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount() => NamedParameters().Sum(pair => pair.Value.ElementCount);

    /// <summary>Parameters and buffers by name; the tensors stay owned by the module.</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var pair in NamedParameters()) state.Add(pair.Key, pair.Value);
        foreach (var pair in NamedBuffers()) state.Add(pair.Key, pair.Value);
        return state;
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's parameters and buffers in
    /// place. Everything is checked before anything is written, so a mismatch changes nothing.
    /// </summary>
    /// <param name="state">Tensors by name; dtypes are converted, shapes must match exactly.</param>
    /// <param name="strict">When true, missing and unexpected names are errors.</param>
    /// <exception cref="ArgumentException">A name is missing or unexpected (strict), or a shape differs.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        var problems = new List<string>();
        if (strict)
        {
            problems.AddRange(own.Keys.Where(name => !state.ContainsKey(name)).Select(name => $"missing '{name}'"));
            problems.AddRange(state.Keys.Where(name => !own.ContainsKey(name)).Select(name => $"unexpected '{name}'"));
        }
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            var expected = target.Shape;
            var actual = source.Shape;
            if (!expected.AsSpan().SequenceEqual(actual))
                problems.Add($"'{name}' has shape [{string.Join(", ", actual)}] but the module expects [{string.Join(", ", expected)}]");
        }
        if (problems.Count > 0)
            throw new ArgumentException($"State dict does not fit {GetType().Name}: {string.Join("; ", problems)}.", nameof(state));

        using var noGrad = NoGradScope.Enter();
        using var scope = DisposeScope.Enter();
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            target.CopyFrom(source.DType == target.DType && source.Device == target.Device ? source : source.To(target.DType, target.Device));
        }
    }

    /// <summary>Switches this module and its descendants to training (true) or evaluation (false) mode.</summary>
    public virtual void Train(bool training = true)
    {
        IsTraining = training;
        foreach (var child in _children) child.Value.Train(training);
    }

    /// <summary>Switches to evaluation mode: dropout off, batch norm uses running statistics.</summary>
    public void Eval() => Train(false);

    /// <summary>Drops the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters()) parameter.ClearGrad();
    }

    /// <summary>Frees every parameter and buffer of this module and its descendants.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases owned tensors and children; override to free additional native resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
        _disposed = true;
        foreach (var tensor in _parameters.Values) tensor.Dispose();
        foreach (var tensor in _buffers.Values) tensor.Dispose();
        foreach (var child in _children) child.Value.Dispose();
    }

    private IEnumerable<KeyValuePair<string, Tensor>> Collect(Func<Module, Dictionary<string, Tensor>> own, Func<Module, IEnumerable<KeyValuePair<string, Tensor>>> recurse)
    {
        foreach (var pair in own(this)) yield return pair;
        foreach (var (childName, child) in _children)
            foreach (var (name, tensor) in recurse(child))
                yield return new($"{childName}.{name}", tensor);
    }

    private void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('.'))
            throw new ArgumentException($"'{name}': names of parameters, buffers and modules cannot contain '.'.", nameof(name));
        if (_parameters.ContainsKey(name) || _buffers.ContainsKey(name) || _children.Any(child => child.Key == name))
            throw new ArgumentException($"'{name}' is already registered on {GetType().Name}.", nameof(name));
    }
}
