namespace FedDistill.Torch.Nn;

/// <summary>Applies its layers in order; children are named 0, 1, 2... as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = new();

    /// <summary>Creates the chain, taking ownership of the layers.</summary>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers) Append(layer);
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <summary>Adds a layer at the end, taking ownership of it.</summary>
    public Sequential Append(Module layer)
    {
        _layers.Add(RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer));
        return this;
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var current = input;
        foreach (var layer in _layers)
        {
            var next = layer.Forward(current);
            // Intermediates made here belong to the caller's dispose scope when there is one;
            // without a scope they are freed as soon as the next layer no longer needs them.
            if (!ReferenceEquals(current, input) && DisposeScope.Current is null) current.Dispose();
            current = next;
        }
        return current;
    }
}
